"""Loading framework packs: the built-in ones shipped in the package, plus the user's."""

from __future__ import annotations

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


def load_packs(user_packs: Iterable[str], root: Path) -> tuple[Pack, ...]:
    """Built-in packs followed by the user's (relative paths are from the project root)."""
    packs = list(builtin_packs())
    names = {pack.name for pack in packs}
    for entry in user_packs:
        path = Path(entry)
        if not path.is_absolute():
            path = root / path
        if not path.is_file():
            raise UserError(f"pack file not found: {entry} (looked for {path})")
        pack = _load(path, entry)
        if pack.name in names:
            raise UserError(f"{entry}: a pack named '{pack.name}' is already loaded")
        names.add(pack.name)
        packs.append(pack)
    return tuple(packs)
