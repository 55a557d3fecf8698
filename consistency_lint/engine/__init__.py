"""The engine: between the app (files, cache, workers) and the rules.

- `file_phase`: bytes of one file in, its facts out (`FileResult`, defined in `result` so that a run
  the cache answers need not import the phase); an unreadable file is a fact.
- `project_phase`: every file's facts in, the findings out: links the project, runs the
  selected rules over one `CheckContext`, then selection, suppressions and CL002.
- `suppression`: selection, per-file ignores, `# noqa`, and the unused directives (CL002).
- `session`: one `Session` owns the settings and the pack index; every front end uses it.
"""

from __future__ import annotations

from consistency_lint.engine.result import FileResult
from consistency_lint.engine.session import Session

__all__ = ["FileResult", "Session"]
