"""The command line: a thin shell over the engine. The only module that exits."""

from __future__ import annotations

import io
import os
import sys
from collections import Counter
from pathlib import Path
from typing import NoReturn

import click

from consistency_lint import __version__
from consistency_lint.adapters.output import encode_output, write_output
from consistency_lint.adapters.progress import ProgressBar
from consistency_lint.adapters.progress import wanted as progress_wanted
from consistency_lint.adapters.reporters import REPORTERS, ReportContext
from consistency_lint.app.baseline import load_baseline, new_findings
from consistency_lint.app.baseline import write_baseline as write_baseline_file
from consistency_lint.app.config import Overrides, load_settings
from consistency_lint.app.errors import UserError
from consistency_lint.app.runner import run_check
from consistency_lint.checks import ALL_RULES, CATALOGUE
from consistency_lint.domain.diagnostic import Diagnostic
from consistency_lint.domain.packs import suggest

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _codes(value: str | None) -> tuple[str, ...] | None:
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


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", type=click.Path(path_type=Path), help="Configuration file to use.")
@click.option("--select", help="Comma-separated codes or prefixes to enable (replaces the config).")
@click.option("--ignore", help="Comma-separated codes or prefixes to disable.")
@click.option("--extend-select", help="Comma-separated codes or prefixes to enable in addition.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--baseline", type=click.Path(path_type=Path), help="Report only findings not in it.")
@click.option("--write-baseline", type=click.Path(path_type=Path), help="Record current findings.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code.")
@click.option("--show-source", is_flag=True, help="Show the offending line under each finding.")
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to paths named explicitly too.")
def check(
    paths: tuple[Path, ...],
    config: Path | None,
    select: str | None,
    ignore: str | None,
    extend_select: str | None,
    output_format: str,
    output: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    jobs: int | None,
    no_cache: bool,
    exit_zero: bool,
    statistics: bool,
    show_source: bool,
    force_exclude: bool,
) -> None:
    """Lint PATHS (default: the project root)."""
    progress = ProgressBar(sys.stderr) if progress_wanted(sys.stderr) else None
    try:
        overrides = Overrides(
            select=_codes(select), ignore=_codes(ignore) or (), extend_select=_codes(extend_select) or ()
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
    for warning in result.warnings:
        click.echo(f"consistency-lint: warning: {warning}", err=True)
    for problem in result.errors:
        click.echo(f"consistency-lint: error: {problem}", err=True)
    if write_baseline is not None:
        count = len(result.diagnostics)
        click.echo(f"Recorded {count} finding{'s' * (count != 1)} in {write_baseline}.", err=True)
        sys.exit(EXIT_ERROR if result.errors else EXIT_CLEAN)
    diagnostics = result.diagnostics
    if known is not None:
        diagnostics = new_findings(diagnostics, known, result.root)
    ctx = ReportContext(
        CATALOGUE,
        result.files_checked,
        show_source=show_source,
        files=result.checked,
        root=result.root,
        cwd=str(Path.cwd()),
    )
    report = io.StringIO()
    REPORTERS[output_format](diagnostics, report, ctx)
    if statistics and output_format == "text":
        report.write(statistics_table(diagnostics))
    elif statistics:
        click.echo(statistics_table(diagnostics), err=True, nl=False)
    if output is not None:
        try:
            write_output(output, report.getvalue())
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror or error}")
    else:
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(encode_output(report.getvalue()))
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # `consistency-lint check | head`: the reader has gone
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN)
        except OSError as error:  # a full device, a closed terminal
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            _fail(f"cannot write the report to standard output: {error.strerror or error}")
    click.echo(_summary(diagnostics, result.files_checked, len(result.diagnostics), known), err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN)


def statistics_table(diagnostics: list[Diagnostic]) -> str:
    """Findings per code, most frequent first: `count  code  name` (flake8/ruff style)."""
    counts = Counter(d.code for d in diagnostics)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        meta = CATALOGUE.get(code)
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
def rules() -> None:
    """List every rule: code, name, default, severity."""
    click.echo(f"{'code':<7} {'name':<38} {'default':<8} {'severity':<9} summary")
    for rule in ALL_RULES:
        meta = rule.meta()
        default = "on" if meta.default_on else "off"
        status = "" if rule.IMPLEMENTED else " (planned)"
        click.echo(
            f"{meta.code:<7} {meta.name:<38} {default:<8} {meta.severity.value:<9} {meta.summary}{status}"
        )


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Show a rule's documentation (by code or name)."""
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
