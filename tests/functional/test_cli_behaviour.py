"""Behaving as ruff users expect (issue 14): selection order, --config, operational options.

Every test runs the installed console script as a subprocess; the colour tests
give it a terminal with `script` (util-linux).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from consistency_lint.app.cache import CACHE_DIR
from consistency_lint.checks import CATALOGUE
from tests.environment import clean_environment
from tests.functional.test_cli import DUAL_WRITE, SCRIPT, assert_one_line_error, cl, write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def codes(proc: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.split(": ", 1)[1].split()[0] for line in proc.stdout.splitlines() if ": CL" in line}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of examples/shop (its file has extend-select = CL002, CL104, CL304)."""
    folder = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", folder, ignore=shutil.ignore_patterns(CACHE_DIR, "__pycache__"))
    return folder


# ----- selection: ruff's order ---------------------------------------------


def test_select_on_the_command_line_resets_the_file_extend_select(shop: Path) -> None:
    every = codes(cl(shop, "check"))
    assert {"CL002", "CL104", "CL304"} <= every
    assert codes(cl(shop, "check", "--select", "CL1")) == {"CL101", "CL102", "CL103"}
    assert codes(cl(shop, "check", "--select", "CL104")) == {"CL104"}


def test_ignore_on_the_command_line_beats_the_file_selection(shop: Path) -> None:
    found = codes(cl(shop, "check", "--ignore", "CL2,CL3"))
    assert found == {c for c in codes(cl(shop, "check")) if not c.startswith(("CL2", "CL3"))}
    assert "CL304" not in found and {"CL002", "CL104"} <= found


def test_select_all(shop: Path) -> None:
    found = codes(cl(shop, "check", "--select", "ALL"))
    assert found == codes(cl(shop, "check")), "the shop's file already turns the off-by-default rules on"
    write(shop / "pyproject.toml", '[tool.consistency-lint]\nselect = ["CL1"]\n')
    assert codes(cl(shop, "check")) == {"CL101", "CL102", "CL103"}
    assert {"CL002", "CL104", "CL304", "CL201"} <= codes(cl(shop, "check", "--select", "ALL"))
    assert codes(cl(shop, "check", "--select", "ALL", "--ignore", "CL")) == set()


def test_unknown_code_on_the_command_line_is_about_the_command_line(shop: Path) -> None:
    line = assert_one_line_error(cl(shop, "check", "--select", "CL1O1"))
    assert "command line: --select: unknown rule code 'CL1O1'" in line
    assert "pyproject.toml" not in line
    line = assert_one_line_error(cl(shop, "check", "--ignore", "CL9"))
    assert "command line: --ignore" in line and "pyproject.toml" not in line


# ----- --config: the project root is the current directory -------------------

LAYERS = """\
[layers]
domain = ["app/core/**"]
persistence = ["app.db"]
"""
DOMAIN_IMPORT = "from sqlalchemy.orm import Session\n\n\ndef f(session: Session) -> None:\n    pass\n"


def test_config_in_another_folder_resolves_against_the_current_directory(tmp_path: Path) -> None:
    config = write(tmp_path / "shared" / "lint.toml", LAYERS)
    project = tmp_path / "project"
    write(project / "app" / "core" / "rules.py", DOMAIN_IMPORT)
    write(project / "app" / "db.py", "")
    proc = cl(project, "check", "--config", str(config))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("app/core/rules.py:1:1: CL301 ")
    assert "warning" not in proc.stderr
    # A relative --config is the same file.
    assert cl(project, "check", "--config", "../shared/lint.toml").stdout == proc.stdout


