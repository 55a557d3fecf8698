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
from consistency_lint.domain.catalogue import HEADS
from consistency_lint.domain.globs import pattern_problem
from consistency_lint.domain.packs import suggest
from consistency_lint.domain.selection import ALL, Selection, resolve_layers
from consistency_lint.domain.settings import (
    ALL_EFFECT_KINDS,
    DEFAULT_ANALYSIS_EXCLUDE,
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
    """What the command line says, applied on top of the file (ruff's order, see `domain.selection`).

    `exclude=None` keeps the file's `exclude`; a tuple replaces it (the file's
    `extend-exclude` still applies), and `extend_exclude` adds to both.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()


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
        prefixes = {code[:n] for code in HEADS for n in range(2, 6)}
        good = []
        for value in values:
            if value.upper() in prefixes or value.upper() == ALL:
                good.append(value.upper())
            else:
                self.error(key, f"unknown rule code '{value}'{suggest(value.upper(), HEADS)}")
        return tuple(good)


_TOP = {
    "select": "list of codes",
    "ignore": "list of codes",
    "extend-select": "list of codes",
    "extend-ignore": "list of codes",
    "exclude": "",
    "extend-exclude": "",
    "analysis-exclude": "",
    "extend-analysis-exclude": "",
    "per-file-ignores": "",
    "respect-gitignore": "",
    "packs": "",
    "effect-kinds": "",
    "outbox-models": "",
    "atomic-requests": "",
    "src": "",
    "tenancy": "",
    "layers": "",
    "file-timeout": "",
    "file-memory-mb": "",
}
_TENANCY = (
    "mode",
    "tenant-keys",
    "tenant-models",
    "global-models",
    "scoping-helpers",
    "bootstrap-modules",
    "tenant-sources",
    "principal-models",
    "operator-guards",
    "scope-guards",
    "object-guards",
    "verifiers",
    "tenant-lookup-fields",
    "exclude",
)
_LAYERS = ("domain", "persistence", "outer", "type-checking-imports")


def resolve(raw: dict[str, Any], label: str, root: Path, overrides: Overrides = Overrides()) -> Settings:
    """Validate a raw table into Settings; raise UserError listing every problem."""
    command_line = _Validator("command line")
    cli_layer = Selection(
        command_line.codes(overrides.select, "--select") if overrides.select is not None else None,
        command_line.codes(overrides.extend_select, "--extend-select"),
        command_line.codes(overrides.ignore, "--ignore"),
    )
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
    exclude = v.strings(raw, "exclude", "", ())
    if overrides.exclude is not None:
        exclude = overrides.exclude
    settings_kw = {
        "exclude": exclude + v.strings(raw, "extend-exclude", "", ()) + overrides.extend_exclude,
        "analysis_exclude": v.strings(raw, "analysis-exclude", "", DEFAULT_ANALYSIS_EXCLUDE)
        + v.strings(raw, "extend-analysis-exclude", "", ()),
        "respect_gitignore": v.boolean(raw, "respect-gitignore", "", True),
        "packs": v.strings(raw, "packs", "", ()),
        "effect_kinds": effect_kinds,
        "outbox_models": v.strings(raw, "outbox-models", "", DEFAULT_OUTBOX_MODELS),
        "atomic_requests": v.boolean(raw, "atomic-requests", "", False),
        "src": v.strings(raw, "src", "", ()),
        "file_timeout": float(_limit(v, raw, "file-timeout", 60)),
        "file_memory_mb": int(_limit(v, raw, "file-memory-mb", 2048)),
    }
    _check_patterns(v, raw, tenancy, layers)
    for option, patterns in (
        ("--exclude", overrides.exclude or ()),
        ("--extend-exclude", overrides.extend_exclude),
    ):
        for pattern in patterns:
            problem = pattern_problem(pattern)
            if problem:
                command_line.error(option, f"invalid pattern {pattern!r}: {problem}")
    if command_line.errors or v.errors:
        raise UserError("\n".join(command_line.errors + v.errors))
    file_layer = Selection(select, extend_select, ignore)
    enabled = resolve_layers(HEADS.values(), [file_layer, cli_layer])
    return Settings(
        enabled=enabled,
        per_file_ignores=tuple(per_file),
        tenancy=tenancy if isinstance(tenancy, TenancySettings) else TenancySettings(),
        layers=layers if isinstance(layers, LayerSettings) else LayerSettings(),
        root=str(root),
        config_file=label,
        **settings_kw,  # type: ignore[arg-type]
    )


def _limit(v: _Validator, raw: dict[str, Any], key: str, default: int) -> float:
    """A non-negative number (0: no limit)."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        v.error(key, f"expected a number >= 0 (0 for no limit), got {value!r}")
        return default
    return value


def _check_patterns(v: _Validator, raw: dict[str, Any], tenancy: object, layers: object) -> None:
    """Every path pattern compiles, so matching can never fail in the middle of a run."""
    checks: list[tuple[str, tuple[str, ...]]] = []
    for key in ("exclude", "extend-exclude", "analysis-exclude", "extend-analysis-exclude"):
        value = raw.get(key)
        if isinstance(value, list):
            checks.append((key, tuple(p for p in value if isinstance(p, str))))
    table = raw.get("per-file-ignores")
    if isinstance(table, dict):
        checks.extend((f'per-file-ignores."{pattern}"', (pattern,)) for pattern in table)
    if isinstance(tenancy, TenancySettings):
        checks.append(("tenancy.exclude", tenancy.exclude))
        checks.append(("tenancy.bootstrap-modules", tenancy.bootstrap_modules))
    if isinstance(layers, LayerSettings):
        for name in ("domain", "persistence", "outer"):
            checks.append((f"layers.{name}", tuple(p for p in getattr(layers, name) if "/" in p)))
    for key, patterns in checks:
        for pattern in patterns:
            problem = pattern_problem(pattern)
            if problem:
                v.error(key, f"invalid pattern {pattern!r}: {problem}")


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
        principal_models=v.strings(t, "principal-models", p, ()),
        operator_guards=v.strings(t, "operator-guards", p, ()),
        scope_guards=v.strings(t, "scope-guards", p, ()),
        object_guards=v.strings(t, "object-guards", p, ()),
        verifiers=v.strings(t, "verifiers", p, ()),
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
    A discovered file's folder is the project root. With an explicit `config`,
    as in ruff, the project root is `cwd`: the relative paths in the file
    (layers, excludes, packs, `src`) resolve against it.
    """
    if config is not None:
        if not config.is_file():
            raise UserError(f"configuration file not found: {config}")
        explicit = config.resolve()
        return resolve(read_raw(explicit), _display(explicit, cwd), cwd.resolve(), overrides)
    path = find_config(cwd.resolve())
    if path is None and paths:
        try:
            first = (cwd / paths[0]).resolve()
        except (OSError, RuntimeError):  # a symbolic link loop: reported by discovery
            first = cwd / paths[0]
        path = find_config(first if first.is_dir() else first.parent)
    if path is None:
        return resolve({}, "(defaults)", cwd.resolve(), overrides)
    return resolve(read_raw(path), _display(path, cwd), path.parent, overrides)


def _display(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd.resolve()))
    except ValueError:
        return str(path)
