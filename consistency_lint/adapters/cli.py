"""The command line: a thin shell over the engine. The only module that exits."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import NoReturn, TextIO

import click

from consistency_lint import __version__
from consistency_lint.adapters.reporters import PLANNED_FORMATS, REPORTERS, ReportContext
from consistency_lint.app.config import Overrides, load_settings
from consistency_lint.app.errors import UserError
from consistency_lint.app.runner import run_check
from consistency_lint.checks import ALL_RULES, CATALOGUE
from consistency_lint.domain.packs import suggest

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip() for c in value.split(",") if c.strip())


def _fail(message: str) -> NoReturn:
    click.echo(f"consistency-lint: error: {message}", err=True)
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
    type=click.Choice(["text", "json", "sarif", "github", "junit"]),
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
) -> None:
    """Lint PATHS (default: the project root)."""
    if output_format in PLANNED_FORMATS:
        _fail(f"--format {output_format} is not available yet in this version")
    if baseline is not None or write_baseline is not None:
        _fail("--baseline and --write-baseline are not available yet in this version")
    try:
        overrides = Overrides(
            select=_codes(select), ignore=_codes(ignore) or (), extend_select=_codes(extend_select) or ()
        )
        settings = load_settings(config, Path.cwd(), overrides)
        targets = list(paths) or [Path(settings.root)]
        result = run_check(targets, settings, jobs=jobs, cache=not no_cache)
    except UserError as error:
        _fail(str(error))
    except Exception as error:  # a bug of ours: one line, never a traceback
        _fail(f"internal error: {type(error).__name__}: {error}")
    ctx = ReportContext(CATALOGUE, result.files_checked, show_source=show_source)
    stream: TextIO
    if output is not None:
        try:
            stream = open(output, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror}")
    else:
        stream = sys.stdout
    try:
        REPORTERS[output_format](result.diagnostics, stream, ctx)
        if statistics and output_format == "text":
            for code, count in sorted(Counter(d.code for d in result.diagnostics).items()):
                stream.write(f"{count:<6} {code} {CATALOGUE[code].name}\n")
    finally:
        if output is not None:
            stream.close()
    for problem in result.errors:
        click.echo(f"consistency-lint: error: {problem}", err=True)
    count = len(result.diagnostics)
    files = result.files_checked
    if count:
        click.echo(
            f"Found {count} finding{'s' * (count != 1)} in {files} file{'s' * (files != 1)}.",
            err=True,
        )
    else:
        click.echo(f"All checks passed ({files} file{'s' * (files != 1)}).", err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if count and not exit_zero else EXIT_CLEAN)


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
        _fail(f"unknown rule '{code}'{suggest(wanted, choices)}")
    default = "on" if meta.default_on else "off"
    click.echo(f"# {meta.code} {meta.name}\n")
    click.echo(f"{meta.summary}. Default: {default}, severity: {meta.severity.value}.\n")
    click.echo(meta.doc)


@cli.command()
def server() -> None:
    """Run the language server over stdio."""
    _fail("the language server is not available yet in this version")


def main() -> None:
    cli(prog_name="consistency-lint")
