"""The pre-commit hook: file names in, whole project analysed, changed files reported.

The fast tests run the command pre-commit runs (`consistency-lint check FILES`);
the slow one runs the real `pre-commit try-repo` against this repository, which
clones it and pip-installs the package into a fresh environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consistency_lint.adapters.cli import cli
from tests.functional.clirunner import cli_runner

REPO = Path(__file__).resolve().parents[2]

BUS = """\
from kafka import KafkaProducer

producer = KafkaProducer()
"""

REPOSITORY = """\
from sqlalchemy.orm import Session


def save(session: Session, order):
    session.add(order)
    session.commit()
"""

# The publish is in the changed file; what it publishes with lives in an unchanged one.
SERVICE_SPLIT_PRODUCER = """\
from sqlalchemy.orm import Session

from shop.bus import producer


def place(session: Session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"x")
"""

# The publish is in the changed file; the commit in a helper of an unchanged one.
SERVICE_SPLIT_COMMIT = """\
from shop.bus import producer
from shop.repository import save


def place(session, order):
    save(session, order)
    producer.send("orders", b"x")
"""

SERVICE_CLEAN = """\
from sqlalchemy.orm import Session

from shop.bus import producer


def place(session: Session, order):
    producer.send("orders", b"x")
    session.add(order)
"""


def make_project(root: Path, service: str) -> Path:
    shop = root / "shop"
    shop.mkdir(parents=True, exist_ok=True)
    (root / "consistency-lint.toml").write_text("", encoding="utf-8")
    (shop / "__init__.py").write_text("", encoding="utf-8")
    (shop / "bus.py").write_text(BUS, encoding="utf-8")
    (shop / "repository.py").write_text(REPOSITORY, encoding="utf-8")
    (shop / "service.py").write_text(service, encoding="utf-8")
    return root


def check(root: Path, monkeypatch: pytest.MonkeyPatch, *files: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    result = cli_runner().invoke(cli, ["check", *files])
    return result.exit_code, result.stdout


def test_hook_definition() -> None:
    text = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for line in (
        "- id: consistency-lint",
        "entry: consistency-lint check",
        "language: python",
        "types: [python]",
        "require_serial: true",
    ):
        assert line in text


def test_named_file_is_reported_with_helpers_from_unchanged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(tmp_path, SERVICE_SPLIT_PRODUCER)
    code, out = check(tmp_path, monkeypatch, "shop/service.py")
    assert code == 1
    assert [line.split(" ", 2)[:2] for line in out.splitlines()] == [["shop/service.py:9:5:", "CL101"]]
    # Alone (no project around it) the producer is unknown: the project made the difference.
    (tmp_path / "consistency-lint.toml").unlink()
    assert check(tmp_path, monkeypatch, "shop/service.py") == (0, "")


def test_only_named_files_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, SERVICE_SPLIT_PRODUCER)
    assert check(tmp_path, monkeypatch, "shop/bus.py", "shop/repository.py") == (0, "")


def test_commit_in_unchanged_helper_is_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, SERVICE_SPLIT_COMMIT)
    code, out = check(tmp_path, monkeypatch, "shop/service.py")
    assert code == 1
    assert "shop/service.py:7:5: CL101" in out


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=git_env())


def git_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="consistency-lint tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="consistency-lint tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    env.update(extra)
    return env


def try_repo(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", "--color", "never"]
    command += [str(REPO), "consistency-lint"]
    return subprocess.run(
        [*command, *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env=git_env(PRE_COMMIT_HOME=str(home)),
    )


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("try-repo needs this checkout to be a git repository")
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml"],
        cwd=REPO,
        capture_output=True,
        env=git_env(),
    )
    assert tracked.returncode == 0, "commit .pre-commit-hooks.yaml: try-repo clones the repository"
    home = tmp_path / "home"
    home.mkdir()
    project = make_project(tmp_path / "project", SERVICE_SPLIT_PRODUCER)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "initial")

    # Each try-repo clones this repository and installs it afresh (~15 s), so two runs only.
    # Only the changed file is passed; its dual write needs the unchanged bus module.
    result = try_repo(project, home, "--files", "shop/service.py")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "consistency-lint" in output and "Failed" in output
    assert "shop/service.py:9:5: CL101" in output

    (project / "shop" / "service.py").write_text(SERVICE_CLEAN, encoding="utf-8")
    git(project, "commit", "-q", "-am", "publish before the write")
    result = try_repo(project, home, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Passed" in output
    assert "CL101" not in output
