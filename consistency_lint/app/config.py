"""Configuration: find it, read it once, validate it into a frozen `Settings`.

Keys live in `[tool.consistency-lint]` of `pyproject.toml`, or at the top level
of `consistency-lint.toml`; both are found by walking up from the current
directory. Every error names the file and the key and suggests the nearest
valid key; all errors of a file are reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consistency_lint.app.errors import UserError
from consistency_lint.app.toml import load_toml
from consistency_lint.checks import CATALOGUE
from consistency_lint.domain.packs import suggest
from consistency_lint.domain.selection import resolve_enabled
from consistency_lint.domain.settings import (
    ALL_EFFECT_KINDS,
    DEFAULT_EFFECT_KINDS,
    DEFAULT_OUTBOX_MODELS,
    DEFAULT_TENANCY_EXCLUDE,
    DEFAULT_TENANT_KEYS,
    TENANCY_MODES,
    LayerSettings,
    Settings,
    TenancySettings,
)

TOOL_FILE = "consistency-lint.toml"
PYPROJECT = "pyproject.toml"
TABLE = "tool.consistency-lint"


@dataclass(frozen=True)
class Overrides:
    """What the command line adds on top of the file."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()


def _has_table(path: Path) -> bool:
    data = load_toml(path)
    return isinstance(data.get("tool"), dict) and "consistency-lint" in data["tool"]


