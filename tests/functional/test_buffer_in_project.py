"""A buffer linted as a file of its project (issue 14, points 1 and 4).

The real `flake8` loads the plugin through its entry point; `consistency-lint`
is the installed console script. For every file of every example project,
`flake8 --select CL FILE`, `consistency-lint check FILE` and
`cat FILE | consistency-lint check - --stdin-filename FILE` must agree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from consistency_lint.app.cache import CACHE_DIR
from tests.environment import clean_environment
from tests.functional.test_cli import DUAL_WRITE, SCRIPT, assert_one_line_error, write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROJECTS = sorted(p.parent.name for p in EXAMPLES.glob("*/EXPECTED.txt"))
FLAKE8_FORMAT = "%(path)s|%(row)d|%(col)d|%(code)s|%(text)s"

Finding = tuple[int, int, str, str]  # line, column (1-based), code, message


def run(cwd: Path, args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = clean_environment()
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=300)


def flake8(cwd: Path, *args: str, stdin: str | None = None) -> dict[str, set[Finding]]:
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "CL", "--format", FLAKE8_FORMAT]
    proc = run(cwd, [*command, *args], stdin)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    out: dict[str, set[Finding]] = {}
    for line in proc.stdout.splitlines():
        path, row, col, code, text = line.split("|", 4)
        out.setdefault(Path(os.path.normpath(path)).as_posix(), set()).add((int(row), int(col), code, text))
    return out


def check(cwd: Path, *args: str, stdin: str | None = None) -> dict[str, set[Finding]]:
    proc = run(cwd, [str(SCRIPT), "check", "--format", "json", *args], stdin)
    assert proc.returncode in (0, 1), proc.stderr
    out: dict[str, set[Finding]] = {}
    for d in json.loads(proc.stdout)["diagnostics"]:
        out.setdefault(d["path"], set()).add((d["line"], d["column"], d["code"], d["message"]))
    return out


@pytest.fixture(scope="module", params=PROJECTS)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("examples") / request.param
    shutil.copytree(EXAMPLES / request.param, folder, ignore=shutil.ignore_patterns(CACHE_DIR, "__pycache__"))
    return folder


def python_files(project: Path) -> list[str]:
    return sorted(p.relative_to(project).as_posix() for p in project.rglob("*.py"))


def test_flake8_reports_per_file_what_check_file_reports(project: Path) -> None:
    files = python_files(project)
    assert len(files) >= 3
    whole = flake8(project, *files)  # one flake8 run over the tree, as users run it
    total = 0
    for name in files:
        from_cli = check(project, name).get(name, set())
        assert whole.get(name, set()) == from_cli, name
        total += len(from_cli)
    expected = (project / "EXPECTED.txt").read_text(encoding="utf-8").splitlines()
    assert total == len(expected), "every finding of the example is compared"


def test_stdin_reports_what_check_file_reports(project: Path) -> None:
    for name in python_files(project):
        text = (project / name).read_text(encoding="utf-8")
        assert check(project, "-", "--stdin-filename", name, stdin=text) == check(project, name), name


def test_stdin_output_formats_match_check_file(project: Path) -> None:
    name = "shop/checkout.py" if project.name == "shop" else python_files(project)[-1]
    text = (project / name).read_text(encoding="utf-8")
    for fmt in ("text", "sarif", "github", "gitlab", "junit"):
        from_file = run(project, [str(SCRIPT), "check", "--format", fmt, "--show-source", name])
        from_stdin = run(
            project,
            [str(SCRIPT), "check", "--format", fmt, "--show-source", "-", "--stdin-filename", name],
            text,
        )
        assert (from_stdin.returncode, from_stdin.stdout) == (from_file.returncode, from_file.stdout), fmt


def test_flake8_finds_cross_module_findings_the_issue_named(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", shop, ignore=shutil.ignore_patterns(CACHE_DIR, "__pycache__"))
    found = flake8(shop, ".")
    codes = {(name, line, code) for name, items in found.items() for line, _, code, _ in items}
    # Issue 14: CL302 (an entity defined in another module), not CL301, and CL304.
    assert ("shop/domain/pricing.py", 12, "CL302") in codes
    assert ("shop/domain/pricing.py", 12, "CL301") not in codes
    assert ("shop/api/orders.py", 25, "CL304") in codes
    assert len(codes) == len((shop / "EXPECTED.txt").read_text(encoding="utf-8").splitlines())
    # flake8 on the one file, in a fresh process, knows the entity's definition too.
    alone = flake8(shop, "shop/domain/pricing.py")
    assert {(line, code) for line, _, code, _ in alone["shop/domain/pricing.py"]} == {(12, "CL302")}


# A dual write whose producer is a Celery task defined in another module.
TASKS = """\
from celery import shared_task


@shared_task
def notify(order_id):
    pass
"""
ORDERS = """\
from sqlalchemy.orm import Session

from app.tasks import notify


