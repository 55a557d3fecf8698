"""The command line: a thin shell over the engine. The only module that exits."""

from __future__ import annotations

import io
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn

import click

from consistency_lint import __version__
from consistency_lint.adapters.output import encode_output, write_output
from consistency_lint.adapters.output_specs import (
    COLOR_MODES,
    OutputFormat,
    OutputSpec,
    colour_wanted,
    plan_outputs,
)
from consistency_lint.adapters.progress import ProgressBar
from consistency_lint.adapters.progress import wanted as progress_wanted
from consistency_lint.adapters.reporters import REPORTERS, ReportContext
from consistency_lint.app.baseline import load_baseline, new_findings
from consistency_lint.app.baseline import write_baseline as write_baseline_file
from consistency_lint.app.config import Overrides, load_settings
from consistency_lint.app.errors import UserError
from consistency_lint.app.runner import run_check
from consistency_lint.domain.catalogue import HEADS
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.packs import suggest
from consistency_lint.domain.rule import RuleMeta

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
STDIN_NAME = "-"  # how the standard input is shown without --stdin-filename


def _comma_list(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip() for c in value.split(",") if c.strip())


def _fail(message: str) -> NoReturn:
    for line in message.splitlines() or [""]:  # several configuration errors: each line prefixed
        click.echo(f"consistency-lint: error: {line}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consistency-lint")
def cli() -> None:
    """Find dual writes, missing tenant filters and ORM entities leaking into the domain."""


