"""The ecosystem corpus: pinned applications, downloaded and unpacked on demand.

    python benchmarks/ecosystem/corpus.py                 # fetch and unpack every app
    python benchmarks/ecosystem/corpus.py --app indico    # one app
    python benchmarks/ecosystem/corpus.py --list          # apps, sources, whether unpacked

Each application is a folder `apps/<name>/` holding `app.toml` (its pinned
source), `consistency-lint.toml` and `labels.toml`. Sources:

- `pypi:NAME==VERSION`: the sdist, fetched with
  `pip download --no-deps --no-binary :all: NAME==VERSION` into
  `benchmarks/.corpus/ecosystem/_sdist/` and unpacked (its single top folder
  stripped) into `benchmarks/.corpus/ecosystem/<name>/`.
- `github:OWNER/REPO@COMMIT` (40 hex digits): a bare git directory of the
  repository is needed locally; this script never clones. It looks, in order,
  in every folder of `$ECOSYSTEM_MIRRORS` (os.pathsep-separated), then in
  `benchmarks/.corpus/ecosystem/_mirrors/`, then in `/work/.mirror/`, for a
  git directory named `OWNER+REPO` (or `OWNER+REPO.git`, `OWNER/REPO`, or a
  folder holding one such git directory). A mirror made with
  `git clone --mirror https://github.com/OWNER/REPO OWNER+REPO` works.
  The tree at COMMIT (only `root`'s subtree when `root` is set) is written from
  `git ls-tree` and `git cat-file --batch`; blobs the mirror lacks (fetched
  mirrors may leave out the largest files) are skipped with a warning.

Everything lands in `benchmarks/.corpus/` (git-ignored). Nothing here runs
during the test suite; the tests exercise only the pure parsing below.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
APPS = HERE / "apps"
CORPUS = HERE.parent / ".corpus" / "ecosystem"
SDISTS = CORPUS / "_sdist"
LOCAL_MIRRORS = CORPUS / "_mirrors"
DEFAULT_MIRRORS = Path("/work/.mirror")
STAMP = ".ecosystem-source"
FAMILIES = ("dual", "tenant", "layer")
APP_KEYS = {"name", "source", "root", "families", "frameworks", "notes"}
_PYPI = re.compile(r"^pypi:(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)$")
_GITHUB = re.compile(
    r"^github:(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+)@(?P<commit>[0-9a-f]{40})$"
)


class CorpusError(Exception):
    """A bad app description or a source that cannot be fetched: one line for the user."""


@dataclass(frozen=True)
class App:
    name: str
    source: str
    root: str
    families: tuple[str, ...]
    frameworks: tuple[str, ...]
    notes: str
    folder: Path

    @property
    def unpacked(self) -> Path:
        return CORPUS / self.name

    @property
    def lint_root(self) -> Path:
        return self.unpacked / self.root if self.root else self.unpacked


def parse_app(data: dict[str, Any], folder: Path) -> App:
    """Validate one app.toml table (pure)."""
    where = f"{folder.name}/app.toml"
    unknown = sorted(set(data) - APP_KEYS)
    if unknown:
        raise CorpusError(
            f"{where}: unknown key(s) {', '.join(unknown)} (valid: {', '.join(sorted(APP_KEYS))})"
        )
    for key in ("name", "source"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise CorpusError(f"{where}: '{key}' must be a non-empty string")
    if data["name"] != folder.name:
        raise CorpusError(f"{where}: name '{data['name']}' differs from its folder '{folder.name}'")
    source = data["source"]
    if not (_PYPI.match(source) or _GITHUB.match(source)):
        raise CorpusError(
            f"{where}: source '{source}' is neither 'pypi:NAME==VERSION' "
            "nor 'github:OWNER/REPO@<40-hex commit>'"
        )
    root = data.get("root", "")
    if not isinstance(root, str) or root.startswith("/") or ".." in Path(root).parts:
        raise CorpusError(f"{where}: 'root' must be a relative folder inside the source")
    families = data.get("families", [])
    if not isinstance(families, list) or not all(f in FAMILIES for f in families):
        raise CorpusError(f"{where}: 'families' must be a list of {', '.join(FAMILIES)}")
    frameworks = data.get("frameworks", [])
    if not isinstance(frameworks, list) or not all(isinstance(f, str) for f in frameworks):
        raise CorpusError(f"{where}: 'frameworks' must be a list of strings")
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise CorpusError(f"{where}: 'notes' must be a string")
    return App(data["name"], source, root.strip("/"), tuple(families), tuple(frameworks), notes, folder)


def load_app(folder: Path) -> App:
    path = folder / "app.toml"
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise CorpusError(f"{folder.name}: no app.toml") from None
    except tomllib.TOMLDecodeError as error:
        raise CorpusError(f"{folder.name}/app.toml: invalid TOML: {error}") from None
    return parse_app(data, folder)


def load_apps(names: list[str] | None = None, apps_dir: Path = APPS) -> list[App]:
    if not apps_dir.is_dir():
        return []
    folders = sorted(p for p in apps_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    known = {p.name for p in folders}
    for name in names or []:
        if name not in known:
            raise CorpusError(f"unknown app '{name}' (known: {', '.join(sorted(known))})")
    return [load_app(p) for p in folders if not names or p.name in names]


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(command, capture_output=True, check=False, **kwargs)
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise CorpusError(f"{' '.join(command[:4])} ... failed: {' | '.join(tail)}")
    return result


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _download_sdist(name: str, version: str) -> Path:
    SDISTS.mkdir(parents=True, exist_ok=True)
    wanted = (_canonical(name), version)

    def find() -> Path | None:
        for p in SDISTS.iterdir():
            stem = re.sub(r"\.(tar\.gz|tar\.bz2|zip)$", "", p.name)
            if stem != p.name and "-" in stem:
                got_name, _, got_version = stem.rpartition("-")
                if (_canonical(got_name), got_version) == wanted:
                    return p
        return None

    found = find()
    if found is None:
        _run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             "--dest", str(SDISTS), f"{name}=={version}"]
        )  # fmt: skip
        found = find()
    if found is None:
        raise CorpusError(f"pip download {name}=={version} produced no sdist in {SDISTS}")
    return found


def _safe_members(names: list[str]) -> None:
    for member in names:
        if member.startswith("/") or ".." in Path(member).parts:
            raise CorpusError(f"archive member escapes the target folder: {member}")


def _unpack_archive(archive: Path, target: Path) -> None:
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            _safe_members(zf.namelist())
            zf.extractall(staging)
    else:
        with tarfile.open(archive) as tf:
            _safe_members(tf.getnames())
            members = [m for m in tf.getmembers() if m.isfile() or m.isdir()]
            tf.extractall(staging, members=members)  # members checked above
    entries = list(staging.iterdir())
    top = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(top), str(target))
    shutil.rmtree(staging, ignore_errors=True)


def mirror_candidates(owner: str, repo: str, environ: dict[str, str] | None = None) -> list[Path]:
    """Where a bare git dir of OWNER/REPO may be, in search order (pure)."""
    env = os.environ if environ is None else environ
    bases = [Path(p) for p in env.get("ECOSYSTEM_MIRRORS", "").split(os.pathsep) if p]
    bases += [LOCAL_MIRRORS, DEFAULT_MIRRORS]
    names = [f"{owner}+{repo}", f"{owner}+{repo}.git", f"{owner}/{repo}", f"{owner}/{repo}.git"]
    return [base / name for base in bases for name in names]


def _is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def find_mirror(owner: str, repo: str) -> Path:
    for candidate in mirror_candidates(owner, repo):
        if _is_git_dir(candidate):
            return candidate
        if candidate.is_dir():  # the fetch tool nests the git dir one level down
            inner = [p for p in candidate.iterdir() if p.is_dir() and _is_git_dir(p)]
            if len(inner) == 1:
                return inner[0]
            if (candidate / ".git").is_dir():
                return candidate / ".git"
    raise CorpusError(
        f"no local git mirror of {owner}/{repo}: fetch it (search tool 'fetch github:{owner}/{repo}', or "
        f"'git clone --mirror') and put it in $ECOSYSTEM_MIRRORS or {LOCAL_MIRRORS}/{owner}+{repo}"
    )


def _unpack_github(owner: str, repo: str, commit: str, root: str, target: Path) -> list[str]:
    """Write the tree of COMMIT (only ROOT's subtree when given); return the paths whose blobs are absent.

    Mirrors may lack their largest blobs; those files are skipped (and listed) instead of failing.
    """
    git_dir = find_mirror(owner, repo)
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    git = ["git", "--git-dir", str(git_dir)]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "-z", "--full-tree", commit, *([root] if root else [])],
        capture_output=True, check=False,
    )  # fmt: skip
    if listing.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise CorpusError(
            f"git ls-tree {commit[:12]} in {git_dir} failed: "
            + listing.stderr.decode(errors="replace").strip()
        )
    blobs: list[tuple[str, str]] = []
    for record in listing.stdout.decode(errors="surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, kind, sha = meta.split()
        if kind == "blob" and mode != "120000":  # symlinks are left out, like the sdists' unpacking
            _safe_members([path])
            blobs.append((sha, path))
    batch = subprocess.run(
        [*git, "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in blobs).encode(), capture_output=True, check=False,
    )  # fmt: skip
    data, offset, absent = batch.stdout, 0, []
    for _sha, path in blobs:
        end = data.index(b"\n", offset)
        header = data[offset:end].split()
        offset = end + 1
        if len(header) < 3 or header[1] == b"missing":
            absent.append(path)
            continue
        size = int(header[2])
        out = staging / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data[offset : offset + size])
        offset += size + 1
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(staging), str(target))
    return absent


def ensure(app: App, force: bool = False) -> Path:
    """Unpack APP's pinned source (downloading it if needed); return the folder to lint."""
    stamp = app.unpacked / STAMP
    if not force and stamp.is_file() and stamp.read_text().strip() == app.source:
        return app.lint_root
    CORPUS.mkdir(parents=True, exist_ok=True)
    pypi = _PYPI.match(app.source)
    if pypi:
        _unpack_archive(_download_sdist(pypi["name"], pypi["version"]), app.unpacked)
    else:
        github = _GITHUB.match(app.source)
        assert github is not None  # parse_app checked it
        absent = _unpack_github(github["owner"], github["repo"], github["commit"], app.root, app.unpacked)
        if absent:
            print(f"{app.name}: {len(absent)} file(s) absent from the mirror, skipped", file=sys.stderr)
    stamp.write_text(app.source + "\n")
    if not app.lint_root.is_dir():
        raise CorpusError(f"{app.name}: root '{app.root}' is not a folder of {app.source}")
    return app.lint_root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", action="append", help="only this app (repeatable)")
    parser.add_argument("--force", action="store_true", help="unpack again even if present")
    parser.add_argument("--list", action="store_true", help="list apps and whether they are unpacked")
    args = parser.parse_args(argv)
    try:
        apps = load_apps(args.app)
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    failed = 0
    for app in apps:
        if args.list:
            state = "unpacked" if (app.unpacked / STAMP).is_file() else "absent"
            print(f"{app.name:24} {app.source:60} {state}")
            continue
        try:
            root = ensure(app, force=args.force)
        except CorpusError as error:
            print(f"{app.name}: error: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{app.name}: {root}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
