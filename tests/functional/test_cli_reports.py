"""The real CLI: report formats, --output, --statistics, --show-source and baselines."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.environment import clean_environment
from tests.unit.reporters.test_sarif import validate

ORDERS = textwrap.dedent(
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


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = clean_environment(**(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "consistency_lint", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "consistency-lint.toml").write_text('extend-select = ["CL002"]\n', encoding="utf-8")
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "__init__.py").write_text("", encoding="utf-8")
    (shop / "orders.py").write_text(ORDERS, encoding="utf-8")
    (shop / "clean.py").write_text("def f(x):\n    return x  # noqa: CL101\n", encoding="utf-8")
    return tmp_path


def test_sarif_to_output_file_validates(project: Path) -> None:
    proc = run(project, "--format", "sarif", "--output", "report.sarif")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    document = json.loads((project / "report.sarif").read_text(encoding="utf-8"))
    validate(document)
    run_ = document["runs"][0]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"])
    assert uris == ["shop/clean.py", "shop/orders.py"]
    cl101 = next(r for r in run_["results"] if r["ruleId"] == "CL101")
    assert cl101["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 9
    assert cl101["locations"][0]["physicalLocation"]["region"]["startLine"] == 10


def test_sarif_uris_do_not_depend_on_the_current_directory(project: Path) -> None:
    from_root = json.loads(run(project, "--format", "sarif").stdout)
    from_sub = json.loads(run(project / "shop", "--format", "sarif", ".").stdout)

    def key(document: dict) -> list:
        return sorted(
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["partialFingerprints"]["consistencyLint/v1"],
            )
            for r in document["runs"][0]["results"]
        )

    assert key(from_root) == key(from_sub)


def test_junit_and_github(project: Path) -> None:
    junit = run(project, "--format", "junit")
    assert junit.returncode == 1
    cases = {c.get("name"): c for c in ET.fromstring(junit.stdout).iter("testcase")}
    assert set(cases) == {"shop/__init__.py", "shop/clean.py", "shop/orders.py"}
    assert cases["shop/__init__.py"].find("failure") is None
    assert len(cases["shop/orders.py"].findall("failure")) == 1
    github = run(project, "--format", "github")
    lines = github.stdout.splitlines()
    assert any(line.startswith("::error file=shop/orders.py,line=10,col=5,") for line in lines)
    assert any(line.startswith("::warning file=shop/clean.py,line=2,") for line in lines)
    assert lines[-1].startswith("::notice ") and "sarif" in lines[-1]


def test_statistics_and_show_source(project: Path) -> None:
    text = run(project, "--statistics", "--show-source")
    out = text.stdout.splitlines()
    assert out[0].startswith("shop/clean.py:2:15: CL002 ")
    assert out[1] == "    return x  # noqa: CL101"
    assert out[2] == " " * 14 + "^" * 13
    assert [line.split()[:2] for line in out[-2:]] == [["1", "CL002"], ["1", "CL101"]]
    as_json = run(project, "--format", "json", "--statistics")
    assert json.loads(as_json.stdout)["summary"]["total"] == 2  # statistics do not spoil the JSON
    assert "CL101" in as_json.stderr


def test_output_to_a_missing_folder_is_a_usage_error(project: Path) -> None:
    proc = run(project, "--output", "missing/dir/report.txt")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("consistency-lint: error: cannot write")


def test_baseline_round_trip(project: Path) -> None:
    write = run(project, "--write-baseline", "baseline.json")
    assert write.returncode == 0, write.stderr
    assert write.stdout == ""
    assert "Recorded 2 findings" in write.stderr
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in data["findings"]] == ["CL002", "CL101"]

    again = run(project, "--baseline", "baseline.json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == ""
    assert "No new findings" in again.stderr and "2 findings in the baseline" in again.stderr

    # Lines inserted above move every finding; a second identical publish is new.
    orders = project / "shop" / "orders.py"
    edited = ORDERS.replace("producer = KafkaProducer()\n", "import os\n\n\nproducer = KafkaProducer()\n")
    edited += '    producer.send("orders", b"OrderPlaced")\n'
    orders.write_text(edited, encoding="utf-8")
    after = run(project, "--baseline", "baseline.json")
    assert after.returncode == 1
    assert after.stdout.splitlines() == [
        line for line in after.stdout.splitlines() if line.startswith("shop/orders.py:14:")
    ]
    assert len(after.stdout.splitlines()) == 1
    assert "Found 1 new finding" in after.stderr

    # The baseline also works for SARIF and from a subfolder.
    sarif = run(project / "shop", "--baseline", "../baseline.json", "--format", "sarif", ".")
    assert len(json.loads(sarif.stdout)["runs"][0]["results"]) == 1


def test_bad_baseline_is_a_usage_error(project: Path) -> None:
    (project / "baseline.json").write_text("{oops", encoding="utf-8")
    proc = run(project, "--baseline", "baseline.json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "baseline.json:1:2: baseline is not valid JSON" in lines[0]
    missing = run(project, "--baseline", "nope.json")
    assert missing.returncode == 2 and "baseline file not found" in missing.stderr


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A real git repository whose Python project lives in services/api."""
    repo = tmp_path / "repo"
    api = repo / "services" / "api"
    (api / "shop").mkdir(parents=True)
    (api / "pyproject.toml").write_text("[tool.consistency-lint]\n", encoding="utf-8")
    (api / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (api / "shop" / "orders.py").write_text(ORDERS, encoding="utf-8")
    (repo / "web").mkdir()
    (repo / "web" / "index.js").write_text("// not Python\n", encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True, timeout=60)
    subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True, timeout=60)
    subprocess.run([*git, "-C", str(repo), "commit", "-q", "-m", "init"], check=True, timeout=60)
    return repo


