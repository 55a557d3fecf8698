"""The one place that reads TOML: `tomllib` on 3.11+, `tomli` before."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from consistency_lint.app.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on old interpreters only
    import tomli as tomllib

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_AT_END = "(at end of document)"


def load_toml(path: Path, text: str | None = None) -> dict[str, Any]:
    """Parse a TOML file; invalid TOML is a UserError naming file, line and column."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"{path}: cannot read: {error}") from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _POSITION.search(message)
        reason = _POSITION.sub("", message).strip()
        if match is None and _AT_END in message:
            # tomllib gives no position for errors at the very end: point after the last character.
            lines = text.split("\n")
            reason = message.replace(_AT_END, "").strip()
            raise UserError(f"{path}:{len(lines)}:{len(lines[-1]) + 1}: invalid TOML: {reason}") from error
        if match:
            raise UserError(f"{path}:{match.group(1)}:{match.group(2)}: invalid TOML: {reason}") from error
        raise UserError(f"{path}: invalid TOML: {reason}") from error
