"""`--output-format FMT[:FILE]` parsing and planning, and when the text report is coloured."""

from __future__ import annotations

import io
from pathlib import Path

import click
import pytest

from consistency_lint.adapters.output_specs import OutputFormat, OutputSpec, colour_wanted, plan_outputs
from consistency_lint.app.errors import UserError

FORMAT = OutputFormat(["text", "json", "sarif"])


def test_format_alone_and_with_a_file() -> None:
    assert FORMAT.convert("json", None, None) == OutputSpec("json", None)
    assert FORMAT.convert("sarif:out/a.sarif", None, None) == OutputSpec("sarif", Path("out/a.sarif"), True)
    assert FORMAT.convert("text:-", None, None) == OutputSpec("text", None, True)
    # Only the first colon separates: a Windows drive letter stays in the file name.
    assert FORMAT.convert("json:C:/r.json", None, None).path == Path("C:/r.json")


@pytest.mark.parametrize(
    ("value", "message"), [("jsn", "did you mean 'json'"), ("json:", "missing"), ("", "unknown format")]
)
def test_bad_formats(value: str, message: str) -> None:
    with pytest.raises(click.BadParameter, match=message):
        FORMAT.convert(value, None, None)


def test_plan_defaults_to_text_on_stdout_and_sends_plain_formats_to_output() -> None:
    assert plan_outputs((), None) == [OutputSpec("text", None)]
    plan = plan_outputs((OutputSpec("json", None), OutputSpec("text", None, True)), Path("r.json"))
    assert [(s.format, s.path) for s in plan] == [("json", Path("r.json")), ("text", None)]


def test_plan_refuses_two_outputs_to_one_place() -> None:
    with pytest.raises(UserError, match="standard output"):
        plan_outputs((OutputSpec("json", None), OutputSpec("text", None)), None)
    with pytest.raises(UserError, match=r"r\.json"):
        plan_outputs(
            (OutputSpec("json", Path("r.json"), True), OutputSpec("sarif", Path("./r.json"), True)), None
        )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_wanted() -> None:
    assert colour_wanted("auto", Terminal(), {})
    assert not colour_wanted("auto", io.StringIO(), {})
    assert not colour_wanted("auto", Terminal(), {"NO_COLOR": "1"})
    assert colour_wanted("auto", Terminal(), {"NO_COLOR": ""})
    assert not colour_wanted("auto", Terminal(), {"TERM": "dumb"})
    assert colour_wanted("always", io.StringIO(), {"NO_COLOR": "1"})
    assert not colour_wanted("never", Terminal(), {})