def find_config(start: Path) -> Path | None:
    """The nearest `consistency-lint.toml`, or `pyproject.toml` with our table, above `start`."""
    for folder in [start, *start.parents]:
        tool_file = folder / TOOL_FILE
        if tool_file.is_file():
            return tool_file
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def read_raw(path: Path) -> dict[str, Any]:
    data = load_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        table = tool.get("consistency-lint", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise UserError(f"{path}: [{TABLE}] must be a table")
        return table
    return data


class _Validator:
    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[str] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.label}: {key}: {message}")

    def unknown(self, table: dict[str, Any], allowed: Iterable[str], prefix: str) -> None:
        allowed = set(allowed)
        for key in table:
            if key not in allowed:
                self.error(f"{prefix}{key}", f"unknown key{suggest(key, allowed)}")

    def strings(
        self, table: dict[str, Any], key: str, prefix: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"{prefix}{key}", f"expected a list of strings, got {value!r}")
            return default
        return tuple(value)

    def boolean(self, table: dict[str, Any], key: str, prefix: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.error(f"{prefix}{key}", f"expected true or false, got {value!r}")
            return default
        return value

    def choice(
        self, table: dict[str, Any], key: str, prefix: str, choices: tuple[str, ...], default: str
    ) -> str:
        value = table.get(key, default)
        if value not in choices:
            self.error(
                f"{prefix}{key}",
                f"expected one of {', '.join(repr(c) for c in choices)}, got {value!r}"
                f"{suggest(str(value), choices)}",
            )
            return default
        return str(value)

    def codes(self, values: tuple[str, ...], key: str) -> tuple[str, ...]:
        prefixes = {code[:n] for code in CATALOGUE for n in range(2, 6)}
        good = []
        for value in values:
            if value.upper() in prefixes:
                good.append(value.upper())
            else:
                self.error(key, f"unknown rule code '{value}'{suggest(value.upper(), CATALOGUE)}")
        return tuple(good)


_TOP = {
    "select": "list of codes",
    "ignore": "list of codes",
    "extend-select": "list of codes",
    "extend-ignore": "list of codes",
    "exclude": "",
    "extend-exclude": "",
    "per-file-ignores": "",
    "respect-gitignore": "",
    "packs": "",
    "effect-kinds": "",
    "outbox-models": "",
    "atomic-requests": "",
    "src": "",
    "tenancy": "",
    "layers": "",
}
_TENANCY = (
    "mode",
    "tenant-keys",
    "tenant-models",
    "global-models",
    "scoping-helpers",
    "bootstrap-modules",
    "tenant-sources",
    "scope-guards",
    "tenant-lookup-fields",
    "exclude",
)
_LAYERS = ("domain", "persistence", "outer", "type-checking-imports")


def resolve(raw: dict[str, Any], label: str, root: Path, overrides: Overrides = Overrides()) -> Settings:
    """Validate a raw table into Settings; raise UserError listing every problem."""
    v = _Validator(label)
    v.unknown(raw, _TOP, "")
    select = v.codes(v.strings(raw, "select", "", ()), "select") if "select" in raw else None
    ignore = v.codes(v.strings(raw, "ignore", "", ()), "ignore")
    ignore += v.codes(v.strings(raw, "extend-ignore", "", ()), "extend-ignore")
    extend_select = v.codes(v.strings(raw, "extend-select", "", ()), "extend-select")
    per_file: list[tuple[str, tuple[str, ...]]] = []
    table = raw.get("per-file-ignores", {})
    if not isinstance(table, dict):
        v.error("per-file-ignores", "expected a table of pattern = [codes]")
    else:
        for pattern, codes in table.items():
            key = f'per-file-ignores."{pattern}"'
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                v.error(key, f"expected a list of codes, got {codes!r}")
                continue
            per_file.append((pattern, v.codes(tuple(codes), key)))
    effect_kinds = v.strings(raw, "effect-kinds", "", DEFAULT_EFFECT_KINDS)
    for kind in effect_kinds:
        if kind not in ALL_EFFECT_KINDS:
            v.error("effect-kinds", f"unknown effect kind '{kind}'{suggest(kind, ALL_EFFECT_KINDS)}")
    tenancy = _section(v, raw, "tenancy", _TENANCY, _tenancy)
    layers = _section(v, raw, "layers", _LAYERS, _layers)
    settings_kw = {
        "exclude": v.strings(raw, "exclude", "", ()) + v.strings(raw, "extend-exclude", "", ()),
        "respect_gitignore": v.boolean(raw, "respect-gitignore", "", True),
        "packs": v.strings(raw, "packs", "", ()),
        "effect_kinds": effect_kinds,
        "outbox_models": v.strings(raw, "outbox-models", "", DEFAULT_OUTBOX_MODELS),
        "atomic_requests": v.boolean(raw, "atomic-requests", "", False),
        "src": v.strings(raw, "src", "", ()),
    }
    if overrides.select is not None:
        # A command-line selection starts afresh, as in ruff: the file's select and
        # ignore lists give way to it; --ignore and --extend-select still add to it.
        select = v.codes(overrides.select, "--select")
        ignore = ()
    ignore += v.codes(overrides.ignore, "--ignore")
    extend_select += v.codes(overrides.extend_select, "--extend-select")
    if v.errors:
        raise UserError("\n".join(v.errors))
    enabled = resolve_enabled(CATALOGUE.values(), select, extend_select, ignore)
    return Settings(
        enabled=enabled,
        per_file_ignores=tuple(per_file),
        tenancy=tenancy if isinstance(tenancy, TenancySettings) else TenancySettings(),
        layers=layers if isinstance(layers, LayerSettings) else LayerSettings(),
        root=str(root),
        config_file=label,
        **settings_kw,  # type: ignore[arg-type]
    )


def _section(
    v: _Validator,
    raw: dict[str, Any],
    name: str,
    keys: tuple[str, ...],
    build: Callable[[_Validator, dict[str, Any], str], object],
) -> object:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        v.error(name, "expected a table")
        table = {}
    v.unknown(table, keys, f"{name}.")
    return build(v, table, f"{name}.")


def _tenancy(v: _Validator, t: dict[str, Any], p: str) -> TenancySettings:
    return TenancySettings(
        mode=v.choice(t, "mode", p, TENANCY_MODES, "shared-database"),
        tenant_keys=v.strings(t, "tenant-keys", p, DEFAULT_TENANT_KEYS),
        tenant_models=v.strings(t, "tenant-models", p, ()),
        global_models=v.strings(t, "global-models", p, ()),
        scoping_helpers=v.strings(t, "scoping-helpers", p, ()),
        bootstrap_modules=v.strings(t, "bootstrap-modules", p, ()),
        tenant_sources=v.strings(t, "tenant-sources", p, ()),
        scope_guards=v.strings(t, "scope-guards", p, ()),
        tenant_lookup_fields=v.strings(t, "tenant-lookup-fields", p, ()),
        exclude=v.strings(t, "exclude", p, DEFAULT_TENANCY_EXCLUDE),
    )


def _layers(v: _Validator, t: dict[str, Any], p: str) -> LayerSettings:
    return LayerSettings(
        domain=v.strings(t, "domain", p, ()),
        persistence=v.strings(t, "persistence", p, ()),
        outer=v.strings(t, "outer", p, ()),
        type_checking_imports=v.boolean(t, "type-checking-imports", p, True),
    )


def load_settings(
    config: Path | None,
    cwd: Path,
    overrides: Overrides = Overrides(),
    paths: Sequence[Path] = (),
) -> Settings:
    """Settings from an explicit file, or the discovered one, or the defaults.

    Discovery walks up from the current directory (SPEC section 6). When that
    finds nothing, it walks up from the first path given instead, so that
    `consistency-lint check examples/shop` uses the example's own configuration.
    """
    if config is not None:
        if not config.is_file():
            raise UserError(f"configuration file not found: {config}")
        path: Path | None = config.resolve()
    else:
        path = find_config(cwd.resolve())
        if path is None and paths:
            first = (cwd / paths[0]).resolve()
            path = find_config(first if first.is_dir() else first.parent)
    if path is None:
        return resolve({}, "(defaults)", cwd.resolve(), overrides)
    label = _display(path, cwd)
    return resolve(read_raw(path), label, path.parent, overrides)


def _display(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd.resolve()))
    except ValueError:
        return str(path)
