"""The flake8 plugin, through the real `flake8` executable, against `consistency-lint check`.

Needs the package installed (`pip install -e .` registers the `flake8.extension`
entry point) and flake8 (test extra).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from consistency_lint.adapters.cli import cli
from tests.environment import clean_environment
from tests.functional.clirunner import cli_runner
from tests.harness import FIXTURES, expectations

FLAKE8_FORMAT = "%(path)s|%(row)d|%(col)d|%(code)s|%(text)s"
FILES = sorted((FIXTURES / "rules").glob("*/*.py"))

Finding = tuple[int, int, str, str]  # line, column (1-based), code, message

DUAL_WRITE = """\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place(session: Session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"x")
"""

CLEAN = """\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place(session: Session, order):
    producer.send("orders", b"x")
    session.add(order)
"""


def flake8(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "CL", "--format", FLAKE8_FORMAT]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_environment(),
    )


def parse_flake8(stdout: str) -> dict[str, set[Finding]]:
    out: dict[str, set[Finding]] = {}
    for line in stdout.splitlines():
        path, row, col, code, text = line.split("|", 4)
        key = Path(os.path.normpath(path)).as_posix()
        out.setdefault(key, set()).add((int(row), int(col), code, text))
    return out


def check_cli(folder: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> set[Finding]:
    """`consistency-lint check NAME` run from `folder`, as (line, column, code, message)."""
    monkeypatch.chdir(folder)
    result = cli_runner().invoke(cli, ["check", "--format", "json", name])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    return {(d["line"], d["column"], d["code"], d["message"]) for d in data["diagnostics"]}


def fixture_config(path: Path) -> str:
    """The `# config:` header lines of a fixture, as a consistency-lint.toml."""
    return "".join(
        line[len("# config:") :].strip() + "\n"
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# config:")
    )


@pytest.fixture(scope="module")
def fixture_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[Finding]]]:
    """Every rule fixture in its own project folder, and one flake8 run over all of them."""
    root = tmp_path_factory.mktemp("flake8-fixtures")
    for path in FILES:
        folder = root / f"{path.parent.name}-{path.stem}"
        folder.mkdir()
        shutil.copy(path, folder / path.name)
        for data in path.parent.glob("*.toml"):  # user packs a fixture's config may name
            shutil.copy(data, folder / data.name)
        (folder / "consistency-lint.toml").write_text(fixture_config(path), encoding="utf-8")
    result = flake8(["."], root)
    assert result.returncode in (0, 1), result.stderr
    return root, parse_flake8(result.stdout)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_flake8_reports_what_check_reports(
    path: Path, fixture_tree: tuple[Path, dict[str, set[Finding]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, by_file = fixture_tree
    folder = root / f"{path.parent.name}-{path.stem}"
    from_flake8 = by_file.get(f"{folder.name}/{path.name}", set())
    from_cli = check_cli(folder, path.name, monkeypatch)
    try:
        compile(path.read_bytes(), path.name, "exec", dont_inherit=True)
    except SyntaxError:
        # flake8 reports E999 itself and runs no plugin on a file it cannot parse.
        assert from_flake8 == set()
        assert {code for _, _, code, _ in from_cli} <= {"CL001"}
        return
    assert from_flake8 == from_cli
    # The comparison must have something to compare where the fixture expects findings.
    expected = {(line, code) for _, line, code in expectations(path, path.name) if code != "CL001"}
    assert expected <= {(line, code) for line, _, code, _ in from_flake8}


def test_lints_the_buffer_from_stdin_not_the_file_on_disk(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "shop").mkdir(parents=True)
    (project / "consistency-lint.toml").write_text("", encoding="utf-8")
    (project / "shop" / "orders.py").write_text(CLEAN, encoding="utf-8")
    result = flake8(["--stdin-display-name", "proj/shop/orders.py", "-"], tmp_path, stdin=DUAL_WRITE)
    findings = parse_flake8(result.stdout)
    assert list(findings) == ["proj/shop/orders.py"]
    assert {(line, col, code) for line, col, code, _ in findings["proj/shop/orders.py"]} == {(10, 5, "CL101")}
    # And the other way round: a clean buffer over a file on disk that has a dual write.
    (project / "shop" / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    result = flake8(["--stdin-display-name", "proj/shop/orders.py", "-"], tmp_path, stdin=CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_reads_the_project_configuration_above_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = tmp_path / "quiet"
    loud = tmp_path / "loud"
    for folder in (quiet / "pkg", loud / "pkg"):
        folder.mkdir(parents=True)
        (folder / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    (quiet / "pyproject.toml").write_text(
        '[tool.consistency-lint]\nper-file-ignores = { "pkg/*.py" = ["CL101"] }\n', encoding="utf-8"
    )
    (loud / "consistency-lint.toml").write_text('select = ["CL1"]\n', encoding="utf-8")
    findings = parse_flake8(flake8(["quiet", "loud"], tmp_path).stdout)
    assert list(findings) == ["loud/pkg/orders.py"]
    assert check_cli(quiet, "pkg/orders.py", monkeypatch) == set()
    assert check_cli(loud, "pkg/orders.py", monkeypatch) == findings["loud/pkg/orders.py"]


def test_noqa_and_disable_noqa(tmp_path: Path) -> None:
    source = DUAL_WRITE.replace('b"x")', 'b"x")  # noqa: CL101')
    (tmp_path / "orders.py").write_text(source, encoding="utf-8")
    result = flake8(["orders.py"], tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    result = flake8(["--disable-noqa", "orders.py"], tmp_path)
    assert {(line, code) for line, _, code, _ in parse_flake8(result.stdout)["orders.py"]} == {(10, "CL101")}


def test_columns_count_characters_like_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    send = '    producer.send("orders", b"x")'
    source = DUAL_WRITE.replace(send, '    é = "ü";' + send[3:])
    (tmp_path / "orders.py").write_text(source, encoding="utf-8")
    findings = parse_flake8(flake8(["orders.py"], tmp_path).stdout)["orders.py"]
    assert {(line, col) for line, col, _, _ in findings} == {(10, 14)}
    assert findings == check_cli(tmp_path, "orders.py", monkeypatch)


def test_configuration_error_is_reported_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "consistency-lint.toml").write_text('selec = ["CL1"]\n', encoding="utf-8")
    (tmp_path / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    result = flake8(["orders.py"], tmp_path)
    assert result.returncode != 0
    assert "selec: unknown key; did you mean 'select'?" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
