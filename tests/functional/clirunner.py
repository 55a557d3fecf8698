"""A click test runner that keeps stderr out of `result.stdout` on every click version."""

from __future__ import annotations

from click.testing import CliRunner


def cli_runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2 mixes by default
    except TypeError:
        return CliRunner()  # click >= 8.2 always keeps them apart
