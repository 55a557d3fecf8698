"""Benchmark consistency-lint against the libcst parse floor and two peers, on a pinned corpus.

    python benchmarks/run.py                # build the corpus if needed, measure, print the table
    python benchmarks/run.py --repeat 3     # best of 3 for every row
    python benchmarks/run.py --no-peers     # skip flake8, fixit and semgrep

The corpus is the sdists below, downloaded with `pip download --no-deps
--no-binary :all:` into `benchmarks/.corpus/` (git-ignored) and unpacked
there. The peers (flake8, fixit, semgrep OSS with one rule: the dual-write
pattern of `explain CL101`) are installed into their own virtual environment
`benchmarks/.corpus/peers-venv`, never into the project's; a peer that cannot
be installed is reported as such in its row. The medium project is mailman
alone (its own configuration, a copy under `benchmarks/.corpus/medium/`).
consistency-lint itself is run with the Python that runs this script (the
project's venv: `.venv/bin/python benchmarks/run.py`).

Every row runs in a fresh process, under a small wrapper that reports the
wall time and the peak resident memory of the measured process tree's
largest process (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`). Nothing
here asserts a time: this prints figures, tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".corpus"
SDISTS = CORPUS / "sdist"
TREE = CORPUS / "tree"
PEERS = CORPUS / "peers-venv"
PINNED = [
    ("Django", "5.0.6"),
    ("SQLAlchemy", "2.0.30"),
    ("wagtail", "6.1"),  # a Django application (CMS)
    ("mailman", "3.3.9"),  # a SQLAlchemy application (GNU Mailman core)
]
PEER_PACKAGES = ["flake8==7.5.0", "fixit==2.2.1"]
SEMGREP_PACKAGE = "semgrep==1.185.0"
MEDIUM = CORPUS / "medium"
# The dual-write pattern `consistency-lint explain CL101` shows: a publish after a commit.
SEMGREP_RULE = """\
rules:
  - id: publish-after-commit
    languages: [python]
    severity: ERROR
    message: publish after a transaction committed, outside an outbox (CL101)
    pattern-either:
      - pattern: |
          $S.commit()
          ...
          $P.send(...)
      - pattern: |
          $S.commit()
          ...
          $T.delay(...)
      - pattern: |
          $S.commit()
          ...
          $T.apply_async(...)
"""
ALL_RULES = ["--select", "CL", "--extend-select", "CL002,CL104,CL304"]

FLOOR = r"""
import sys, libcst
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
failed = 0
for path in paths:
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        libcst.parse_module(data)
    except Exception:
        failed += 1