def _warn(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(f"consistency-lint: warning: {message}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    help="Configuration file to use; its relative paths then start from the current directory, "
    "the project root.",
)
@click.option("--select", help="Comma-separated codes or prefixes to enable, or ALL (replaces the file's).")
@click.option("--ignore", help="Comma-separated codes or prefixes to disable (beats the file's selection).")
@click.option("--extend-select", help="Comma-separated codes or prefixes to enable in addition.")
@click.option("--exclude", help="Comma-separated path patterns to skip (replaces the file's exclude).")
@click.option("--extend-exclude", help="Comma-separated path patterns to skip in addition.")
@click.option(
    "--output-format",
    "--format",
    "output_formats",
    multiple=True,
    type=OutputFormat(list(REPORTERS)),
    help=f"Report format, optionally with its own file: FMT or FMT:FILE; repeatable. "
    f"FMT is one of {', '.join(REPORTERS)} (default: text).",
)
@click.option("--output", type=click.Path(path_type=Path), help="Write the report without a FILE here.")
@click.option("--baseline", type=click.Path(path_type=Path), help="Report only findings not in it.")
@click.option("--write-baseline", type=click.Path(path_type=Path), help="Record current findings.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes (default: the CPUs this process may use).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="CONSISTENCY_LINT_CACHE_DIR",
    show_envvar=True,
    help="Cache folder (default: .consistency-lint-cache/ in the project root).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code.")
@click.option("--show-source", is_flag=True, help="Show the offending line under each finding.")
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Lint the standard input (PATH `-`) as this file of its project.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print findings and errors only: no summary, warnings or progress."
)
@click.option(
    "--color",
    type=click.Choice(COLOR_MODES),
    default="auto",
    show_default=True,
    help="Colour the text report (auto: on a terminal unless NO_COLOR is set).",
)
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to paths named explicitly too.")
def check(
    paths: tuple[Path, ...],
    config: Path | None,
    select: str | None,
    ignore: str | None,
    extend_select: str | None,
    exclude: str | None,
    extend_exclude: str | None,
    output_formats: tuple[OutputSpec, ...],
    output: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    exit_zero: bool,
    statistics: bool,
    show_source: bool,
    stdin_filename: Path | None,
    quiet: bool,
    color: str,
    force_exclude: bool,
) -> None:
    """Lint PATHS (default: the project root; `-`: the standard input)."""
    progress = ProgressBar(sys.stderr) if progress_wanted(sys.stderr) and not quiet else None
    try:
        plan = plan_outputs(output_formats, output)
        buffers = _stdin_buffer(paths, stdin_filename)
        if buffers:
            paths = tuple(buffers)
        overrides = Overrides(
            select=_comma_list(select),
            ignore=_comma_list(ignore) or (),
            extend_select=_comma_list(extend_select) or (),
            exclude=_comma_list(exclude),
            extend_exclude=_comma_list(extend_exclude) or (),
        )
        settings = load_settings(config, Path.cwd(), overrides, paths)
        known = load_baseline(baseline) if baseline is not None else None
        targets = list(paths) or [Path(settings.root)]
        try:
            result = run_check(
                targets,
                settings,
                jobs=jobs,
                progress=progress,
                cache=not no_cache,
                cache_dir=Path.cwd() / cache_dir if cache_dir is not None else None,
                buffers=buffers,
                force_exclude=force_exclude,
            )
        finally:
            if progress is not None:
                progress.close()
        if write_baseline is not None:
            write_baseline_file(write_baseline, result.diagnostics, result.root)
    except UserError as error:
        _fail(str(error))
    except Exception as error:  # a bug of ours: one line, never a traceback
        _fail(f"internal error: {type(error).__name__}: {error}")
    for problem in result.errors:
        click.echo(f"consistency-lint: error: {problem}", err=True)
    for warning in result.warnings:
        _warn(warning, quiet)
    if not result.files_checked and not result.errors:
        _warn("No Python files found under the given paths", quiet)
    if write_baseline is not None:
        count = len(result.diagnostics)
        if not quiet:
            click.echo(f"Recorded {count} finding{'s' * (count != 1)} in {write_baseline}.", err=True)
        sys.exit(EXIT_ERROR if result.errors else EXIT_CLEAN)
    diagnostics = result.diagnostics
    if known is not None:
        diagnostics = new_findings(diagnostics, known, result.root)
    status = EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN
    table = statistics_table(diagnostics) if statistics else ""
    table_shown = False
    for spec in plan:
        to_stdout = spec.path is None
        ctx = ReportContext(
            _Documented(),
            result.files_checked,
            show_source=show_source,
            files=result.checked,
            root=result.root,
            cwd=str(Path.cwd()),
            color=to_stdout and spec.format == "text" and colour_wanted(color, sys.stdout),
        )
        report = io.StringIO()
        REPORTERS[spec.format](diagnostics, report, ctx)
        if table and to_stdout and spec.format == "text":
            report.write(table)
            table_shown = True
        _write_report(report.getvalue(), spec.path, status)
    if table and not table_shown:
        click.echo(table, err=True, nl=False)
    if not quiet and (result.files_checked or result.errors):
        click.echo(_summary(diagnostics, result.files_checked, len(result.diagnostics), known), err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(status)


def _stdin_buffer(paths: tuple[Path, ...], stdin_filename: Path | None) -> dict[Path, bytes]:
    """`check -` (or `--stdin-filename` alone): the standard input as the named file, else nothing."""
    reads_stdin = Path("-") in paths
    if not reads_stdin and not (stdin_filename is not None and not paths):
        if stdin_filename is not None:
            raise UserError("--stdin-filename names the standard input: give `-` as the only path")
        return {}
    if len(paths) > 1:
        raise UserError("`-` (the standard input) cannot be combined with other paths")
    name = stdin_filename if stdin_filename is not None else Path(STDIN_NAME)
    absolute = Path(os.path.abspath(name))
    absolute = absolute.parent.resolve() / absolute.name  # folders resolved, as discovery resolves them
    return {absolute: sys.stdin.buffer.read()}


def _write_report(text: str, path: Path | None, status: int) -> None:
    """One report to its file, or to the standard output (a reader that has gone is not an error)."""
    if path is not None:
        try:
            write_output(path, text)  # atomic: a failure leaves the previous report whole
        except OSError as error:
            _fail(f"cannot write {path}: {error.strerror or error}")
        return
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(encode_output(text))  # names that are not UTF-8 escaped
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # `consistency-lint check | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(status)
    except OSError as error:  # a full device, a closed terminal
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _fail(f"cannot write the report to standard output: {error.strerror or error}")


class _Documented(Mapping[str, RuleMeta]):
    """The rules' metadata with their documentation, for the reporters that show it (SARIF):
    imported when first read, so that a run reported in another format never imports the
    rules, and with them every analysis (a warm run the cache answers needs neither)."""

    def _rules(self) -> Mapping[str, RuleMeta]:
        from consistency_lint.checks import CATALOGUE

        return CATALOGUE

    def __getitem__(self, code: str) -> RuleMeta:
        return self._rules()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules())

    def __len__(self) -> int:
        return len(self._rules())


