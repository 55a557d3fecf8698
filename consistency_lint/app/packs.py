"""Loading framework packs: the built-in ones shipped in the package, plus the user's."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from consistency_lint.app.errors import UserError
from consistency_lint.app.toml import load_toml
from consistency_lint.domain.packs import Pack, PackError, parse_pack


def builtin_pack_dir() -> Path:
    """The packs folder: `consistency_lint/rules/packs` in a wheel, `rules/packs` in a checkout."""
    installed = resources.files("consistency_lint").joinpath("rules", "packs")
    if installed.is_dir():
        return Path(str(installed))
    checkout = Path(__file__).resolve().parents[2] / "rules" / "packs"
    if checkout.is_dir():
        return checkout
    raise UserError("the built-in framework packs are missing from this installation")


def _load(path: Path, label: str) -> Pack:
    data = load_toml(path)
    try:
        return parse_pack(data, label)
    except PackError as error:
        raise UserError(str(error)) from error


@lru_cache(maxsize=1)
def builtin_packs() -> tuple[Pack, ...]:
    folder = builtin_pack_dir()
    return tuple(_load(path, f"rules/packs/{path.name}") for path in sorted(folder.glob("*.toml")))


def _user_pack_files(user_packs: Iterable[str], root: Path) -> list[tuple[Path, str]]:
    """(path, label) of each user pack; a missing one is a UserError."""
    out = []
    for entry in user_packs:
        path = Path(entry)
        if not path.is_absolute():
            path = root / path
        if not path.is_file():
            raise UserError(f"pack file not found: {entry} (looked for {path})")
        out.append((path, entry))
    return out


def pack_fingerprint(user_packs: Iterable[str], root: Path) -> str:
    """A digest of the text of every pack `load_packs` would load, without parsing them.

    Parsing the ~60 built-in packs costs more than the rest of a warm run's own
    work: the cache is keyed on their bytes instead (what they parse to depends
    on nothing else, and the tool's own version is part of the key). A missing
    user pack is the same UserError as when loading.
    """
    digest = hashlib.blake2b(digest_size=16)
    files = [(path, f"rules/packs/{path.name}") for path in sorted(builtin_pack_dir().glob("*.toml"))]
    for path, label in files + _user_pack_files(user_packs, root):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UserError(f"{label}: cannot read: {error.strerror or error}") from error
        digest.update(label.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.blake2b(data, digest_size=16).digest())
    return digest.hexdigest()


def load_packs(user_packs: Iterable[str], root: Path) -> tuple[Pack, ...]:
    """Built-in packs followed by the user's (relative paths are from the project root)."""
    packs = list(builtin_packs())
    names = {pack.name for pack in packs}
    for path, entry in _user_pack_files(user_packs, root):
        pack = _load(path, entry)
        if pack.name in names:
            raise UserError(f"{entry}: a pack named '{pack.name}' is already loaded")
        names.add(pack.name)
        packs.append(pack)
    return tuple(packs)