def place(session: Session, order):
    session.add(order)
    session.commit()
{tail}"""
PUBLISH = "    notify.delay(order.id)\n"


@pytest.fixture
def tasks_project(tmp_path: Path) -> Path:
    write(tmp_path / "consistency-lint.toml", "")
    write(tmp_path / "app" / "__init__.py", "")
    write(tmp_path / "app" / "tasks.py", TASKS)
    write(tmp_path / "app" / "orders.py", ORDERS.format(tail=""))  # on disk: no publish yet
    return tmp_path


def test_unsaved_buffer_in_project_context_through_flake8_and_stdin(tasks_project: Path) -> None:
    buffer = ORDERS.format(tail=PUBLISH)
    name = "app/orders.py"
    from_stdin = check(tasks_project, "-", "--stdin-filename", name, stdin=buffer)
    assert {(line, code) for line, _, code, _ in from_stdin[name]} == {(9, "CL101")}
    from_flake8 = flake8(tasks_project, "--stdin-display-name", name, "-", stdin=buffer)
    assert from_flake8 == from_stdin
    assert check(tasks_project, name) == {}  # the file on disk is untouched and clean


def test_unsaved_domain_buffer_sees_the_entity_defined_in_another_module(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", shop, ignore=shutil.ignore_patterns(CACHE_DIR, "__pycache__"))
    name = "shop/domain/pricing.py"
    buffer = "# an unsaved edit above the import\n" + (shop / name).read_text(encoding="utf-8")
    from_stdin = check(shop, "-", "--stdin-filename", name, stdin=buffer)
    # CL302 needs the adapters module (the entity's definition); alone it would be CL301.
    assert {(line, code) for line, _, code, _ in from_stdin[name]} == {(13, "CL302")}
    assert flake8(shop, "--stdin-display-name", name, "-", stdin=buffer) == from_stdin


def test_stdin_for_a_file_not_yet_on_disk(tasks_project: Path) -> None:
    buffer = ORDERS.format(tail=PUBLISH)
    found = check(tasks_project, "-", "--stdin-filename", "app/new_orders.py", stdin=buffer)
    assert {(line, code) for line, _, code, _ in found["app/new_orders.py"]} == {(9, "CL101")}
    # --stdin-filename alone also reads the standard input, as in ruff.
    assert check(tasks_project, "--stdin-filename", "app/new_orders.py", stdin=buffer) == found


def test_stdin_without_a_name_and_bad_combinations(tmp_path: Path) -> None:
    proc = run(tmp_path, [str(SCRIPT), "check", "-"], DUAL_WRITE)
    assert proc.returncode == 1
    assert proc.stdout.startswith("-:10:5: CL101 ")
    write(tmp_path / "other.py", "")
    line = assert_one_line_error(run(tmp_path, [str(SCRIPT), "check", "-", "other.py"], DUAL_WRITE))
    assert "standard input" in line
    line = assert_one_line_error(
        run(tmp_path, [str(SCRIPT), "check", "other.py", "--stdin-filename", "x.py"], DUAL_WRITE)
    )
    assert "--stdin-filename" in line


def test_stdin_uses_the_project_configuration_of_the_named_file(tmp_path: Path) -> None:
    write(tmp_path / "svc" / "consistency-lint.toml", 'per-file-ignores = { "legacy/*.py" = ["CL101"] }\n')
    assert check(tmp_path, "-", "--stdin-filename", "svc/legacy/orders.py", stdin=DUAL_WRITE) == {}
    found = check(tmp_path, "-", "--stdin-filename", "svc/app/orders.py", stdin=DUAL_WRITE)
    assert {code for _, _, code, _ in found["svc/app/orders.py"]} == {"CL101"}


def test_flake8_disable_noqa_in_a_project(tasks_project: Path) -> None:
    source = ORDERS.format(tail="    notify.delay(order.id)  # noqa: CL101\n")
    write(tasks_project / "app" / "orders.py", source)
    assert flake8(tasks_project, "app/orders.py") == {}
    found = flake8(tasks_project, "--disable-noqa", "app/orders.py")
    assert {(line, code) for line, _, code, _ in found["app/orders.py"]} == {(9, "CL101")}


def test_flake8_sees_a_file_edited_during_a_long_lived_process(tasks_project: Path) -> None:
    """In one process (an editor keeping flake8's plugin loaded), a buffer that changed is linted anew."""
    code = (
        "from consistency_lint.app.buffer import BufferLinter\n"
        "import sys\n"
        "linter = BufferLinter()\n"
        "clean = open('app/orders.py').read()\n"
        "print(len(linter.lint_as_check(clean, 'app/orders.py')))\n"
        "print(len(linter.lint_as_check(clean + sys.argv[1], 'app/orders.py')))\n"
        "print(len(linter.lint_as_check(clean, 'app/orders.py')))\n"
    )
    proc = run(tasks_project, [sys.executable, "-c", code, PUBLISH])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "1", "0"]