def _git_toplevel(repo: Path) -> Path:
    out = subprocess.run(
        ["git", "-C", str(repo / "services" / "api"), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return Path(out.stdout.strip())


def _sarif_locations(document: dict) -> list[str]:
    uris = []
    for result in document["runs"][0]["results"]:
        for location in result["locations"] + result.get("relatedLocations", []):
            artifact = location["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "%SRCROOT%"
            uris.append(artifact["uri"])
    return uris


@pytest.mark.parametrize("where", ["repository root", "project folder"])
def test_sarif_in_a_monorepo_is_relative_to_the_git_top_level(monorepo: Path, where: str) -> None:
    api = monorepo / "services" / "api"
    cwd, args = (monorepo, ["services/api"]) if where == "repository root" else (api, [])
    proc = run(cwd, *args, "--format", "sarif", "--output", str(monorepo.parent / "out.sarif"))
    assert proc.returncode == 1, proc.stderr
    document = json.loads((monorepo.parent / "out.sarif").read_text(encoding="utf-8"))
    validate(document)
    base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    # %SRCROOT% is what `git rev-parse --show-toplevel` says, and every URI resolves
    # from it to a file git tracks, as GitHub code scanning maps them.
    assert base == _git_toplevel(monorepo).as_uri() + "/"
    uris = _sarif_locations(document)
    assert uris and set(uris) == {"services/api/shop/orders.py"}
    tracked = subprocess.run(
        ["git", "-C", str(monorepo), "ls-files"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert set(uris) <= set(tracked)


def test_gitlab_in_a_monorepo_follows_ci_project_dir(monorepo: Path) -> None:
    plain = run(monorepo, "services/api", "--format", "gitlab")
    assert plain.returncode == 1, plain.stderr
    assert [i["location"]["path"] for i in json.loads(plain.stdout)] == ["services/api/shop/orders.py"]
    in_job = run(
        monorepo / "services",
        "api",
        "--format",
        "gitlab",
        env={"CI_PROJECT_DIR": str(monorepo / "services")},
    )
    assert [i["location"]["path"] for i in json.loads(in_job.stdout)] == ["api/shop/orders.py"]
    # The fingerprint does not depend on where the paths are shown from.
    assert [i["fingerprint"] for i in json.loads(plain.stdout)] == [
        i["fingerprint"] for i in json.loads(in_job.stdout)
    ]


def test_sarif_without_git_is_relative_to_the_project_root(project: Path) -> None:
    document = json.loads(run(project, "--format", "sarif").stdout)
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    assert set(_sarif_locations(document)) == {"shop/clean.py", "shop/orders.py"}
