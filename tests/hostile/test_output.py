"""Case 7: file names that are not UTF-8 in every format; output files written atomically."""

from __future__ import annotations

import json
import os
import sys
import xml.dom.minidom
from pathlib import Path

import jsonschema
import pytest

from consistency_lint.app import atomic
from consistency_lint.app.baseline import load_baseline, write_baseline
from consistency_lint.app.errors import UserError

from .conftest import GOOD, check, run

SCHEMA = Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json"
pytestmark = pytest.mark.skipif(
    sys.platform in ("darwin", "win32"), reason="these file systems want UTF-8 names"
)


@pytest.fixture
def bad_name(project: Path) -> Path:
    path = Path(os.fsdecode(bytes(project) + b"/bad\xff.py"))
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_every_format_reports_an_undecodable_name(project: Path, bad_name: Path) -> None:
    for fmt in ("text", "json", "sarif", "junit", "gitlab", "github"):
        proc = run(project, "check", "--no-cache", "--format", fmt, "--output", f"report.{fmt}")
        check(proc, 1, good="")
        raw = (project / f"report.{fmt}").read_bytes()
        text = raw.decode("utf-8")  # valid UTF-8 whatever the names
        if fmt in ("json", "gitlab", "sarif"):
            document = json.loads(text)
        if fmt in ("json", "gitlab"):  # the name as Python sees it, surrogate escape and all
            assert "bad\udcff.py" in json.dumps(document, ensure_ascii=False)
        if fmt == "sarif":
            jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
            uris = [
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in document["runs"][0]["results"]
            ]
            assert sorted(uris) == ["bad%FF.py", "good.py"]
        if fmt == "junit":
            xml.dom.minidom.parseString(raw)
            assert "bad\\udcff.py" in text
        if fmt in ("text", "github"):
            assert "bad\\udcff.py" in text and "good.py" in text
    proc = run(project, "check", "--no-cache")  # to standard output
    check(proc, 1)
    assert "bad\\udcff.py:10:5: CL101" in proc.stdout


def test_a_baseline_with_an_undecodable_name_round_trips(project: Path, bad_name: Path) -> None:
    proc = run(project, "check", "--no-cache", "--write-baseline", "baseline.json")
    check(proc, 0, good="")
    assert len(load_baseline(project / "baseline.json")) == 2
    proc = run(project, "check", "--no-cache", "--baseline", "baseline.json")
    check(proc, 0, good="")
    assert "No new findings in 2 files" in proc.stderr


def test_a_failed_write_keeps_the_old_baseline_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("the old baseline\n", encoding="utf-8")

    def replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(UserError, match="cannot write baseline"):
        write_baseline(path, [], str(tmp_path))
    assert path.read_text(encoding="utf-8") == "the old baseline\n"
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]  # no temporary file left


def test_a_report_that_cannot_be_written_leaves_no_partial_file(project: Path) -> None:
    (project / "out").mkdir()
    proc = run(project, "check", "--no-cache", "--output", "out")
    assert proc.returncode == 2 and "cannot write out" in proc.stderr and "Traceback" not in proc.stderr
    assert list((project / "out").iterdir()) == []
