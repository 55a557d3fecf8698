"""The wheel is complete: built, installed into a fresh venv, run from outside the repository."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.environment import clean_environment

REPO = Path(__file__).resolve().parents[2]

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


def _run(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in clean_environment().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    [wheel] = dist.glob("consistency_lint-*.whl")

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    install = _run([str(python), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    script = venv / "bin" / "consistency-lint"
    rules = _run([str(script), "rules"], cwd=outside)
    assert rules.returncode == 0, rules.stderr
    assert any(line.startswith("CL101 ") for line in rules.stdout.splitlines())

    (outside / "orders.py").write_text(DUAL_WRITE, encoding="utf-8")
    check = _run([str(script), "check", "orders.py"], cwd=outside)
    assert check.returncode == 1, check.stderr
    assert check.stdout.startswith("orders.py:10:5: CL101 ")

    where = _run(
        [
            str(python),
            "-c",
            "import consistency_lint; from consistency_lint.app.packs import builtin_pack_dir; "
            "print(consistency_lint.__file__); print(builtin_pack_dir())",
        ],
        cwd=outside,
    )
    assert where.returncode == 0, where.stderr
    package_file, pack_dir = (Path(line) for line in where.stdout.splitlines())
    site = venv.resolve()
    assert site in package_file.resolve().parents, "imported from the repository, not the wheel"
    assert site in pack_dir.resolve().parents
    assert "site-packages" in pack_dir.parts
    assert sorted(p.name for p in pack_dir.glob("*.toml")), "no packs in the wheel"
    assert (pack_dir / "sqlalchemy.toml").is_file()
