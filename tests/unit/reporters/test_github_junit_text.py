"""GitHub annotations escaping, JUnit structure, text --show-source carets."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace

from consistency_lint.adapters.reporters import ReportContext
from consistency_lint.adapters.reporters.github import (
    annotation,
    escape_data,
    escape_property,
    render_github,
)
from consistency_lint.adapters.reporters.junit import render_junit
from consistency_lint.adapters.reporters.text import caret_line, render_text
from consistency_lint.checks import CATALOGUE
from tests.unit.reporters.sample import SAMPLE, context


def test_escape_data_and_properties() -> None:
    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    # `%` first: an escape is never escaped twice.
    assert escape_data("%0A") == "%250A"


def _unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def test_annotation_round_trips_through_the_runner_syntax() -> None:
    d = SAMPLE[1]
    line = annotation(d)
    assert line.startswith("::error file=")
    head, message = line[2:].split("::", 1)
    command, props = head.split(" ", 1)
    assert command == "error"
    fields = dict(item.split("=", 1) for item in props.split(","))
    assert _unescape(fields["file"]) == d.path
    assert (fields["line"], fields["col"], fields["endLine"], fields["endColumn"]) == ("3", "1", "4", "2")
    assert fields["title"].startswith("CL101")
    assert "\n" not in line and _unescape(message) == f"CL101 {d.message}"


def test_warnings_and_summary_line() -> None:
    stream = io.StringIO()
    render_github(SAMPLE, stream, context())
    lines = stream.getvalue().splitlines()
    assert sum(line.startswith("::warning ") for line in lines) == 1
    assert sum(line.startswith("::error ") for line in lines) == 3
    assert "at most 10 error and 10 warning annotations" in lines[-1]
    assert lines[-1].startswith("::notice ") and "sarif" in lines[-1]


def test_summary_counts_hidden_annotations() -> None:
    many = [replace(SAMPLE[0], line=n) for n in range(1, 14)]
    stream = io.StringIO()
    render_github(many, stream, context())
    assert "3 of them are not shown" in stream.getvalue().splitlines()[-1]


def test_github_paths_follow_github_workspace() -> None:
    def files(environ: dict[str, str]) -> list[str]:
        ctx = ReportContext(
            CATALOGUE,
            1,
            root="/repo/services/api",
            cwd="/repo/services/api",
            repo_root="/repo",
            environ=environ,
        )
        stream = io.StringIO()
        render_github(SAMPLE[:1], stream, ctx)
        line = stream.getvalue().splitlines()[0]
        return [_unescape(line.split("file=", 1)[1].split(",", 1)[0])]

    # A monorepo project: the runner resolves annotations against the checkout.
    assert files({}) == ["services/api/shop/orders.py"]
    assert files({"GITHUB_WORKSPACE": "/repo"}) == ["services/api/shop/orders.py"]
    assert files({"GITHUB_WORKSPACE": "/repo/services"}) == ["api/shop/orders.py"]


def test_junit_parses_with_one_case_per_file() -> None:
    stream = io.StringIO()
    render_junit(SAMPLE, stream, context())
    root = ET.fromstring(stream.getvalue())
    suite = root.find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert sorted(cases) == ["broken.py", "clean.py", "shop/orders.py", "shop/weird, name:1.py"]
    assert cases["clean.py"].find("failure") is None
    assert len(cases["shop/orders.py"].findall("failure")) == 2
    assert len((cases["shop/orders.py"].findtext("system-out") or "").splitlines()) == 2
    assert cases["clean.py"].find("system-out") is None
    assert suite.get("tests") == "4" and suite.get("failures") == "3"
    broken = cases["broken.py"].find("failure")
    assert broken is not None and "\x01" not in (broken.get("message") or "")
    assert broken.get("type", "").startswith("CL001")


def test_junit_without_file_list_still_lists_failing_files() -> None:
    ctx = context()
    ctx.files = ()
    stream = io.StringIO()
    render_junit(SAMPLE[:1], stream, ctx)
    root = ET.fromstring(stream.getvalue())
    assert [c.get("name") for c in root.iter("testcase")] == ["shop/orders.py"]


def test_caret_line() -> None:
    assert caret_line("    x = f(y)", 9, 1, 1, 13) == "        ^^^^"
    assert caret_line("\tfoo()", 2, 1, 1, 7) == "\t^^^^^"
    # A span running to later lines is underlined to the end of this one.
    assert caret_line("call(", 1, 3, 1, 2) == "^^^^^"
    # Columns past the end (a syntax error at end of line): one caret.
    assert caret_line("x = (", 7, 1, 1, 7) == "      ^"


def test_show_source_only_when_asked() -> None:
    plain, shown = io.StringIO(), io.StringIO()
    render_text(SAMPLE, plain, context())
    render_text(SAMPLE, shown, context(show_source=True))
    assert len(plain.getvalue().splitlines()) == len(SAMPLE)
    assert len(shown.getvalue().splitlines()) == 3 * len(SAMPLE)


def test_gitlab_code_quality() -> None:
    import json

    from consistency_lint.adapters.reporters.gitlab import render_gitlab

    stream = io.StringIO()
    render_gitlab(SAMPLE, stream, context())
    issues = json.loads(stream.getvalue())
    assert len(issues) == len(SAMPLE)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue, d in zip(issues, SAMPLE):
        assert issue["check_name"].startswith(d.code)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["lines"]["begin"] == d.line
        # The sample is a monorepo project in services/api: paths are repository-relative.
        assert issue["location"]["path"] == f"services/api/{d.path}"


def _gitlab_paths(ctx: ReportContext) -> list[str]:
    import json

    from consistency_lint.adapters.reporters.gitlab import render_gitlab

    stream = io.StringIO()
    render_gitlab(SAMPLE[:1], stream, ctx)
    return [issue["location"]["path"] for issue in json.loads(stream.getvalue())]


def test_gitlab_paths_follow_ci_project_dir() -> None:
    def ctx(environ: dict[str, str], cwd: str = "/repo/services/api") -> ReportContext:
        return ReportContext(
            CATALOGUE, 1, root="/repo/services/api", cwd=cwd, repo_root="/repo", environ=environ
        )

    assert _gitlab_paths(ctx({})) == ["services/api/shop/orders.py"]
    # In a GitLab job CI_PROJECT_DIR is the checkout; it wins over the git top level.
    assert _gitlab_paths(ctx({"CI_PROJECT_DIR": "/repo"})) == ["services/api/shop/orders.py"]
    assert _gitlab_paths(ctx({"CI_PROJECT_DIR": "/repo/services"})) == ["api/shop/orders.py"]
    assert _gitlab_paths(ctx({"CI_PROJECT_DIR": ""})) == ["services/api/shop/orders.py"]
    # Shown paths are relative to the current directory, never to CI_PROJECT_DIR.
    moved = ctx({"CI_PROJECT_DIR": "/repo"}, cwd="/repo/services/api/shop")
    stream = io.StringIO()
    from consistency_lint.adapters.reporters.gitlab import render_gitlab

    render_gitlab([SAMPLE[0].with_path("orders.py")], stream, moved)
    assert '"path": "services/api/shop/orders.py"' in stream.getvalue()
