"""Ecosystem check: run the installed consistency-lint on pinned real applications and score it.

    python benchmarks/ecosystem/run.py                         # every app, every family
    python benchmarks/ecosystem/run.py --family dual --app indico
    python benchmarks/ecosystem/run.py --compare old.json      # what appeared / disappeared since
    python benchmarks/ecosystem/run.py --sample 20 --seed 7    # unlabelled findings to judge by hand
    python benchmarks/ecosystem/run.py --family dual --pooled-sample 30   # 30 across all apps
    python benchmarks/ecosystem/run.py --rescore snap.json     # score a snapshot, run nothing

For every app under apps/<name>/ the pinned source is unpacked on demand by
corpus.py into benchmarks/.corpus/ecosystem/<name>/ (git-ignored), the app's
consistency-lint.toml is copied into its root, and the consistency-lint CLI
found on PATH is run there (`check --format json --no-cache`, cwd = root).

A finding matches a label when it has the same path, its line lies within the
label's line..end_line, and its code belongs to the label's family (CL1xx dual,
CL2xx tenant, CL3xx layer). Printed per app and family: findings, must-flag
hits/total (recall), must-not-flag violations/total, unlabelled findings, wall
time and crashes (exit status 2, CL001 findings, tracebacks on stderr). A JSON
snapshot of every finding is written for --compare. Nothing is asserted: this
is a measuring instrument, not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (a sibling script, not an installed package)

FAMILIES = ("dual", "tenant", "layer")
VERDICTS = ("must-flag", "must-not-flag", "either")
LABEL_KEYS = {"path", "line", "end_line", "family", "verdict", "rule", "why"}
LABEL_REQUIRED = ("path", "line", "family", "verdict", "why")
DEFAULT_SNAPSHOT = corpus.CORPUS / "last.json"
_CODE = re.compile(r"^CL\d{3}$")


class LabelError(Exception):
    """A labels.toml that cannot be trusted: one line naming the file and the entry."""


@dataclass(frozen=True)
class Label:
    path: str
    line: int
    end_line: int
    family: str
    verdict: str
    rule: str
    why: str


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str

    @property
    def family(self) -> str | None:
        return family_of(self.code)


@dataclass
class Score:
    """One app and family: what the scorer prints in one row."""

    findings: int = 0
    flag_hits: int = 0
    flag_total: int = 0
    not_violations: int = 0
    not_total: int = 0
    either_hit: int = 0
    either_total: int = 0
    unlabelled: int = 0
    wrong_rule: int = 0
    missed: list[Label] = field(default_factory=list)
    violated: list[tuple[Label, Finding]] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("findings", "flag_hits", "flag_total", "not_violations", "not_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("either_hit", "either_total", "unlabelled", "wrong_rule"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.missed.extend(other.missed)
        self.violated.extend(other.violated)


@dataclass
class AppRun:
    name: str
    findings: list[Finding]
    seconds: float
    exit_code: int
    crashes: list[str]


def family_of(code: str) -> str | None:
    """CL1xx dual, CL2xx tenant, CL3xx layer; CL0xx (the linter itself) has none."""
    return {"1": "dual", "2": "tenant", "3": "layer"}.get(code[2:3]) if code.startswith("CL") else None


# -- labels -------------------------------------------------------------------------------------------


def parse_labels(data: dict[str, Any], where: str) -> list[Label]:
    """Validate the parsed labels.toml of one app (pure). Raises LabelError with one clear line."""
    unknown_top = sorted(set(data) - {"site"})
    if unknown_top:
        raise LabelError(
            f"{where}: unknown top-level key(s) {', '.join(unknown_top)} (expected [[site]] tables)"
        )
    sites = data.get("site", [])
    if not isinstance(sites, list):
        raise LabelError(f"{where}: 'site' must be an array of tables ([[site]])")
    labels: list[Label] = []
    seen: set[tuple[str, int, str]] = set()
    for number, site in enumerate(sites, 1):
        entry = f"{where}: site #{number}"
        if not isinstance(site, dict):
            raise LabelError(f"{entry}: must be a table")
        unknown = sorted(set(site) - LABEL_KEYS)
        if unknown:
            raise LabelError(
                f"{entry}: unknown key(s) {', '.join(unknown)} (valid: {', '.join(sorted(LABEL_KEYS))})"
            )
        missing = [k for k in LABEL_REQUIRED if k not in site]
        if missing:
            raise LabelError(f"{entry}: missing {', '.join(missing)}")
        path, line, why = site["path"], site["line"], site["why"]
        if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path:
            raise LabelError(f"{entry}: 'path' must be a relative POSIX path, got {path!r}")
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            raise LabelError(f"{entry}: 'line' must be a positive integer, got {line!r}")
        end_line = site.get("end_line", line)
        if not isinstance(end_line, int) or isinstance(end_line, bool) or end_line < line:
            raise LabelError(f"{entry}: 'end_line' must be an integer >= line ({line}), got {end_line!r}")
        if site["family"] not in FAMILIES:
            raise LabelError(f"{entry}: family {site['family']!r} is not one of {', '.join(FAMILIES)}")
        if site["verdict"] not in VERDICTS:
            raise LabelError(f"{entry}: verdict {site['verdict']!r} is not one of {', '.join(VERDICTS)}")
        rule = site.get("rule", "")
        if not isinstance(rule, str) or (rule and not _CODE.match(rule)):
            raise LabelError(f"{entry}: 'rule' must be a code like CL101, got {rule!r}")
        if rule and family_of(rule) != site["family"]:
            raise LabelError(f"{entry}: rule {rule} is not in family {site['family']}")
        if not isinstance(why, str) or not why.strip():
            raise LabelError(f"{entry}: 'why' must say, in one line, why")
        key = (path, line, site["family"])
        if key in seen:
            raise LabelError(f"{entry}: a second label for {path}:{line} ({site['family']})")
        seen.add(key)
        labels.append(Label(path, line, end_line, site["family"], site["verdict"], rule, why.strip()))
    return labels


def load_labels(app_folder: Path) -> list[Label]:
    path = app_folder / "labels.toml"
    if not path.is_file():
        return []
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise LabelError(f"{app_folder.name}/labels.toml: invalid TOML: {error}") from None
    return parse_labels(data, f"{app_folder.name}/labels.toml")


# -- matching and scoring (pure) ----------------------------------------------------------------------


def matches(label: Label, finding: Finding) -> bool:
    return (
        finding.path == label.path
        and label.line <= finding.line <= label.end_line
        and finding.family == label.family
    )


def score(labels: Sequence[Label], findings: Sequence[Finding], family: str) -> tuple[Score, list[Finding]]:
    """Score one app for one family; also return its unlabelled findings."""
    result = Score()
    mine = [f for f in findings if f.family == family]
    result.findings = len(mine)
    labelled: set[int] = set()
    for label in (lab for lab in labels if lab.family == family):
        hits = [i for i, f in enumerate(mine) if matches(label, f)]
        labelled.update(hits)
        if hits and label.rule and label.verdict != "must-not-flag":
            result.wrong_rule += not any(mine[i].code == label.rule for i in hits)
        if label.verdict == "must-flag":
            result.flag_total += 1
            if hits:
                result.flag_hits += 1
            else:
                result.missed.append(label)
        elif label.verdict == "must-not-flag":
            result.not_total += 1
            if hits:
                result.not_violations += 1
                result.violated.append((label, mine[hits[0]]))
        else:
            result.either_total += 1
            result.either_hit += bool(hits)
    unlabelled = [f for i, f in enumerate(mine) if i not in labelled]
    result.unlabelled = len(unlabelled)
    return result, unlabelled


_LINE_REFS = re.compile(r"(\bline[s]? \d+(?:[-]\d+)?|:\d+(?::\d+)?\b|\(\d+\))")


def comparison_key(app: str, finding: Finding) -> tuple[str, str, str, str]:
    """What identifies a finding across runs: app, path, code and message without line numbers."""
    return (app, finding.path, finding.code, _LINE_REFS.sub("", finding.message).strip())


def compare(
    old: dict[str, list[Finding]], new: dict[str, list[Finding]]
) -> tuple[list[tuple[str, Finding]], list[tuple[str, Finding]]]:
    """Findings that appeared in NEW and disappeared from OLD (multiset difference on comparison_key).

    Apps present in only one of the two runs are left out, so running one app never reports
    every other app's findings as gone.
    """
    appeared: list[tuple[str, Finding]] = []
    gone: list[tuple[str, Finding]] = []
    for app in sorted(set(old) & set(new)):
        before = Counter(comparison_key(app, f) for f in old[app])
        after = Counter(comparison_key(app, f) for f in new[app])
        for findings, other, out in ((new[app], before, appeared), (old[app], after, gone)):
            budget = Counter(other)
            for f in findings:
                key = comparison_key(app, f)
                if budget[key]:
                    budget[key] -= 1
                else:
                    out.append((app, f))
    return appeared, gone


def sample(pool: Sequence[Finding], count: int, seed: int, app: str) -> list[Finding]:
    """A reproducible random sample: the same seed, app and pool give the same findings."""
    ordered = sorted(pool, key=lambda f: (f.path, f.line, f.code, f.message))
    rng = random.Random(f"{seed}:{app}")
    return ordered if len(ordered) <= count else sorted(rng.sample(ordered, count), key=ordered.index)


def pooled_sample(pools: dict[str, Sequence[Finding]], count: int, seed: int) -> list[tuple[str, Finding]]:
    """A reproducible random sample of `count` findings drawn from every app's pool at once
    (what a precision estimate over a whole family needs: large apps weigh as much as they report)."""
    ordered = sorted(
        ((app, f) for app, pool in pools.items() for f in pool),
        key=lambda item: (item[0], item[1].path, item[1].line, item[1].code, item[1].message),
    )
    if len(ordered) <= count:
        return ordered
    rng = random.Random(f"{seed}:pooled")
    return sorted(rng.sample(ordered, count), key=ordered.index)


def parse_report(text: str) -> list[Finding]:
    """Findings from the CLI's --format json output."""
    data = json.loads(text)
    return [
        Finding(str(d["path"]), int(d["line"]), str(d["code"]), str(d["message"]))
        for d in data.get("diagnostics", [])
    ]