print(failed, file=sys.stderr)
"""


# ----- corpus ----------------------------------------------------------------


def _sdist(name: str, version: str) -> Path:
    SDISTS.mkdir(parents=True, exist_ok=True)
    for candidate in SDISTS.iterdir():
        stem = candidate.name.lower().replace("_", "-")
        if stem.startswith(f"{name.lower()}-{version}.") and candidate.name.endswith((".tar.gz", ".zip")):
            return candidate
    print(f"downloading {name}=={version} ...", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"{name}=={version}",
            "-d",
            str(SDISTS),
        ],
        check=True,
    )
    return _sdist(name, version)


def build_corpus() -> list[Path]:
    TREE.mkdir(parents=True, exist_ok=True)
    config = TREE / "consistency-lint.toml"
    if not config.exists():
        config.write_text("# the benchmark corpus is one project: settings are the defaults\n")
    for name, version in PINNED:
        target = TREE / f"{name.lower()}-{version}"
        if target.is_dir():
            continue
        archive = _sdist(name, version)
        temp = TREE / f".{target.name}.partial"
        shutil.rmtree(temp, ignore_errors=True)
        with tarfile.open(archive) as tar:
            if sys.version_info >= (3, 12):
                tar.extractall(temp, filter="data")
            else:
                tar.extractall(temp)
        temp.rename(target)
    files = sorted(p for p in TREE.rglob("*.py") if p.is_file() and not p.name.startswith("."))
    return files


def peers_python() -> Path | None:
    python = PEERS / "bin" / "python"
    if not python.exists():
        print("creating the peers' venv ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
    return python


def semgrep_command(python: Path) -> tuple[list[str], str]:
    """(the semgrep command line, "") or ([], why semgrep is not available here)."""
    semgrep = python.parent / "semgrep"
    if not semgrep.exists():
        print(f"installing {SEMGREP_PACKAGE} into the peers' venv ...", file=sys.stderr)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", SEMGREP_PACKAGE], capture_output=True, text=True
        )
        if done.returncode != 0 or not semgrep.exists():
            last = (done.stderr.strip().splitlines() or ["no semgrep executable"])[-1]
            return [], f"{SEMGREP_PACKAGE} could not be installed: {last[:120]}"
    rule = CORPUS / "semgrep-cl101.yml"
    rule.write_text(SEMGREP_RULE, encoding="utf-8")
    probe = subprocess.run([str(semgrep), "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        return [], f"semgrep does not run here: {(probe.stderr.strip().splitlines() or ['?'])[-1][:120]}"
    command = [str(semgrep), "scan", "--config", str(rule), "--metrics=off", "--disable-version-check"]
    return [*command, "--quiet", "--no-git-ignore", "--include", "*.py", "."], ""


def medium_project() -> Path:
    """mailman alone, as its own project (a copy with its own configuration)."""
    name = next(f"{n.lower()}-{v}" for n, v in PINNED if n == "mailman")
    target = MEDIUM / name
    if not target.is_dir():
        shutil.copytree(TREE / name, target, ignore=shutil.ignore_patterns(".consistency-lint-cache"))
        (target / "consistency-lint.toml").write_text("# the medium project: default settings\n")
    return target


# ----- measuring ---------------------------------------------------------------


def compile_bytecode() -> None:
    """Compile consistency-lint's modules to bytecode, as installing a wheel does.

    A development checkout run with PYTHONDONTWRITEBYTECODE (or from a read-only
    tree) compiles every module from source in every process, about 0.15 s:
    more than half of a warm run, and not what an installed tool pays.
    """
    import compileall

    import consistency_lint

    compileall.compile_dir(Path(consistency_lint.__file__).parent, quiet=1)


def measure(command: list[str], cwd: Path) -> dict[str, float]:
    """Wall seconds and peak RSS (MB) of `command`, run under a fresh wrapper process."""
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--measure", "--", *command]
    done = subprocess.run(wrapper, cwd=cwd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _measure_main(command: list[str]) -> None:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = usage.ru_maxrss
    if done.returncode not in (0, 1):
        print(f"warning: {command[:3]} exited {done.returncode}: {done.stderr[-500:]}", file=sys.stderr)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"wall": wall, "cpu": cpu, "rss_mb": peak_kb / 1024, "rc": done.returncode}))


def best(command: list[str], cwd: Path, repeat: int, before: object = None) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(measure(command, cwd))
    return min(runs, key=lambda r: r["wall"])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--repeat", type=int, default=1, help="best of N for every row")
    parser.add_argument("--no-peers", action="store_true", help="skip flake8 and fixit")
    parser.add_argument(
        "--no-cold", action="store_true", help="skip the two cold --no-cache runs (cache rows only)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    files = build_corpus()
    compile_bytecode()
    load_before = os.getloadavg()[0]
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    listing = CORPUS / "files.txt"
    listing.write_text("\n".join(str(p) for p in files) + "\n", encoding="utf-8")
    cache = TREE / ".consistency-lint-cache"
    script = Path(sys.executable).parent / "consistency-lint"
    cl = [str(script)] if script.exists() else [sys.executable, "-c", _CL]
    check = [*cl, "check", ".", *ALL_RULES]
    rows: list[tuple[str, dict[str, float]]] = []

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    print(f"corpus: {len(files)} files, {lines} lines ({', '.join(f'{n} {v}' for n, v in PINNED)})")
    rows.append(
        (
            "libcst parse_module, 1 process (floor)",
            best([sys.executable, "-c", FLOOR, str(listing)], TREE, args.repeat),
        )
    )
    if not args.no_cold:
        rows.append(
            (
                "consistency-lint cold, --jobs 1, --no-cache",
                best([*check, "--jobs", "1", "--no-cache"], TREE, args.repeat),
            )
        )
        rows.append(
            (
                f"consistency-lint cold, default jobs ({os.cpu_count()}), --no-cache",
                best([*check, "--no-cache"], TREE, args.repeat),
            )
        )
    rows.append(
        (
            "consistency-lint cold, default jobs, writing the cache",
            best(check, TREE, args.repeat, before=clear_cache),
        )
    )
    rows.append(("consistency-lint warm cache, unchanged tree", best(check, TREE, args.repeat)))

    touched = files[len(files) // 2]
    original = touched.read_bytes()
    counter = iter(range(10**6))

    def touch() -> None:  # an edit that changes no fact: the stored project result stands
        touched.write_bytes(original + f"\n# benchmark edit {next(counter)}\n".encode())

    def touch_code() -> None:  # an edit that changes the file's facts: the project phase runs
        touched.write_bytes(original + f"\n\ndef _benchmark_edit_{next(counter)}():\n    return 1\n".encode())

    try:
        rows.append(
            ("consistency-lint warm cache, one file edited (comment)", best(check, TREE, args.repeat, touch))
        )
        rows.append(
            (
                "consistency-lint warm cache, one file edited (code)",
                best(check, TREE, args.repeat, touch_code),
            )
        )
    finally:
        touched.write_bytes(original)
    medium = medium_project()
    medium_files = sorted(p for p in medium.rglob("*.py") if p.is_file())
    medium_label = f"medium project ({medium.name}, {len(medium_files)} files)"
    measure(check, medium)  # writes its cache
    rows.append((f"{medium_label} warm cache, unchanged tree", best(check, medium, args.repeat)))
    touched = medium_files[len(medium_files) // 2]
    original = touched.read_bytes()
    try:
        rows.append(
            (f"{medium_label} warm, one file edited (code)", best(check, medium, args.repeat, touch_code))
        )
    finally:
        touched.write_bytes(original)
    unavailable: list[str] = []
    if not args.no_peers:
        peers = peers_python()
        assert peers is not None
        bin_dir = peers.parent
        rows.append(
            (
                "flake8 -j 1 (default plugins)",
                best([str(bin_dir / "python"), "-c", _FLAKE8, str(listing)], TREE, args.repeat),
            )
        )
        rows.append(
            (
                "fixit lint (default rules)",
                best([str(bin_dir / "python"), "-c", _FIXIT, str(listing)], TREE, args.repeat),
            )
        )
        semgrep, why = semgrep_command(peers)
        if semgrep:
            rows.append(
                ("semgrep OSS, one rule (CL101's pattern), default jobs", best(semgrep, TREE, args.repeat))
            )
        else:
            unavailable.append(f"semgrep OSS: not measured, {why}")

    floor = rows[0][1]["wall"]
    floor_cpu = rows[0][1]["cpu"]
    print(f"machine: {machine()}; load average at start {load_before:.1f}, at end {os.getloadavg()[0]:.1f}")
    print()
    print(
        f"| {'run':<58} | {'wall s':>7} | {'x floor':>7} | {'CPU s':>7} | {'CPU x floor':>11} "
        f"| {'peak RSS MB':>11} |"
    )
    print(f"|{'-' * 60}|{'-' * 9}:|{'-' * 8}:|{'-' * 8}:|{'-' * 12}:|{'-' * 12}:|")
    for label, row in rows:
        print(
            f"| {label:<58} | {row['wall']:>7.2f} | {row['wall'] / floor:>7.2f} | {row['cpu']:>7.2f} "
            f"| {row['cpu'] / floor_cpu:>11.2f} | {row['rss_mb']:>11.0f} |"
        )
    for line in unavailable:
        print(f"| {line:<58} |")
    if not args.no_cold:
        single = rows[1][1]["wall"]
        parallel = rows[2][1]["wall"]
        print()
        print(f"parallel speed-up (--jobs 1 / default jobs): {single / parallel:.2f}x")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"files": len(files), "lines": lines, "machine": machine(), "rows": dict(rows)}, indent=2
            )
        )


_CL = "from consistency_lint.adapters.cli import main; main()"

# The peers get the same file list as arguments (read from the listing, so no
# command line is too long).
_FLAKE8 = r"""
import sys
from flake8.main.cli import main
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
sys.exit(main(["-j", "1", *paths]))
"""
_FIXIT = r"""
import sys
from fixit.cli import main
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
sys.argv = ["fixit", "lint", *paths]
main()
"""


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure" and sys.argv[2] == "--":
        _measure_main(sys.argv[3:])
    else:
        main()