def test_config_in_a_big_shared_folder_does_not_make_it_the_project(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    config = write(shared / "lint.toml", "")
    for n in range(30):  # other people's files next to the configuration
        write(shared / "others" / f"m{n}.py", DUAL_WRITE)
    project = write(shared / "small" / "orders.py", DUAL_WRITE).parent
    proc = cl(project, "check", "--config", str(config))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("orders.py:10:5: CL101")
    assert "in 1 file." in proc.stderr


def test_layer_patterns_matching_no_file_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "shared" / "lint.toml", LAYERS)
    project = tmp_path / "project"
    write(project / "app" / "core" / "rules.py", DOMAIN_IMPORT)
    write(project / "app" / "db.py", "")
    # Run from the parent: the patterns are now relative to a folder where they match nothing.
    proc = cl(tmp_path, "check", "project", "--config", "shared/lint.toml")
    assert proc.stdout == ""
    warnings = [line for line in proc.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 2, proc.stderr
    assert "layers.domain: pattern 'app/core/**' matches no file" in warnings[0]
    assert "layers.persistence: pattern 'app.db' matches no file" in warnings[1]
    assert not [
        line for line in cl(tmp_path, "check", "project", "--config", "shared/lint.toml", "-q").stderr
    ]


def test_files_outside_the_project_root_are_reported(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project / "consistency-lint.toml", "")
    write(project / "inside.py", DUAL_WRITE)
    write(tmp_path / "elsewhere" / "outside.py", DUAL_WRITE)
    proc = cl(project, "check", "inside.py", "../elsewhere/outside.py")
    assert proc.returncode == 1
    assert "../elsewhere/outside.py:10:5: CL101" in proc.stdout
    (warning,) = [line for line in proc.stderr.splitlines() if "warning:" in line]
    assert "1 file lies outside the project root" in warning and "../elsewhere/outside.py" in warning
    assert "warning" not in cl(project, "check", "inside.py").stderr


# ----- operational options ----------------------------------------------------


def test_no_python_files_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = cl(tmp_path, "check", "empty")
    assert proc.returncode == 0
    assert proc.stderr == "consistency-lint: warning: No Python files found under the given paths\n"
    assert cl(tmp_path, "check", "empty", "--quiet").stderr == ""


def test_quiet_keeps_findings_and_errors_only(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    proc = cl(tmp_path, "check", "-q", "orders.py")
    assert proc.returncode == 1 and "CL101" in proc.stdout and proc.stderr == ""
    proc = cl(tmp_path, "check", "--quiet", "orders.py", "missing.py")
    assert proc.returncode == 2
    assert proc.stderr == "consistency-lint: error: missing.py: no such file or directory\n"


def test_exclude_and_extend_exclude_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'exclude = ["legacy/"]\n')
    for folder in ("legacy", "generated", "app"):
        write(tmp_path / folder / "orders.py", DUAL_WRITE)

    def flagged(*args: str) -> list[str]:
        proc = cl(tmp_path, "check", *args)
        return sorted(line.split("/")[0] for line in proc.stdout.splitlines())

    assert flagged() == ["app", "generated"]
    assert flagged("--exclude", "generated/") == ["app", "legacy"]  # replaces the file's exclude
    assert flagged("--extend-exclude", "generated/") == ["app"]
    assert flagged("--exclude", "generated/,app/") == ["legacy"]


def test_cache_dir_option_and_environment_variable(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project / "consistency-lint.toml", "")
    write(project / "orders.py", DUAL_WRITE)
    proc = cl(project, "check", "--cache-dir", "../caches/one")
    assert proc.returncode == 1
    assert not (project / CACHE_DIR).exists()
    assert list((tmp_path / "caches" / "one").glob("index-*.data"))
    env = clean_environment(CONSISTENCY_LINT_CACHE_DIR=str(tmp_path / "caches" / "two"))
    proc = subprocess.run(
        [str(SCRIPT), "check"], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    assert list((tmp_path / "caches" / "two").glob("index-*.data"))
    assert not (project / CACHE_DIR).exists()
    # Warm from the named folder: same findings.
    assert cl(project, "check", "--cache-dir", "../caches/one").stdout == proc.stdout
    cl(project, "check")
    assert (project / CACHE_DIR).is_dir()


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    (tmp_path / "out").mkdir()
    proc = cl(
        tmp_path,
        "check",
        "orders.py",
        "--output-format",
        "sarif:out/a.sarif",
        "--format",
        "json:b.json",
        "--output-format",
        "text",
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("orders.py:10:5: CL101 ")
    sarif = json.loads((tmp_path / "out" / "a.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"][0]["ruleId"] == "CL101"
    document = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert [d["code"] for d in document["diagnostics"]] == ["CL101"]
    # A format without FILE goes to --output, as before.
    proc = cl(tmp_path, "check", "orders.py", "--format", "json", "--output", "c.json", "--format", "text:-")
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["diagnostics"]
    assert proc.stdout.startswith("orders.py:10:5: CL101 ")


def test_two_outputs_to_one_place_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    line = assert_one_line_error(cl(tmp_path, "check", "--format", "json", "--format", "text"))
    assert "standard output" in line
    line = assert_one_line_error(cl(tmp_path, "check", "--format", "json:x", "--format", "sarif:./x"))
    assert "'json' and 'sarif'" in line
    proc = cl(tmp_path, "check", "--output-format", "xml")
    assert proc.returncode == 2 and "unknown format 'xml'" in proc.stderr


def test_rules_as_json(tmp_path: Path) -> None:
    proc = cl(tmp_path, "rules", "--output-format", "json")
    assert proc.returncode == 0, proc.stderr
    rules = json.loads(proc.stdout)
    assert [r["code"] for r in rules] == list(CATALOGUE)
    cl104 = next(r for r in rules if r["code"] == "CL104")
    assert cl104["default"] is False and cl104["name"] == CATALOGUE["CL104"].name
    assert "## What it does" in cl104["explanation"]
    assert json.loads(cl(tmp_path, "rules", "--format", "json").stdout) == rules


# ----- colour, through a real terminal ----------------------------------------


def in_terminal(cwd: Path, args: str, env: dict[str, str] | None = None) -> str:
    """The standard output of the CLI run on a pseudo-terminal (`script`), stderr dropped."""
    script = shutil.which("script")
    if script is None:
        pytest.skip("script (util-linux) not available")
    environ = clean_environment(**(env or {}), TERM="xterm")
    command = f"{shlex.quote(str(SCRIPT))} {args} 2>/dev/null"
    proc = subprocess.run(
        [script, "-qec", command, "/dev/null"],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.stdout


def test_colour_on_a_terminal_only(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    coloured = in_terminal(tmp_path, "check orders.py")
    assert ANSI.search(coloured), coloured
    assert "\x1b[1;31mCL101\x1b[0m" in coloured
    assert ANSI.sub("", coloured).replace("\r\n", "\n") == cl(tmp_path, "check", "orders.py").stdout
    assert not ANSI.search(cl(tmp_path, "check", "orders.py").stdout)  # a pipe: no colour


def test_no_color_and_the_color_option(tmp_path: Path) -> None:
    write(tmp_path / "orders.py", DUAL_WRITE)
    assert not ANSI.search(in_terminal(tmp_path, "check orders.py", {"NO_COLOR": "1"}))
    assert ANSI.search(in_terminal(tmp_path, "check orders.py", {"NO_COLOR": ""}))  # empty: not set
    assert not ANSI.search(in_terminal(tmp_path, "check --color never orders.py"))
    assert ANSI.search(in_terminal(tmp_path, "check --color always orders.py", {"NO_COLOR": "1"}))
    assert ANSI.search(cl(tmp_path, "check", "--color", "always", "orders.py").stdout)
    # Only text to the terminal is coloured: never JSON, never a file.
    assert not ANSI.search(in_terminal(tmp_path, "check --format json orders.py"))
    in_terminal(tmp_path, "check --color always --format text:report.txt orders.py")
    assert not ANSI.search((tmp_path / "report.txt").read_text(encoding="utf-8"))
