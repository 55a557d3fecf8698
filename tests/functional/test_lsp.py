"""The language server, in a real LSP session with `consistency-lint server` over stdio."""

from __future__ import annotations

import os
import queue
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from consistency_lint.adapters.docs_site import rule_url
from tests.functional.lspclient import LspClient

DUAL_WRITE = """\
from kafka import KafkaProducer
from sqlalchemy.orm import Session

producer = KafkaProducer()


def place(session: Session, order):
    session.add(order)
    session.commit()
    producer.send("orders", b"x")


def tagged(session: Session, order):
    session.commit()
    producer.send("orders", b"y")  # noqa: E501
"""


def server_command() -> list[str]:
    script = Path(sys.executable).with_name("consistency-lint")
    if script.exists():
        return [str(script), "server"]
    found = shutil.which("consistency-lint")
    assert found, "consistency-lint is not installed"
    return [found, "server"]


@pytest.fixture
def session(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[LspClient, Path]]:
    """An initialized session; indirect parameters are extra server arguments."""
    (tmp_path / "consistency-lint.toml").write_text("", encoding="utf-8")
    client = LspClient(server_command() + getattr(request, "param", []), str(tmp_path))
    try:
        result = client.request(
            "initialize",
            {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}},
        )
        capabilities = result["capabilities"]
        assert capabilities["codeActionProvider"]
        assert capabilities["textDocumentSync"]["save"]
        client.notify("initialized", {})
        yield client, tmp_path
    finally:
        code = client.close()
    assert code == 0


def open_document(client: LspClient, uri: str, text: str) -> None:
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )


def apply(text: str, edit: dict) -> str:
    lines = text.splitlines(keepends=True)
    start, end = edit["range"]["start"], edit["range"]["end"]
    assert start["line"] == end["line"]
    line = lines[start["line"]]
    lines[start["line"]] = line[: start["character"]] + edit["newText"] + line[end["character"] :]
    return "".join(lines)


def test_publishes_on_open_change_and_save_with_a_noqa_quick_fix(session: tuple[LspClient, Path]) -> None:
    client, folder = session
    path = folder / "orders.py"
    path.write_text("", encoding="utf-8")  # on disk: empty; the editor's buffer is what counts
    uri = path.as_uri()
    open_document(client, uri, DUAL_WRITE)
    diagnostics = client.diagnostics(uri)
    assert [(d["code"], d["range"]["start"]) for d in diagnostics] == [
        ("CL101", {"line": 9, "character": 4}),
        ("CL101", {"line": 14, "character": 4}),
    ]
    first = diagnostics[0]
    assert first["source"] == "consistency-lint"
    assert first["severity"] == 1
    assert first["range"]["end"] == {"line": 9, "character": 33}
    assert "publishes after" in first["message"]
    assert first["codeDescription"] == {"href": rule_url("CL101")}  # the rule's page on the docs site
    assert [
        (r["location"]["uri"], r["location"]["range"]["start"], r["message"])
        for r in first["relatedInformation"]
    ] == [(uri, {"line": 8, "character": 4}, "the transaction commits here")]

    # The quick fix on a line without a comment appends one.
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": first["range"], "context": {"diagnostics": [first]}},
    )
    assert [a["kind"] for a in actions] == ["quickfix"]
    edits = actions[0]["edit"]["changes"][uri]
    assert len(edits) == 1
    fixed = apply(DUAL_WRITE, edits[0])
    assert fixed.splitlines()[9] == '    producer.send("orders", b"x")  # noqa: CL101'

    # On a line with a noqa comment for another tool, the code joins it.
    second = diagnostics[1]
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": second["range"], "context": {"diagnostics": [second]}},
    )
    fixed = apply(fixed, actions[0]["edit"]["changes"][uri][0])
    assert fixed.splitlines()[14] == '    producer.send("orders", b"y")  # noqa: E501, CL101'

    # The client applies the fixes: a full-text change; both findings are gone.
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
    )
    assert client.diagnostics(uri) == []

    # An incremental change that removes the first noqa brings its finding back.
    start = fixed.splitlines()[9].index("  # noqa")
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 9, "character": start},
                        "end": {"line": 9, "character": start + len("  # noqa: CL101")},
                    },
                    "text": "",
                }
            ],
        },
    )
    assert [d["range"]["start"]["line"] for d in client.diagnostics(uri)] == [9]

    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert [d["range"]["start"]["line"] for d in client.diagnostics(uri)] == [9]

    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []


