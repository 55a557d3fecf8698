"""The language server: `consistency-lint server` speaks LSP over stdio (pygls).

- Diagnostics are published when a document is opened, changed and saved,
  from the editor's in-memory text (unsaved edits included), analysed within
  the document's own flow with the configuration found above the file, like
  the flake8 plugin. Closing a document clears its diagnostics.
- The other half of a finding (the commit of a dual write) is sent as
  `DiagnosticRelatedInformation`.
- A quick fix inserts `# noqa: CODE` at the end of the flagged line, or adds
  the code to a `# noqa: ...` comment already there.
- A configuration error is shown to the user once per message, and the
  document's diagnostics are cleared until the configuration is fixed.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument

from consistency_lint import __version__
from consistency_lint.app.buffer import BufferLinter
from consistency_lint.app.errors import UserError
from consistency_lint.domain.diagnostic import Diagnostic, Severity

SOURCE = "consistency-lint"

# A noqa comment with a code list, which a new code can be appended to.
_NOQA_CODES = re.compile(r"#\s*noqa:\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.I)
_NOQA_ALL = re.compile(r"#\s*noqa(?!:)", re.I)


class ConsistencyLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__)
        self.linter = BufferLinter()
        self.shown_errors: set[str] = set()


def to_lsp(diagnostic: Diagnostic, document: TextDocument, root: Path) -> types.Diagnostic:
    """One finding as an LSP diagnostic (0-based lines, columns in the client's units)."""
    start = _position(document, diagnostic.line, diagnostic.column)
    end = _position(document, diagnostic.end_line, diagnostic.end_column)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=_related_uri(related.path, diagnostic.path, document, root),
                range=types.Range(
                    start=_position(document, related.line, related.column),
                    end=_position(document, related.line, related.column),
                ),
            ),
            message=related.message,
        )
        for related in diagnostic.related
    ]
    return types.Diagnostic(
        range=types.Range(start=start, end=end),
        message=diagnostic.message,
        severity=(
            types.DiagnosticSeverity.Error
            if diagnostic.severity is Severity.ERROR
            else types.DiagnosticSeverity.Warning
        ),
        code=diagnostic.code,
        source=SOURCE,
        related_information=related or None,
    )


def _position(document: TextDocument, line: int, column: int) -> types.Position:
    """A 1-based line and code-point column as an LSP position in the client's units."""
    point = types.Position(line=max(line - 1, 0), character=max(column - 1, 0))
    return document.position_codec.position_to_client_units(document.lines, point)


def _related_uri(path: str, own_path: str, document: TextDocument, root: Path) -> str:
    if path == own_path:
        return document.uri
    target = Path(path)
    if not target.is_absolute():
        target = root / target
    return from_fs_path(str(target)) or document.uri


def lint_document(server: ConsistencyLintServer, document: TextDocument) -> list[types.Diagnostic]:
    try:
        path = server.linter.absolute(document.path).resolve()
        project = server.linter.project_for(path)
        found = server.linter.lint(document.source, document.path)
    except UserError as error:
        message = f"consistency-lint: {error}"
        if message not in server.shown_errors:
            server.shown_errors.add(message)
            server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))
        return []
    return [to_lsp(d, document, project.root) for d in found]


def publish(server: ConsistencyLintServer, uri: str) -> None:
    document = server.workspace.get_text_document(uri)
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=lint_document(server, document)
        )
    )


def _in_multiline_token(source: str, line: int) -> bool:
    """Whether the end of 0-based `line` lies inside a string or after a backslash continuation,
    where a comment cannot be added."""
    lines = source.splitlines()
    if line < len(lines) and lines[line].rstrip().endswith("\\"):
        return True
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            start_row, end_row = token.start[0] - 1, token.end[0] - 1
            if start_row > line:
                break
            if start_row <= line < end_row and token.type != tokenize.NL:
                return True
    except (tokenize.TokenError, SyntaxError):
        return False
    return False


def noqa_edit(document: TextDocument, line: int, code: str) -> types.TextEdit | None:
    """The edit that suppresses `code` on 0-based `line`; None when it is not possible or needed."""
    lines: Sequence[str] = document.lines
    if line >= len(lines):
        return None
    text = lines[line].rstrip("\r\n")
    match = _NOQA_CODES.search(text)
    if match:
        codes = re.split(r"[,\s]+", match.group("codes"))
        if any(code.upper().startswith(c.upper()) for c in codes):
            return None
        at = end = match.end("codes")
        new_text = f", {code}"
    elif _NOQA_ALL.search(text):
        return None
    else:
        if _in_multiline_token(document.source, line):
            return None
        at, end = len(text.rstrip()), len(text)  # trailing blanks are replaced
        new_text = f"  # noqa: {code}"
    codec = document.position_codec
    return types.TextEdit(
        range=types.Range(
            start=codec.position_to_client_units(lines, types.Position(line=line, character=at)),
            end=codec.position_to_client_units(lines, types.Position(line=line, character=end)),
        ),
        new_text=new_text,
    )


def code_actions(server: ConsistencyLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    document = server.workspace.get_text_document(params.text_document.uri)
    actions = []
    seen: set[tuple[int, str]] = set()
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
            continue
        line = diagnostic.range.start.line
        if (line, diagnostic.code) in seen:
            continue
        seen.add((line, diagnostic.code))
        edit = noqa_edit(document, line, diagnostic.code)
        if edit is None:
            continue
        actions.append(
            types.CodeAction(
                title=f"Suppress {diagnostic.code} on this line (# noqa)",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(changes={document.uri: [edit]}),
            )
        )
    return actions


def create_server() -> ConsistencyLintServer:
    server = ConsistencyLintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ConsistencyLintServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ConsistencyLintServer, params: types.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ConsistencyLintServer, params: types.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ConsistencyLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: ConsistencyLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    return server


def serve() -> None:
    """Run the server on stdin/stdout until the client says exit."""
    create_server().start_io()
