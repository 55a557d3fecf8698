"""Cases 1-3: the cache never runs planted code, never follows a link; sources stay in the project."""

from __future__ import annotations

import hashlib
import hmac
import pickle
from pathlib import Path

from consistency_lint.app.cache import CACHE_DIR

from .conftest import GOOD, GOOD_FINDING, check, run


class _Planted:
    """Unpickling this runs `open(marker, "w")`: the marker proves the code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return exec, (f"open({str(self.marker)!r}, 'w').write('ran')",)


def _cache_names(project: Path, secret_dir: Path) -> tuple[str, str]:
    """Run once to learn this configuration's cache file names."""
    check(run(project, "check", secret_dir=secret_dir), 1)
    folder = project / CACHE_DIR
    (index,) = folder.glob("index-*.data")
    (results,) = folder.glob("results-*.data")
    return index.name, results.name


def test_a_planted_pickle_is_never_loaded(project: Path, secret_dir: Path, tmp_path: Path) -> None:
    index, results = _cache_names(project, secret_dir)
    marker = tmp_path / "marker"
    payload = pickle.dumps(_Planted(marker))
    for name in (index, results):
        (project / CACHE_DIR / name).write_bytes(payload)
    proc = run(project, "check", secret_dir=secret_dir)
    check(proc, 1)
    assert not marker.exists()


def test_a_planted_pickle_in_a_fresh_checkout_is_never_loaded(
    project: Path, secret_dir: Path, tmp_path: Path
) -> None:
    """The repository ships the cache (`git add -f`); the key is computable offline."""
    index, results = _cache_names(project, secret_dir)
    marker = tmp_path / "marker"
    for path in (project / CACHE_DIR).iterdir():
        path.unlink()
    for name in (index, results):
        (project / CACHE_DIR / name).write_bytes(pickle.dumps(_Planted(marker)))
    check(run(project, "check", secret_dir=tmp_path / "another-user"), 1)
    assert not marker.exists()


def test_even_a_correctly_signed_file_cannot_name_other_code(
    project: Path, secret_dir: Path, tmp_path: Path
) -> None:
    """Defence in depth: the format is data only (marshal), a pickle is never unpickled."""
    index, _ = _cache_names(project, secret_dir)
    marker = tmp_path / "marker"
    secret = (secret_dir / "cache-secret").read_bytes()
    body = pickle.dumps(_Planted(marker))
    mac = hmac.new(secret, index.encode() + b"\0" + body, hashlib.sha256).digest()
    (project / CACHE_DIR / index).write_bytes(b"CLCACHE3" + mac + body)
    check(run(project, "check", secret_dir=secret_dir), 1)
    assert not marker.exists()


def test_a_well_formed_unsigned_cache_that_hides_findings_is_rebuilt(project: Path, secret_dir: Path) -> None:
    index, results = _cache_names(project, secret_dir)
    stat = (project / "good.py").stat()
    entries = {"good.py": (stat.st_mtime_ns, stat.st_size, b"x" * 16, "good", False)}
    # The old format exactly: a project result that is empty hides every finding.
    forged = pickle.dumps((2, 0, entries, ("any", [])))
    (project / CACHE_DIR / index).write_bytes(forged)
    (project / CACHE_DIR / results).write_bytes(pickle.dumps((2, {})))
    check(run(project, "check", secret_dir=secret_dir), 1)


def test_a_cache_folder_that_is_a_link_is_not_used(project: Path, secret_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index-keep.pickle").write_bytes(b"not ours")
    (project / CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    for _ in range(2):
        proc = run(project, "check", secret_dir=secret_dir)
        check(proc, 1, warning="is a symbolic link; running without a cache")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["index-keep.pickle"]


def test_show_source_prints_no_line_of_a_file_outside_the_project(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    leaked = GOOD.replace('b"OrderPlaced")', 'b"OrderPlaced")  # SECRET')  # the flagged line
    outside.write_text(leaked, encoding="utf-8")
    (project / "leak.py").symlink_to(outside)
    proc = run(project, "check", "--show-source", "--no-cache")
    check(proc, 1)
    assert "SECRET" not in proc.stdout
    assert "leak.py:10:5: CL101" in proc.stdout  # still analysed, as the user asked
    assert 'producer.send("orders"' in proc.stdout  # the good file's source is shown
    assert GOOD_FINDING in proc.stdout
