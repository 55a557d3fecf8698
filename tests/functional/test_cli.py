"""The installed console script, run as a subprocess: every command, exit codes, output formats."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from consistency_lint.checks import ALL_RULES
from tests.environment import clean_environment

SCRIPT = Path(sys.executable).parent / "consistency-lint"

DUAL_WRITE = textwrap.dedent(
    """\
    from kafka import KafkaProducer
    from sqlalchemy.orm import Session

    producer = KafkaProducer()


    def place_order(session: Session, order):
        session.add(order)
        session.commit()
        producer.send("orders", b"OrderPlaced")
    """
)
CLEAN = "def add(a, b):\n    return a + b\n"


def cl(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.is_file(), f"console script not installed next to {sys.executable}"
    env = clean_environment()
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("consistency-lint: error: ")
    return lines[0]


def test_rules_lists_every_code(tmp_path: Path) -> None:
    proc = cl(tmp_path, "rules")
    assert proc.returncode == 0, proc.stderr
    listed = {line.split()[0] for line in proc.stdout.splitlines()[1:] if line.strip()}
    assert listed == {rule.CODE for rule in ALL_RULES}
    cl101 = next(line for line in proc.stdout.splitlines() if line.startswith("CL101"))
    assert "publish-after-commit" in cl101 and " on " in cl101
    cl104 = next(line for line in proc.stdout.splitlines() if line.startswith("CL104"))
    assert " off " in cl104


@pytest.mark.parametrize("name", ["CL101", "publish-after-commit", "cl101"])
def test_explain(tmp_path: Path, name: str) -> None:
    proc = cl(tmp_path, "explain", name)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# CL101 publish-after-commit")
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert heading in proc.stdout


def test_explain_unknown_code(tmp_path: Path) -> None:
    line = assert_one_line_error(cl(tmp_path, "explain", "CL999"))
    assert "CL999" in line
    assert "consistency-lint rules" in line
    line = assert_one_line_error(cl(tmp_path, "explain", "cl1o1"))
    assert "did you mean 'CL101'" in line
    line = assert_one_line_error(cl(tmp_path, "explain", "publish-after-comit"))
    assert "did you mean 'publish-after-commit'" in line


def test_check_clean_folder(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "util.py", CLEAN)
    proc = cl(tmp_path, "check", "pkg")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "All checks passed (1 file)." in proc.stderr


def test_check_dual_write(tmp_path: Path) -> None:
    write(tmp_path / "shop" / "orders.py", DUAL_WRITE)
    write(tmp_path / "shop" / "util.py", CLEAN)
    proc = cl(tmp_path, "check", "shop")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("shop/orders.py:10:5: CL101 ")
    assert "Found 1 finding in 2 files." in proc.stderr
    # Paths are relative to the current directory, wherever that is.
    proc = cl(tmp_path / "shop", "check", ".")
    assert proc.stdout.startswith("orders.py:10:5: CL101 ")
    proc = cl(tmp_path / "shop", "check", str(tmp_path / "shop" / "orders.py"))
    assert proc.stdout.startswith("orders.py:10:5: CL101 ")


def test_exit_zero(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    proc = cl(tmp_path, "check", "--exit-zero", "orders.py")
    assert proc.returncode == 0, proc.stderr
    assert "CL101" in proc.stdout


def test_json_format(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    proc = cl(tmp_path, "check", "--format", "json", "orders.py")
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    assert {"version", "diagnostics", "summary"} <= set(document)
    assert isinstance(document["summary"], dict)
    [diagnostic] = document["diagnostics"]
    keys = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column"}
    assert keys | {"related"} <= set(diagnostic)
    assert diagnostic["code"] == "CL101"
    assert diagnostic["name"] == "publish-after-commit"
    assert diagnostic["path"] == "orders.py"
    assert (diagnostic["line"], diagnostic["column"]) == (10, 5)
    assert diagnostic["end_line"] >= diagnostic["line"]
    assert diagnostic["related"], "the commit is a related location"
    related = diagnostic["related"][0]
    assert {"path", "line", "column", "message"} <= set(related)
    assert related["line"] == 9


def test_broken_config_unknown_key(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'selct = ["CL1"]\n')
    write(tmp_path / "orders.py", DUAL_WRITE)
    line = assert_one_line_error(cl(tmp_path, "check"))
    assert "consistency-lint.toml" in line and "selct" in line and "did you mean 'select'" in line


def test_broken_config_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.consistency-lint.tenancy]\nmode = "of"\n')
    line = assert_one_line_error(cl(tmp_path, "check"))
    assert "pyproject.toml" in line and "tenancy.mode" in line


def test_invalid_toml(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'select = ["CL1"]\nignore = ["CL2"\n')
    line = assert_one_line_error(cl(tmp_path, "check"))
    assert "consistency-lint.toml:" in line and "invalid TOML" in line
    position = line.split("consistency-lint.toml:", 1)[1].split(":")[:2]
    assert all(part.isdigit() for part in position), line


def test_config_option(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    write(tmp_path / "conf" / "lint.toml", 'ignore = ["CL101"]\n')
    proc = cl(tmp_path, "check", "--config", "conf/lint.toml", "orders.py")
    assert proc.returncode == 0, proc.stderr
    line = assert_one_line_error(cl(tmp_path, "check", "--config", "missing.toml", "orders.py"))
    assert "missing.toml" in line


def test_nonexistent_path_among_valid_ones(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    proc = cl(tmp_path, "check", "orders.py", "missing.py")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("orders.py:10:5: CL101 ")
    assert "missing.py" in proc.stderr


def test_no_paths_means_the_project_root(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "shop"\n\n[tool.consistency-lint]\n')
    write(tmp_path / "shop" / "orders.py", DUAL_WRITE)
    write(tmp_path / "elsewhere.py", DUAL_WRITE)
    deep = tmp_path / "shop" / "sub"
    deep.mkdir()
    proc = cl(deep, "check")
    assert proc.returncode == 1, proc.stderr
    paths = sorted(line.split(":", 1)[0] for line in proc.stdout.splitlines())
    assert paths == ["../../elsewhere.py", "../orders.py"]


def test_select_and_ignore_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'select = ["CL2"]\n')
    write(tmp_path / "orders.py", DUAL_WRITE)
    assert cl(tmp_path, "check").returncode == 0
    assert "CL101" in cl(tmp_path, "check", "--select", "CL101").stdout
    assert "CL101" in cl(tmp_path, "check", "--extend-select", "CL1").stdout
    # A command-line --select starts afresh: the file's ignore list gives way to it.
    write(tmp_path / "consistency-lint.toml", 'ignore = ["CL101"]\n')
    assert cl(tmp_path, "check").returncode == 0
    assert cl(tmp_path, "check", "--select", "CL101").returncode == 1
    write(tmp_path / "consistency-lint.toml", "")
    assert cl(tmp_path, "check").returncode == 1
    assert cl(tmp_path, "check", "--select", "CL1,CL2", "--ignore", "CL101").returncode == 0
    assert cl(tmp_path, "check", "--select", "CL2").returncode == 0
    line = assert_one_line_error(cl(tmp_path, "check", "--select", "CL1O1"))
    assert "--select" in line and "CL1O1" in line


def test_server_help(tmp_path: Path) -> None:
    proc = cl(tmp_path, "server", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "language server" in proc.stdout


def test_version_and_help(tmp_path: Path) -> None:
    proc = cl(tmp_path, "--version")
    assert proc.returncode == 0 and "consistency-lint" in proc.stdout
    proc = cl(tmp_path, "--help")
    for command in ("check", "rules", "explain", "server"):
        assert command in proc.stdout


def test_per_file_ignores_apply_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'per-file-ignores = { "scripts/*.py" = ["CL101"] }\n')
    write(tmp_path / "scripts" / "backfill.py", DUAL_WRITE)
    write(tmp_path / "app" / "orders.py", DUAL_WRITE)
    proc = cl(tmp_path / "scripts", "check", ".")
    assert proc.returncode == 0, proc.stdout
    proc = cl(tmp_path / "scripts", "check")
    assert proc.returncode == 1
    assert proc.stdout.startswith("../app/orders.py:10:5: CL101 ")


def test_bad_user_pack_is_a_configuration_error(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'packs = ["lint/bus.toml"]\n')
    write(tmp_path / "orders.py", DUAL_WRITE)
    line = assert_one_line_error(cl(tmp_path, "check"))
    assert "lint/bus.toml" in line and "not found" in line
    pack = 'schema = 1\nname = "bus"\n\n[[calls]]\ntarget = "acme.bus.publish"\nrole = "publsh"\n'
    write(tmp_path / "lint" / "bus.toml", pack)
    line = assert_one_line_error(cl(tmp_path, "check"))
    assert "lint/bus.toml" in line and "role" in line and "did you mean 'publish'" in line
