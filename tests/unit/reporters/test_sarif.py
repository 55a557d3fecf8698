"""SARIF output: validates against the 2.1.0 schema and carries what GitHub needs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from consistency_lint import lint_source
from consistency_lint.adapters.docs_site import rule_url
from consistency_lint.adapters.reporters import ReportContext
from consistency_lint.adapters.reporters.sarif import render_sarif
from consistency_lint.checks import CATALOGUE
from tests.unit.reporters.sample import SAMPLE, context

# A copy of the OASIS schema (errata01), so the test runs offline and in CI.
SCHEMA_PATH = Path(__file__).parents[2] / "schemas" / "sarif-schema-2.1.0.json"
SHARED_SCHEMA = Path(__file__).parents[3] / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_schema_copy_is_the_shared_one() -> None:
    if not SHARED_SCHEMA.is_file():
        pytest.skip("no ../shared/schemas next to this checkout")
    assert _schema() == json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))


def validate(document: dict[str, Any]) -> None:
    """Draft-04 validation, offline: the schema's `$ref`s are all internal."""
    schema = _schema()
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def sarif(diagnostics: list[Any], ctx: ReportContext | None = None) -> dict[str, Any]:
    stream = io.StringIO()
    render_sarif(diagnostics, stream, ctx or context())
    return json.loads(stream.getvalue())


def test_sample_validates_against_the_schema() -> None:
    validate(sarif(SAMPLE))


def test_empty_run_validates() -> None:
    document = sarif([])
    validate(document)
    assert document["runs"][0]["results"] == []


def test_schema_rejects_a_broken_document() -> None:
    # The validator is really validating: a result without a message is refused.
    document = sarif(SAMPLE)
    del document["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError):
        validate(document)


def test_driver_and_rules() -> None:
    run = sarif(SAMPLE)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "consistency-lint"
    assert driver["version"] and driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == list(CATALOGUE)
    for rule in driver["rules"]:
        meta = CATALOGUE[rule["id"]]
        assert rule["name"] == meta.name
        assert rule["shortDescription"]["text"] == meta.summary
        assert rule["fullDescription"]["text"]
        assert "## Why is this bad?" in rule["help"]["text"]
        assert rule["help"]["markdown"].startswith(f"# {meta.code}")
        assert rule["helpUri"] == rule_url(meta.code)
        assert rule["helpUri"].startswith("https://") and rule["helpUri"].endswith(f"/rules/{meta.code}/")
        assert rule["defaultConfiguration"]["level"] == meta.severity.value
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_locations_are_relative_to_the_repository_root() -> None:
    # The sample project lives in services/api of the repository /repo.
    run = sarif(SAMPLE)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///repo/"
    first = run["results"][0]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "services/api/shop/orders.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 10, "startColumn": 5, "endLine": 10, "endColumn": 45}
    related = first["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "services/api/shop/orders.py"
    assert related["physicalLocation"]["region"]["startLine"] == 9
    assert related["message"]["text"] == "the transaction commits here"
    # Shown paths are relative to the current directory; SARIF's to the repository root.
    ctx = ReportContext(
        CATALOGUE, 1, root="/repo/services/api", cwd="/repo/services/api/shop", repo_root="/repo"
    )
    moved = [SAMPLE[0].with_path("orders.py")]
    uri = sarif(moved, ctx)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "services/api/shop/orders.py"


def test_baseline_fingerprint_stays_project_relative() -> None:
    # `consistencyLint/v1` is what --write-baseline records: relative to the project root,
    # so moving the project inside the repository does not change it.
    in_repo = sarif(SAMPLE)["runs"][0]["results"]
    alone = ReportContext(CATALOGUE, 1, root="/repo/services/api", cwd="/repo/services/api", repo_root="")
    outside = sarif(SAMPLE, alone)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in in_repo] == [r["partialFingerprints"] for r in outside]


def test_repository_root_is_found_by_walking_up(tmp_path: Path) -> None:
    from consistency_lint.adapters.reporters import repository_root

    project = tmp_path / "repo" / "services" / "api"
    project.mkdir(parents=True)
    assert repository_root(str(project)) == str(project)  # no .git above: the project root
    (tmp_path / "repo" / ".git").mkdir()
    assert repository_root(str(project)) == str(tmp_path / "repo")
    # A worktree or submodule has a `.git` file; the nearest one is the top level.
    (project / ".git").write_text("gitdir: /elsewhere\n", encoding="utf-8")
    assert repository_root(str(project)) == str(project)
    ctx = ReportContext(CATALOGUE, 1, root=str(tmp_path / "repo" / "services"), cwd=str(tmp_path))
    assert ctx.repo_root == str(tmp_path / "repo")


SOURCE = """\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place_order(session: Session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"OrderPlaced")
"""


def _fingerprints(source: str) -> list[dict[str, str]]:
    diagnostics = lint_source(source, "shop/orders.py")
    assert diagnostics, "the sample must produce findings"
    ctx = ReportContext(CATALOGUE, 1, root="/project", cwd="/project")
    document = sarif([_with_line(d, source) for d in diagnostics], ctx)
    validate(document)
    return [r["partialFingerprints"] for r in document["runs"][0]["results"]]


def _with_line(d: Any, source: str) -> Any:
    from dataclasses import replace

    return replace(d, source_line=source.splitlines()[d.line - 1])


def test_fingerprints_survive_line_shifts() -> None:
    before = _fingerprints(SOURCE)
    shifted = SOURCE.replace("producer = KafkaProducer()\n", "import os\n\n\nproducer = KafkaProducer()\n")
    assert _fingerprints(shifted) == before
    assert before[0]["primaryLocationLineHash"].endswith(":1")


def test_identical_findings_get_distinct_fingerprints() -> None:
    twice = SOURCE + '    producer.send("orders", b"OrderPlaced")\n'
    prints = _fingerprints(twice)
    assert len(prints) == 2
    assert (
        prints[0]["primaryLocationLineHash"].split(":")[0]
        == prints[1]["primaryLocationLineHash"].split(":")[0]
    )
    assert prints[0] != prints[1]
    assert prints[1]["primaryLocationLineHash"].endswith(":2")