def statistics_table(diagnostics: list[Diagnostic]) -> str:
    """Findings per code, most frequent first: `count  code  name` (flake8/ruff style)."""
    counts = Counter(d.code for d in diagnostics)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        meta = HEADS.get(code)
        name = meta.name if meta else ""
        severity = meta.severity.value if meta else ""
        lines.append(f"{count:<6} {code:<6} {severity:<8} {name}".rstrip() + "\n")
    return "".join(lines)


def _summary(diagnostics: list[Diagnostic], files: int, total: int, known: frozenset[str] | None) -> str:
    count = len(diagnostics)
    in_files = f"in {files} file{'s' * (files != 1)}"
    if known is not None:
        old = total - count
        recorded = f"{old} finding{'s' * (old != 1)} in the baseline not shown"
        if count:
            return f"Found {count} new finding{'s' * (count != 1)} {in_files} ({recorded})."
        return f"No new findings {in_files} ({recorded})."
    if count:
        return f"Found {count} finding{'s' * (count != 1)} {in_files}."
    return f"All checks passed ({files} file{'s' * (files != 1)})."


@cli.command()
@click.option(
    "--output-format",
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or a JSON list of rule objects.",
)
def rules(output_format: str) -> None:
    """List every rule: code, name, default, severity."""
    from consistency_lint.checks import ALL_RULES  # (the rules' documentation; see _Documented)

    if output_format == "json":
        click.echo(json.dumps([_rule_json(rule.meta(), rule.IMPLEMENTED) for rule in ALL_RULES], indent=2))
        return
    click.echo(f"{'code':<7} {'name':<38} {'default':<8} {'severity':<9} summary")
    for rule in ALL_RULES:
        meta = rule.meta()
        default = "on" if meta.default_on else "off"
        status = "" if rule.IMPLEMENTED else " (planned)"
        click.echo(
            f"{meta.code:<7} {meta.name:<38} {default:<8} {meta.severity.value:<9} {meta.summary}{status}"
        )


def _rule_json(meta: RuleMeta, implemented: bool) -> dict[str, object]:
    return {
        "code": meta.code,
        "name": meta.name,
        "default": meta.default_on,
        "severity": meta.severity.value,
        "summary": meta.summary,
        "implemented": implemented,
        "options": list(meta.options),
        "explanation": meta.doc,
    }


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Show a rule's documentation (by code or name)."""
    from consistency_lint.checks import CATALOGUE  # (see _Documented)

    wanted = code.strip()
    meta = CATALOGUE.get(wanted.upper())
    if meta is None:
        meta = next((m for m in CATALOGUE.values() if m.name == wanted.lower()), None)
    if meta is None:
        choices = list(CATALOGUE) + [m.name for m in CATALOGUE.values()]
        hint = suggest(wanted.upper(), CATALOGUE) or suggest(wanted.lower(), choices)
        _fail(f"unknown rule '{code}'{hint or '; run `consistency-lint rules` for the list'}")
    default = "on" if meta.default_on else "off"
    click.echo(f"# {meta.code} {meta.name}\n")
    click.echo(f"{meta.summary}. Default: {default}, severity: {meta.severity.value}.\n")
    click.echo(meta.doc)


@cli.command()
@click.option("--stdio", is_flag=True, hidden=True, help="Accepted for clients that pass it (the default).")
def server(stdio: bool) -> None:
    """Run the language server over stdio."""
    from consistency_lint.adapters.lsp import serve

    serve()


def main() -> None:
    cli(prog_name="consistency-lint")