def stale_labels(labels: Iterable[Label], root: Path) -> list[str]:
    """Labels whose file is absent from the unpacked source or whose lines lie past its end."""
    problems: list[str] = []
    lengths: dict[str, int | None] = {}
    for label in labels:
        if label.path not in lengths:
            try:
                lengths[label.path] = len((root / label.path).read_bytes().splitlines())
            except OSError:
                lengths[label.path] = None
        length = lengths[label.path]
        if length is None:
            problems.append(f"{label.path}:{label.line}: no such file in the unpacked source")
        elif label.end_line > length:
            problems.append(f"{label.path}:{label.line}: past the end of the file ({length} lines)")
    return problems


def crash_signs(exit_code: int, stderr: str, findings: Iterable[Finding]) -> list[str]:
    signs: list[str] = []
    if exit_code not in (0, 1):
        last = stderr.strip().splitlines()[-1:] or ["(no stderr)"]
        signs.append(f"exit {exit_code}: {last[0][:200]}")
    if "Traceback (most recent call last)" in stderr:
        signs.append("traceback on stderr")
    signs.extend(f"CL001 {f.path}:{f.line}" for f in findings if f.code == "CL001")
    return signs


# -- running ------------------------------------------------------------------------------------------


def run_app(app: corpus.App, cli: str, jobs: int | None) -> AppRun:
    root = corpus.ensure(app)
    shutil.copyfile(app.folder / "consistency-lint.toml", root / "consistency-lint.toml")
    command = [cli, "check", "--format", "json", "--no-cache"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    findings: list[Finding] = []
    crashes: list[str] = []
    if proc.stdout.strip():
        try:
            findings = parse_report(proc.stdout)
        except (ValueError, KeyError) as error:
            crashes.append(f"unreadable JSON report: {error}")
    crashes.extend(crash_signs(proc.returncode, proc.stderr, findings))
    return AppRun(app.name, findings, seconds, proc.returncode, crashes)


def _pct(hit: int, total: int) -> str:
    return f"{hit}/{total} ({100 * hit / total:.0f}%)" if total else "-"


def format_table(rows: list[tuple[str, str, Score, str, str]]) -> str:
    header = ("app", "family", "findings", "must-flag hit", "must-not-flag viol.", "either hit", "other rule",
              "unlabelled", "time", "crashes")  # fmt: skip
    lines = [header]
    for app, family, s, seconds, crashes in rows:
        lines.append(
            (
                app,
                family,
                str(s.findings),
                _pct(s.flag_hits, s.flag_total),
                _pct(s.not_violations, s.not_total),
                _pct(s.either_hit, s.either_total),
                str(s.wrong_rule),
                str(s.unlabelled),
                seconds,
                crashes,
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def _load_runs(path: Path) -> dict[str, AppRun]:
    """The runs a snapshot recorded, as if they had just been made (for --rescore)."""
    try:
        data = json.loads(path.read_text())
        return {
            app: AppRun(
                app,
                [Finding(**f) for f in entry["findings"]],
                float(entry["seconds"]),
                int(entry["exit_code"]),
                list(entry["crashes"]),
            )
            for app, entry in data["apps"].items()
        }
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LabelError(f"{path}: not a snapshot written by this script ({error})") from None


def _load_snapshot(path: Path) -> dict[str, list[Finding]]:
    try:
        data = json.loads(path.read_text())
        return {app: [Finding(**f) for f in entry["findings"]] for app, entry in data["apps"].items()}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LabelError(f"{path}: not a snapshot written by this script ({error})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", choices=FAMILIES, action="append", help="only this family (repeatable)")
    parser.add_argument("--app", action="append", help="only this app (repeatable)")
    parser.add_argument(
        "--compare", type=Path, metavar="SNAPSHOT", help="print what appeared/disappeared since"
    )
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT, metavar="OUT")
    parser.add_argument(
        "--sample", type=int, default=10, metavar="N", help="unlabelled findings shown per app"
    )
    parser.add_argument(
        "--pooled-sample",
        type=int,
        default=0,
        metavar="N",
        help="N unlabelled findings per family drawn across all apps",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rescore",
        type=Path,
        metavar="SNAPSHOT",
        help="score the findings of a snapshot instead of running the CLI",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="apps run side by side (each CLI gets -j 1 if >1)"
    )
    parser.add_argument("--cli", default="consistency-lint", help="the CLI to run (default: from PATH)")
    parser.add_argument("--show-missed", action="store_true", help="list every missed must-flag label")
    args = parser.parse_args(argv)
    families = tuple(args.family or FAMILIES)

    cli = shutil.which(args.cli) or ("" if args.rescore else None)
    if cli is None:
        print(f"error: '{args.cli}' not found on PATH (activate the venv that installs it)", file=sys.stderr)
        return 2
    try:
        apps = corpus.load_apps(args.app)
        labels = {app.name: load_labels(app.folder) for app in apps}
        for app in apps:
            if not (app.folder / "consistency-lint.toml").is_file():
                raise LabelError(f"{app.name}: no consistency-lint.toml")
        previous = _load_snapshot(args.compare) if args.compare else None
        stored = _load_runs(args.rescore) if args.rescore else None
    except (corpus.CorpusError, LabelError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    def one(app: corpus.App) -> AppRun | str:
        if stored is not None:
            return stored.get(app.name, f"{app.name}: not in {args.rescore}")
        try:
            return run_app(app, cli, 1 if args.jobs > 1 else None)
        except corpus.CorpusError as error:
            return f"{app.name}: {error}"

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(one, apps))
    runs = [o for o in outcomes if isinstance(o, AppRun)]
    for failure in (o for o in outcomes if isinstance(o, str)):
        print(f"error: {failure}", file=sys.stderr)

    apps_by_name = {app.name: app for app in apps}
    rows: list[tuple[str, str, Score, str, str]] = []
    totals = {family: Score() for family in families}
    unlabelled: dict[str, list[Finding]] = {}
    unlabelled_by_family: dict[str, dict[str, list[Finding]]] = {family: {} for family in families}
    all_crashes = 0
    for run in runs:
        all_crashes += len(run.crashes)
        declared = set(apps_by_name[run.name].families)
        for family in families:
            s, pool_ = score(labels[run.name], run.findings, family)
            totals[family].add(s)
            unlabelled.setdefault(run.name, []).extend(pool_)
            unlabelled_by_family[family][run.name] = pool_
            if (
                family not in declared
                and not s.findings
                and not (s.flag_total + s.not_total + s.either_total)
            ):
                continue  # a family the app does not cover and nothing to say about it
            rows.append((run.name, family, s, f"{run.seconds:.1f}s", str(len(run.crashes))))
    for family in families:
        seconds = sum(r.seconds for r in runs)
        rows.append(("TOTAL", family, totals[family], f"{seconds:.1f}s", str(all_crashes)))
    print(format_table(rows))

    by_code = Counter(f.code for run in runs for f in run.findings if f.family in families)
    print("findings by code: " + (", ".join(f"{c} {n}" for c, n in sorted(by_code.items())) or "none"))
    for run in runs:
        for crash in run.crashes:
            print(f"crash: {run.name}: {crash}")
        for problem in stale_labels(labels[run.name], apps_by_name[run.name].lint_root):
            print(f"stale label: {run.name}: {problem}")
    if args.show_missed:
        print("\nmissed must-flag labels:")
        for family in families:
            for label in totals[family].missed:
                print(f"  {label.path}:{label.line} [{label.family} {label.rule}] {label.why}")
    for family in families:
        for label, finding in totals[family].violated:
            print(f"violation: {label.path}:{label.line} must-not-flag, got {finding.code} {finding.message}")

    if args.sample > 0:
        print(f"\nunlabelled sample (up to {args.sample} per app, seed {args.seed}):")
        for name, pool_ in sorted(unlabelled.items()):
            for f in sample(pool_, args.sample, args.seed, name):
                print(f"  {name}: {f.path}:{f.line}: {f.code} {f.message}")

    if args.pooled_sample > 0:
        for family in families:
            drawn = pooled_sample(unlabelled_by_family[family], args.pooled_sample, args.seed)
            print(f"\npooled {family} sample ({len(drawn)} across all apps, seed {args.seed}):")
            for number, (name, f) in enumerate(drawn, 1):
                print(f"  {number:2}. {name}: {f.path}:{f.line}: {f.code} {f.message}")

    if args.rescore:
        return 1 if len(runs) < len(apps) else 0
    snapshot = {
        "apps": {
            r.name: {
                "seconds": round(r.seconds, 2),
                "exit_code": r.exit_code,
                "crashes": r.crashes,
                "findings": [asdict(f) for f in r.findings],
            }
            for r in runs
        }
    }
    args.snapshot.parent.mkdir(parents=True, exist_ok=True)
    args.snapshot.write_text(json.dumps(snapshot, indent=1) + "\n")
    print(f"\nsnapshot: {args.snapshot}")

    if previous is not None:
        current = {r.name: [f for f in r.findings if f.family in families] for r in runs}
        before = {app: [f for f in found if f.family in families] for app, found in previous.items()}
        appeared, gone = compare(before, current)
        print(f"\nsince {args.compare}: {len(appeared)} appeared, {len(gone)} disappeared")
        for sign, items in (("+", appeared), ("-", gone)):
            for name, f in items:
                print(f"  {sign} {name}: {f.path}:{f.line}: {f.code} {f.message}")
    return 1 if len(runs) < len(apps) else 0


if __name__ == "__main__":
    sys.exit(main())
