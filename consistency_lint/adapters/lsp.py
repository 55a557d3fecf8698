"""The language server: `consistency-lint server` speaks LSP over stdio (pygls).

- Diagnostics are published when a document is opened, changed and saved,
  from the editor's in-memory text (unsaved edits included), with the
  configuration found above the file. When the project has a configuration
  file, the findings are those of `consistency-lint check FILE` with the open
  documents in place of their files: the rest of the project comes from the
  incremental state the command line and the flake8 plugin share (the result
  cache, whose project result is reused while no file's result changes, and
  the results decoded from it, kept in memory); without one the document is
  analysed alone, like the flake8 plugin. Changed files from disk are analysed
  in isolated worker processes kept between requests (`runner.lasting_pool`,
  never forked from this threaded process): a file that crashes the parser is
  CL001 and the server keeps answering.
  Closing a document clears its diagnostics.
- Linting runs on one worker thread, off the event loop (a 4,000-line module
  takes about a second), on a snapshot of the text. Changes are debounced
  (`CHANGE_DELAY`); a result for a version the editor has already replaced is
  dropped, so typing never queues stale diagnostics.
- The other half of a finding (the commit of a dual write) is sent as
  `DiagnosticRelatedInformation`; `codeDescription` links the rule's page on
  the documentation site.
- A quick fix inserts `# noqa: CODE` at the end of the flagged line, or adds
  the code to a `# noqa: ...` comment already there.
- A configuration error is shown to the user once per message, and the
  document's diagnostics are cleared until the configuration is fixed.
"""

from __future__ import annotations

import asyncio
import io
import re
import tokenize
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument

from consistency_lint import __version__
from consistency_lint.adapters.docs_site import rule_url
from consistency_lint.app.buffer import BufferLinter
from consistency_lint.app.errors import UserError
from consistency_lint.domain.diagnostic import Diagnostic, Severity

SOURCE = "consistency-lint"
CHANGE_DELAY = 0.25  # seconds of quiet after a change before linting

# A noqa comment with a code list, which a new code can be appended to.
_NOQA_CODES = re.compile(r"#\s*noqa:\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.I)
_NOQA_ALL = re.compile(r"#\s*noqa(?!:)", re.I)


class ConsistencyLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__)
        self.linter = BufferLinter()
        self.shown_errors: set[str] = set()
        self.lint_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="consistency-lint")
        self.pending: dict[str, asyncio.Task[None]] = {}


def to_lsp(diagnostic: Diagnostic, document: TextDocument, root: Path) -> types.Diagnostic:
    """One finding as an LSP diagnostic (0-based lines, columns in the client's units)."""
    start = _position(document, diagnostic.line, diagnostic.column)
    end = _position(document, diagnostic.end_line, diagnostic.end_column)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    related = []
    for other in diagnostic.related:
        if other.path == diagnostic.path:
            uri, at = document.uri, _position(document, other.line, other.column)
        else:
            # Another file: its text is not at hand, so the column stays in code points.
            target = Path(other.path) if Path(other.path).is_absolute() else root / other.path
            uri = from_fs_path(str(target)) or document.uri
            at = types.Position(line=max(other.line - 1, 0), character=max(other.column - 1, 0))
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=types.Range(start=at, end=at)),
                message=other.message,
            )
        )
    return types.Diagnostic(
        range=types.Range(start=start, end=end),
        message=diagnostic.message,
        severity=(
            types.DiagnosticSeverity.Error
            if diagnostic.severity is Severity.ERROR
            else types.DiagnosticSeverity.Warning
        ),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=rule_url(diagnostic.code)),
        source=SOURCE,
        related_information=related or None,
    )


def _position(document: TextDocument, line: int, column: int) -> types.Position:
    """A 1-based line and code-point column as an LSP position in the client's units."""
    point = types.Position(line=max(line - 1, 0), character=max(column - 1, 0))
    return document.position_codec.position_to_client_units(document.lines, point)


def lint_document(
    linter: BufferLinter, document: TextDocument, open_buffers: dict[str, str] | None = None
) -> tuple[list[types.Diagnostic], str | None]:
    """(diagnostics, configuration error); runs on the lint thread, on a snapshot.

    `open_buffers` maps the paths of other open documents to their (unsaved) text.
    """
    if document.language_id not in (None, "python") and not document.path.endswith((".py", ".pyi")):
        return [], None
    buffers = {linter.absolute(p).resolve(): text for p, text in (open_buffers or {}).items()}
    try:
        path = linter.absolute(document.path).resolve()
        project = linter.project_for(path)
        found = linter.lint_in_project(document.source, document.path, open_buffers=buffers)
    except UserError as error:
        return [], f"consistency-lint: {error}"
    return [to_lsp(d, document, project.root) for d in found], None


def snapshot(document: TextDocument) -> TextDocument:
    """A copy the lint thread can read while the event loop applies further edits."""
    return TextDocument(
        document.uri,
        source=document.source,
        version=document.version,
        language_id=document.language_id,
        position_codec=document.position_codec,
    )


async def publish(server: ConsistencyLintServer, uri: str, delay: float = 0.0) -> None:
    """Lint the document's current text (after `delay`) and publish, unless it changed meanwhile."""
    if delay:
        await asyncio.sleep(delay)
    opened = server.workspace.text_documents.get(uri)
    if opened is None:
        return  # closed meanwhile
    document = snapshot(opened)
    loop = asyncio.get_running_loop()
    open_buffers = {
        other.path: other.source
        for other_uri, other in server.workspace.text_documents.items()
        if other_uri != uri and other.path.endswith((".py", ".pyi"))
    }
    diagnostics, error = await loop.run_in_executor(
        server.lint_thread, lint_document, server.linter, document, open_buffers
    )
    current = server.workspace.text_documents.get(uri)
    if current is None or current.version != document.version:
        return  # closed, or a newer version is on its way
    if error is not None and error not in server.shown_errors:
        server.shown_errors.add(error)
        server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=error))
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=diagnostics)
    )


def schedule(server: ConsistencyLintServer, uri: str, delay: float = 0.0) -> None:
    """Lint `uri` soon, replacing a lint of it that has not published yet."""
    previous = server.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    task = asyncio.get_running_loop().create_task(publish(server, uri, delay))
    server.pending[uri] = task

    def forget(done: asyncio.Task[None]) -> None:
        if server.pending.get(uri) is done:
            del server.pending[uri]

    task.add_done_callback(forget)


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
    async def did_open(ls: ConsistencyLintServer, params: types.DidOpenTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ConsistencyLintServer, params: types.DidChangeTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, CHANGE_DELAY)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ConsistencyLintServer, params: types.DidSaveTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: ConsistencyLintServer, params: types.DidCloseTextDocumentParams) -> None:
        pending = ls.pending.pop(params.text_document.uri, None)
        if pending is not None:
            pending.cancel()
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
    server = create_server()
    try:
        server.start_io()
    finally:
        server.lint_thread.shutdown(wait=False, cancel_futures=True)
        server.linter.close()
