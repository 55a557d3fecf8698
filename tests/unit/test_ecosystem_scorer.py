"""The ecosystem scorer's pure parts: label validation, matching, scoring, comparison, sampling.

Synthetic data only: nothing is downloaded and no CLI is run.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ECOSYSTEM = Path(__file__).resolve().parents[2] / "benchmarks" / "ecosystem"


def _load(name: str, file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ECOSYSTEM / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


run = _load("ecosystem_run", "run.py")
corpus = _load("ecosystem_corpus", "corpus.py")


def site(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "path": "app/services.py",
        "line": 10,
        "family": "dual",
        "verdict": "must-flag",
        "why": "publish after commit",
    }
    base.update(overrides)
    return base


def labels(*sites: dict[str, object]) -> list[object]:
    return list(run.parse_labels({"site": list(sites)}, "demo/labels.toml"))


F = run.Finding


# -- label validation ------------------------------------------------------------------------------


def test_a_valid_label_gets_end_line_from_line() -> None:
    (label,) = labels(site(rule="CL101"))
    assert (label.line, label.end_line, label.rule) == (10, 10, "CL101")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"verdict": "maybe"}, "verdict 'maybe' is not one of"),
        ({"family": "dualwrite"}, "family 'dualwrite'"),
        ({"lines": 3}, "unknown key(s) lines"),
        ({"line": 0}, "'line' must be a positive integer"),
        ({"line": "10"}, "'line' must be a positive integer"),
        ({"end_line": 9}, "'end_line' must be an integer >= line"),
        ({"rule": "CL201"}, "rule CL201 is not in family dual"),
        ({"rule": "E501"}, "'rule' must be a code like CL101"),
        ({"path": "/abs/x.py"}, "relative POSIX path"),
        ({"why": "  "}, "'why' must say"),
    ],
)
def test_bad_labels_are_named_with_file_and_entry(override: dict[str, object], message: str) -> None:
    with pytest.raises(run.LabelError) as caught:
        labels(site(), site(**{"line": 20, **override}))
    assert str(caught.value).startswith("demo/labels.toml: site #2")
    assert message in str(caught.value)


def test_missing_keys_and_unknown_top_level_keys_are_errors() -> None:
    bad = site()
    del bad["why"]
    with pytest.raises(run.LabelError, match="missing why"):
        labels(bad)
    with pytest.raises(run.LabelError, match="unknown top-level key"):
        run.parse_labels({"sites": []}, "demo/labels.toml")


def test_a_duplicate_label_is_an_error() -> None:
    with pytest.raises(run.LabelError, match="second label"):
        labels(site(), site(verdict="either"))


# -- matching and scoring --------------------------------------------------------------------------


def test_family_of_codes() -> None:
    assert [run.family_of(c) for c in ("CL101", "CL204", "CL303", "CL001", "E501")] == [
        "dual",
        "tenant",
        "layer",
        None,
        None,
    ]


def test_match_needs_same_path_line_in_range_and_same_family() -> None:
    (label,) = labels(site(line=10, end_line=12))
    assert run.matches(label, F("app/services.py", 12, "CL102", "m"))
    assert not run.matches(label, F("app/services.py", 13, "CL102", "m"))
    assert not run.matches(label, F("app/services.py", 9, "CL102", "m"))
    assert not run.matches(label, F("app/other.py", 10, "CL102", "m"))
    assert not run.matches(label, F("app/services.py", 10, "CL201", "m"))


def test_score_counts_recall_violations_either_and_unlabelled() -> None:
    given = labels(
        site(line=10),  # hit
        site(line=20),  # missed
        site(line=30, verdict="must-not-flag"),  # violated
        site(line=40, verdict="must-not-flag"),  # respected
        site(line=50, verdict="either"),  # hit
        site(line=60, family="tenant"),  # another family: not counted here
    )
    findings = [
        F("app/services.py", 10, "CL101", "a"),
        F("app/services.py", 10, "CL103", "two findings on one label count once"),
        F("app/services.py", 30, "CL102", "b"),
        F("app/services.py", 50, "CL101", "c"),
        F("app/services.py", 70, "CL101", "unlabelled"),
        F("app/services.py", 60, "CL201", "tenant finding"),
        F("app/services.py", 1, "CL001", "syntax error: no family"),
    ]
    result, pool = run.score(given, findings, "dual")
    assert (result.findings, result.flag_hits, result.flag_total) == (5, 1, 2)
    assert (result.not_violations, result.not_total) == (1, 2)
    assert (result.either_hit, result.either_total) == (1, 1)
    assert [f.line for f in pool] == [70]
    assert result.unlabelled == 1
    assert [lab.line for lab in result.missed] == [20]
    assert [lab.line for lab, _ in result.violated] == [30]


def test_totals_add_up() -> None:
    a, _ = run.score(labels(site()), [F("app/services.py", 10, "CL101", "x")], "dual")
    b, _ = run.score(labels(site()), [], "dual")
    total = run.Score()
    total.add(a)
    total.add(b)
    assert (total.findings, total.flag_hits, total.flag_total, len(total.missed)) == (1, 1, 2, 1)


# -- comparison and sampling -----------------------------------------------------------------------


def test_compare_ignores_moved_lines_but_sees_new_and_gone_findings() -> None:
    old = {
        "a": [
            F("x.py", 10, "CL101", "publish after the commit at line 8"),
            F("x.py", 30, "CL102", "inside transaction"),
            F("x.py", 40, "CL102", "inside transaction"),
        ],
        "only-old": [F("y.py", 1, "CL101", "m")],
    }
    new = {
        "a": [
            F("x.py", 15, "CL101", "publish after the commit at line 13"),  # moved: same finding
            F("x.py", 33, "CL102", "inside transaction"),  # one of the two is left
            F("x.py", 50, "CL103", "new"),
        ],
        "only-new": [F("z.py", 1, "CL101", "m")],
    }
    appeared, gone = run.compare(old, new)
    assert [(app, f.code, f.line) for app, f in appeared] == [("a", "CL103", 50)]
    assert [(app, f.code, f.line) for app, f in gone] == [("a", "CL102", 40)]


def test_comparison_key_strips_line_numbers() -> None:
    one = run.comparison_key("a", F("x.py", 3, "CL101", "after commit (x.py:12:4) on line 12"))
    two = run.comparison_key("a", F("x.py", 9, "CL101", "after commit (x.py:19:4) on line 19"))
    assert one == two


def test_sample_is_reproducible_and_bounded() -> None:
    pool = [F("x.py", n, "CL101", "m") for n in range(1, 30)]
    first = run.sample(pool, 5, 3, "app")
    assert first == run.sample(list(reversed(pool)), 5, 3, "app")
    assert len(first) == 5 and first == sorted(first, key=lambda f: f.line)
    assert run.sample(pool[:3], 5, 3, "app") == pool[:3]


def test_pooled_sample_draws_across_apps_reproducibly() -> None:
    pools = {
        "big": [F("b.py", n, "CL101", "m") for n in range(1, 41)],
        "small": [F("s.py", n, "CL101", "m") for n in range(1, 4)],
    }
    first = run.pooled_sample(pools, 10, 1)
    assert len(first) == 10 and len(set(first)) == 10
    assert first == run.pooled_sample(dict(reversed(list(pools.items()))), 10, 1)
    assert {app for app, _ in run.pooled_sample(pools, 43, 1)} == {"big", "small"}
    assert run.pooled_sample({"a": pools["small"]}, 10, 1) == [("a", f) for f in pools["small"]]


def test_rescore_reads_back_what_a_snapshot_stored(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    finding = {"path": "x.py", "line": 3, "code": "CL101", "message": "m"}
    entry = {"seconds": 1.5, "exit_code": 1, "crashes": [], "findings": [finding]}
    snap.write_text(json.dumps({"apps": {"demo": entry}}))
    runs = run._load_runs(snap)
    assert runs["demo"].findings == [F("x.py", 3, "CL101", "m")] and runs["demo"].seconds == 1.5
    snap.write_text("{}")
    with pytest.raises(run.LabelError, match="not a snapshot"):
        run._load_runs(snap)


def test_parse_report_and_crash_signs() -> None:
    report = (
        '{"version": "1", "diagnostics": [{"code": "CL001", "path": "a.py", "line": 2, "message": "bad"}]}'
    )
    findings = run.parse_report(report)
    assert findings == [F("a.py", 2, "CL001", "bad")]
    signs = run.crash_signs(2, "Traceback (most recent call last):\nBoom", findings)
    assert signs == ["exit 2: Boom", "traceback on stderr", "CL001 a.py:2"]
    assert run.crash_signs(1, "3 findings", []) == []


# -- app descriptions ------------------------------------------------------------------------------


def test_app_toml_is_validated(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    ok = corpus.parse_app({"name": "demo", "source": "pypi:demo==1.0", "families": ["dual"]}, folder)
    assert (ok.root, ok.families) == ("", ("dual",))
    github = {"name": "demo", "source": "github:o/r@" + "a" * 40, "root": "server/"}
    assert corpus.parse_app(github, folder).root == "server"
    for bad, message in [
        ({"name": "demo", "source": "pypi:demo"}, "neither"),
        ({"name": "demo", "source": "github:o/r@main"}, "neither"),
        ({"name": "other", "source": "pypi:demo==1"}, "differs from its folder"),
        ({"name": "demo", "source": "pypi:demo==1", "root": "../x"}, "'root'"),
        ({"name": "demo", "source": "pypi:demo==1", "tenants": 1}, "unknown key"),
        ({"name": "demo", "source": "pypi:demo==1", "families": ["x"]}, "'families'"),
    ]:
        with pytest.raises(corpus.CorpusError, match=message):
            corpus.parse_app(bad, folder)


def test_mirror_search_order_starts_with_the_environment() -> None:
    found = corpus.mirror_candidates("o", "r", {"ECOSYSTEM_MIRRORS": "/m1"})
    assert found[0] == Path("/m1/o+r")
    assert corpus.LOCAL_MIRRORS / "o+r" in found


def test_every_committed_app_and_label_file_is_valid() -> None:
    for app in corpus.load_apps():
        assert (app.folder / "consistency-lint.toml").is_file(), app.name
        run.load_labels(app.folder)


def test_a_hit_with_another_rule_than_the_label_expects_is_counted() -> None:
    given = labels(site(line=10, rule="CL101"), site(line=20, rule="CL103", verdict="either"), site(line=30))
    findings = [
        F("app/services.py", 10, "CL102", "right family, other rule"),
        F("app/services.py", 20, "CL103", "the expected rule"),
        F("app/services.py", 30, "CL101", "no rule expected"),
    ]
    result, _ = run.score(given, findings, "dual")
    assert (result.flag_hits, result.either_hit, result.wrong_rule) == (2, 1, 1)


def test_stale_labels_name_missing_files_and_lines_past_the_end(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "services.py").write_text("a\nb\nc\n")
    given = labels(site(line=3), site(line=4), site(path="app/gone.py", line=1))
    assert run.stale_labels(given, tmp_path) == [
        "app/services.py:4: past the end of the file (3 lines)",
        "app/gone.py:1: no such file in the unpacked source",
    ]