@pytest.mark.parametrize("session", [["--stdio"]], indirect=True)  # as VS Code's client passes it
def test_positions_are_utf16_and_configuration_errors_are_shown(session: tuple[LspClient, Path]) -> None:
    client, folder = session
    uri = (folder / "wide.py").as_uri()
    # "𝄞" is one code point but two UTF-16 code units: `producer` starts at code point 13.
    send = '    producer.send("orders", b"x")'
    text = DUAL_WRITE.replace(send, '    s = "𝄞";' + send[3:])
    open_document(client, uri, text)
    starts = [d["range"]["start"] for d in client.diagnostics(uri)]
    assert starts[0] == {"line": 9, "character": 14}

    bad = folder / "bad"
    bad.mkdir()
    (bad / "consistency-lint.toml").write_text('selec = ["CL1"]\n', encoding="utf-8")
    bad_uri = (bad / "orders.py").as_uri()
    open_document(client, bad_uri, DUAL_WRITE)
    message = client.wait(lambda m: m.get("method") == "window/showMessage")
    assert "selec: unknown key; did you mean 'select'?" in message["params"]["message"]
    assert client.diagnostics(bad_uri) == []


def test_a_burst_of_changes_ends_with_the_last_version(session: tuple[LspClient, Path]) -> None:
    client, folder = session
    uri = (folder / "burst.py").as_uri()
    open_document(client, uri, DUAL_WRITE)
    assert len(client.diagnostics(uri)) == 2
    clean = DUAL_WRITE.replace("    session.add(order)\n", "").replace("    session.commit()\n", "")
    for version, text in enumerate([clean, DUAL_WRITE, clean, DUAL_WRITE, clean], start=2):
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
    published = client.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == 6
        )
    )
    assert published["params"]["diagnostics"] == []
    # Nothing older may arrive after the newest version was published.
    client.backlog = [m for m in client.backlog if m.get("method") != "textDocument/publishDiagnostics"]
    with pytest.raises(queue.Empty):
        client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", timeout=1.5)


def test_imported_project_modules_are_context(session: tuple[LspClient, Path]) -> None:
    client, folder = session  # the folder has a consistency-lint.toml
    (folder / "shop").mkdir()
    (folder / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (folder / "shop" / "bus.py").write_text(
        "from kafka import KafkaProducer\n\nproducer = KafkaProducer()\n", encoding="utf-8"
    )
    uri = (folder / "shop" / "orders.py").as_uri()
    open_document(
        client,
        uri,
        "from shop.bus import producer\n\n\ndef place(session, order):\n"
        '    session.commit()\n    producer.send("orders", b"x")\n',
    )
    diagnostics = client.diagnostics(uri)
    assert [(d["code"], d["range"]["start"]["line"]) for d in diagnostics] == [("CL101", 5)]


# Switches the text guard off in every process of the server (the workers too, however
# they are started): the native parser itself then meets a deep file, and dies of it.
WITHOUT_GUARD = """\
import consistency_lint.analysis.guard as guard
import consistency_lint.engine.file_phase as file_phase

guard.parser_limit_reason = file_phase.parser_limit_reason = lambda text: None
"""


def test_a_project_file_that_kills_its_worker_does_not_take_the_server_down(tmp_path: Path) -> None:
    """libcst dies of SIGSEGV at about 1,500 nested brackets: a worker dies, the server answers."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "consistency-lint.toml").write_text("", encoding="utf-8")
    depth = 3000
    (project / "crash.py").write_text("x = " + "(" * depth + "a" + ")" * depth + "\n", encoding="utf-8")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(WITHOUT_GUARD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")])}
    client = LspClient(server_command(), str(project), env=env)
    try:
        client.request("initialize", {"processId": None, "rootUri": project.as_uri(), "capabilities": {}})
        client.notify("initialized", {})
        uri = (project / "orders.py").as_uri()
        open_document(client, uri, DUAL_WRITE)
        assert [d["code"] for d in client.diagnostics(uri)] == ["CL101", "CL101"]
        # Still answering, with the crashing file analysed again (it is not cached) by a fresh worker.
        clean = DUAL_WRITE.replace("    session.add(order)\n", "").replace("    session.commit()\n", "")
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": clean}]},
        )
        assert client.diagnostics(uri) == []
    finally:
        code = client.close()
    assert code == 0
