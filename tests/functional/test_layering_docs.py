"""The CL3xx documentation examples are real: `Example` fires, `Use instead` is quiet.

Each ```python block of a rule's `Example` / `Use instead` section starts with a
`# path/to/file.py` comment; the blocks are written into a project (with the
persistence module the examples import) and linted with the rule enabled.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consistency_lint.app.config import resolve
from consistency_lint.app.runner import run_check
from consistency_lint.checks import CATALOGUE

_BLOCK = re.compile(r"```python\n(.*?)```", re.S)

# What the examples refer to without showing it: the persistence layer's ORM rows.
_SUPPORT = {
    "myapp/__init__.py": "",
    "myapp/adapters/__init__.py": "",
    "myapp/adapters/orm.py": (
        "from sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class OrderRow(Base):\n    __tablename__ = 'orders'\n"
    ),
    "myapp/domain/__init__.py": "",
    "myapp/api/__init__.py": "",
}
_PLAIN_ORDER = "class Order:\n    amount: int\n"


def _section(doc: str, title: str) -> list[tuple[str, str]]:
    body = doc.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    blocks = []
    for code in _BLOCK.findall(body):
        first = code.splitlines()[0]
        assert first.startswith("# ") and first.endswith(".py"), f"block without a path comment: {first!r}"
        blocks.append((first[2:].strip(), code))
    assert blocks
    return blocks


def _lint(tmp_path: Path, files: list[tuple[str, str]], code: str) -> list[str]:
    support = dict(_SUPPORT)
    if not any(path == "myapp/domain/order.py" for path, _ in files):
        support["myapp/domain/order.py"] = _PLAIN_ORDER
    for path, text in [*support.items(), *files]:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (tmp_path / "consistency-lint.toml").write_text(f'extend-select = ["{code}"]\n', encoding="utf-8")
    settings = resolve({"extend-select": [code]}, "consistency-lint.toml", tmp_path)
    result = run_check([tmp_path], settings, jobs=1)
    assert not result.errors
    return [d.code for d in result.diagnostics if d.code.startswith("CL3")]


@pytest.mark.parametrize("code", ["CL301", "CL302", "CL303", "CL304"])
def test_example_fires_and_use_instead_is_quiet(tmp_path: Path, code: str) -> None:
    doc = CATALOGUE[code].doc
    bad = _lint(tmp_path / "bad", _section(doc, "Example"), code)
    assert code in bad
    good = _lint(tmp_path / "good", _section(doc, "Use instead"), code)
    assert good == []
