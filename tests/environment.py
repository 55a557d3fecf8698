"""The environment every test that runs the real CLI, flake8 or the server starts from.

The variables below change what a run prints or where it keeps its cache. A developer's shell or a
CI runner may set any of them (GitHub sets `CI` and `GITHUB_WORKSPACE`), so a subprocess under test
starts without them and a test that is about one of them sets it explicitly.
"""

from __future__ import annotations

import os

BEHAVIOUR_VARIABLES = (
    "CI",  # turns the progress bar off
    "NO_COLOR",  # turns colour off
    "TERM",  # `dumb` turns colour and the progress bar off
    "CONSISTENCY_LINT_CACHE_DIR",  # moves the cache
    "CONSISTENCY_LINT_SECRET_DIR",  # moves the cache's signing secret
    "GITHUB_WORKSPACE",  # where GitHub annotations are relative to
    "CI_PROJECT_DIR",  # where GitLab report paths are relative to
)


def clean_environment(**overrides: str) -> dict[str, str]:
    """`os.environ` without the variables that change behaviour, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in BEHAVIOUR_VARIABLES}
    env.update(overrides)
    return env
