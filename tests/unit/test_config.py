"""Configuration (SPEC section 6): discovery, validation, selection, excludes and per-file-ignores."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from consistency_lint.app.config import Overrides, find_config, load_settings, resolve
from consistency_lint.app.discovery import DEFAULT_EXCLUDE, discover
from consistency_lint.app.errors import UserError
from consistency_lint.app.runner import run_check
from consistency_lint.checks import CATALOGUE

DUAL_WRITE = textwrap.dedent(
    """\
    from kafka import KafkaProducer
    from sqlalchemy.orm import Session

    producer = KafkaProducer()


    def place_order(session: Session, order):
        session.add(order)
        session.commit()
        producer.send("orders", b"OrderPlaced")
    """
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


NO_OVERRIDES = Overrides()


def error_of(raw: dict, tmp_path: Path, overrides: Overrides = NO_OVERRIDES) -> str:
    with pytest.raises(UserError) as info:
        resolve(raw, "consistency-lint.toml", tmp_path, overrides)
    return str(info.value)


def enabled(raw: dict | None = None, overrides: Overrides = NO_OVERRIDES) -> frozenset[str]:
    return resolve(raw or {}, "consistency-lint.toml", Path("."), overrides).enabled


# ----- discovery -----------------------------------------------------------


def test_pyproject_with_our_table_is_found_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.consistency-lint]\nignore = ["CL201"]\n')
    sub = tmp_path / "src" / "pkg" / "deep"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "pyproject.toml"
    settings = load_settings(None, sub)
    assert Path(settings.root) == tmp_path.resolve()
    assert "CL201" not in settings.enabled
    assert "CL101" in settings.enabled
    assert settings.config_file.endswith("pyproject.toml")


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'ignore = ["CL202"]\n')
    inner = tmp_path / "pkg"
    write(inner / "pyproject.toml", '[project]\nname = "pkg"\n[tool.ruff]\nline-length = 100\n')
    assert find_config(inner) == tmp_path / "consistency-lint.toml"
    settings = load_settings(None, inner)
    assert Path(settings.root) == tmp_path.resolve()
    assert "CL202" not in settings.enabled


def test_consistency_lint_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.consistency-lint]\nignore = ["CL101"]\n')
    write(tmp_path / "consistency-lint.toml", 'ignore = ["CL102"]\n')
    assert find_config(tmp_path) == tmp_path / "consistency-lint.toml"
    settings = load_settings(None, tmp_path)
    assert "CL101" in settings.enabled
    assert "CL102" not in settings.enabled


def test_the_nearest_configuration_wins(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'ignore = ["CL101"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.consistency-lint]\nignore = ["CL102"]\n')
    assert find_config(tmp_path / "sub") == tmp_path / "sub" / "pyproject.toml"


def test_no_configuration_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(None, tmp_path)
    assert settings.config_file == "(defaults)"
    assert settings.enabled == frozenset(c for c, m in CATALOGUE.items() if m.default_on)


@pytest.mark.parametrize("name", ["pyproject.toml", "consistency-lint.toml", "other.toml"])
def test_explicit_config_file(tmp_path: Path, name: str) -> None:
    # A decoy that discovery would find, to show --config bypasses it.
    write(tmp_path / "consistency-lint.toml", 'ignore = ["CL1"]\n')
    table = "[tool.consistency-lint]\n" if name == "pyproject.toml" else ""
    config = write(tmp_path / "conf" / name, table + 'ignore = ["CL201"]\n')
    settings = load_settings(config, tmp_path)
    assert "CL101" in settings.enabled
    assert "CL201" not in settings.enabled
    # As in ruff: with --config, the project root is the current directory, not the file's folder.
    assert Path(settings.root) == tmp_path.resolve()


def test_explicit_config_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml", tmp_path)


def test_explicit_pyproject_without_our_table_gives_defaults(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    settings = load_settings(config, tmp_path)
    assert settings.enabled == frozenset(c for c, m in CATALOGUE.items() if m.default_on)


# ----- validation ----------------------------------------------------------


def test_unknown_top_level_key_suggests_and_names_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "consistency-lint.toml", 'selct = ["CL1"]\n')
    with pytest.raises(UserError) as info:
        load_settings(None, tmp_path)
    message = str(info.value)
    assert "consistency-lint.toml" in message
    assert "selct" in message
    assert "did you mean 'select'" in message
    assert config.is_file()


def test_unknown_key_in_pyproject_names_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.consistency-lint]\nexlude = ["x/"]\n')
    with pytest.raises(UserError) as info:
        load_settings(None, tmp_path)
    assert "pyproject.toml" in str(info.value)
    assert "exlude" in str(info.value)
    assert "did you mean 'exclude'" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "key", "suggestion"),
    [
        ({"tenancy": {"tenant-key": ["x"]}}, "tenancy.tenant-key", "tenant-keys"),
        ({"tenancy": {"mod": "off"}}, "tenancy.mod", "mode"),
        ({"layers": {"domian": ["a"]}}, "layers.domian", "domain"),
        ({"layers": {"persistance": ["a"]}}, "layers.persistance", "persistence"),
    ],
)
def test_unknown_nested_keys(tmp_path: Path, raw: dict, key: str, suggestion: str) -> None:
    message = error_of(raw, tmp_path)
    assert f"consistency-lint.toml: {key}: unknown key" in message
    assert f"did you mean '{suggestion}'" in message


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"select": "CL1"}, "select"),
        ({"ignore": [1, 2]}, "ignore"),
        ({"exclude": "migrations/"}, "exclude"),
        ({"respect-gitignore": "yes"}, "respect-gitignore"),
        ({"per-file-ignores": ["a.py"]}, "per-file-ignores"),
        ({"per-file-ignores": {"a.py": "CL101"}}, 'per-file-ignores."a.py"'),
        ({"tenancy": "off"}, "tenancy"),
        ({"tenancy": {"tenant-keys": "tenant_id"}}, "tenancy.tenant-keys"),
        ({"layers": {"type-checking-imports": 1}}, "layers.type-checking-imports"),
    ],
)
def test_wrong_types(tmp_path: Path, raw: dict, key: str) -> None:
    message = error_of(raw, tmp_path)
    assert f"consistency-lint.toml: {key}:" in message


@pytest.mark.parametrize("key", ["select", "ignore", "extend-select", "extend-ignore"])
def test_unknown_rule_codes(tmp_path: Path, key: str) -> None:
    message = error_of({key: ["CL101", "CL1O1"]}, tmp_path)
    assert f"{key}: unknown rule code 'CL1O1'" in message
    assert "did you mean 'CL101'" in message
    assert "'CL101'" not in message.split("did you mean", 1)[0]


def test_unknown_rule_code_in_per_file_ignores(tmp_path: Path) -> None:
    message = error_of({"per-file-ignores": {"scripts/*.py": ["CL9"]}}, tmp_path)
    assert "per-file-ignores.\"scripts/*.py\": unknown rule code 'CL9'" in message


def test_not_a_code_at_all(tmp_path: Path) -> None:
    assert "unknown rule code 'E501'" in error_of({"ignore": ["E501"]}, tmp_path)


def test_codes_are_case_insensitive(tmp_path: Path) -> None:
    assert "CL101" not in enabled({"ignore": ["cl101"]})


def test_bad_tenancy_mode(tmp_path: Path) -> None:
    message = error_of({"tenancy": {"mode": "database-per-tennant"}}, tmp_path)
    assert "tenancy.mode" in message
    assert "did you mean 'database-per-tenant'" in message


def test_bad_effect_kind(tmp_path: Path) -> None:
    message = error_of({"effect-kinds": ["broker", "emial"]}, tmp_path)
    assert "effect-kinds: unknown effect kind 'emial'" in message
    assert "did you mean 'email'" in message


def test_valid_nested_tables_are_read(tmp_path: Path) -> None:
    settings = resolve(
        {
            "tenancy": {"mode": "database-per-tenant", "tenant-keys": ["org_id"], "global-models": ["Plan"]},
            "layers": {"domain": ["app.core"], "persistence": ["app.db"]},
            "effect-kinds": ["broker", "task", "http"],
        },
        "x",
        tmp_path,
    )
    assert settings.tenancy.mode == "database-per-tenant"
    assert settings.tenancy.tenant_keys == ("org_id",)
    assert settings.tenancy.global_models == ("Plan",)
    assert settings.layers.domain == ("app.core",)
    assert settings.effect_kinds == ("broker", "task", "http")


def test_invalid_toml_reports_file_line_and_column(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'select = ["CL1"]\nignore = [CL201]\n')
    with pytest.raises(UserError) as info:
        load_settings(None, tmp_path)
    assert "consistency-lint.toml:2:" in str(info.value)
    assert "invalid TOML" in str(info.value)


def test_invalid_toml_at_end_of_file_still_has_a_position(tmp_path: Path) -> None:
    write(tmp_path / "consistency-lint.toml", 'ignore = ["CL201"]\nselect = [\n')
    with pytest.raises(UserError) as info:
        load_settings(None, tmp_path)
    message = str(info.value)
    assert "invalid TOML" in message
    location = message.split(": invalid TOML", 1)[0]
    path, line, column = location.rsplit(":", 2)
    assert path.endswith("consistency-lint.toml")
    assert int(line) >= 2
    assert int(column) >= 1


def test_invalid_toml_in_a_pyproject_found_by_discovery(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.consistency-lint\n")
    with pytest.raises(UserError) as info:
        load_settings(None, tmp_path)
    assert "pyproject.toml:1:" in str(info.value)


def test_several_errors_are_reported_together(tmp_path: Path) -> None:
    message = error_of(
        {
            "selct": ["CL1"],
            "ignore": ["CL999"],
            "tenancy": {"mode": "sharded"},
            "layers": {"domian": ["a"]},
            "effect-kinds": ["brokr"],
        },
        tmp_path,
    )
    lines = message.splitlines()
    assert len(lines) == 5
    assert all(line.startswith("consistency-lint.toml: ") for line in lines)
    for part in ("selct", "CL999", "tenancy.mode", "layers.domian", "brokr"):
        assert any(part in line for line in lines), part


def test_command_line_codes_are_validated(tmp_path: Path) -> None:
    message = error_of({}, tmp_path, Overrides(select=("CL10x",)))
    assert "--select: unknown rule code 'CL10x'" in message
    assert "--ignore" in error_of({}, tmp_path, Overrides(ignore=("XX1",)))


# ----- selection -----------------------------------------------------------


def test_defaults_are_the_default_on_rules() -> None:
    on = enabled()
    assert "CL101" in on and "CL001" in on
    assert "CL104" not in on and "CL002" not in on and "CL304" not in on


def test_prefix_selects_only_default_on_rules() -> None:
    on = enabled({"select": ["CL1"]})
    assert on == frozenset({"CL101", "CL102", "CL103"})


def test_exact_code_selects_an_off_by_default_rule() -> None:
    assert enabled({"select": ["CL104"]}) == frozenset({"CL104"})
    assert enabled({"select": ["CL1", "CL104"]}) == frozenset({"CL101", "CL102", "CL103", "CL104"})
    on = enabled({"extend-select": ["CL104"]})
    assert "CL104" in on and "CL101" in on and "CL201" in on


def test_ignore_prefix_beats_an_equally_general_select() -> None:
    assert enabled({"select": ["CL2"], "ignore": ["CL2"]}) == frozenset()
    assert enabled({"select": ["CL2"], "ignore": ["CL20"]}) == frozenset()


def test_more_specific_select_beats_a_general_ignore() -> None:
    on = enabled({"select": ["CL1", "CL101"], "ignore": ["CL1"]})
    assert on == frozenset({"CL101"})


def test_specific_ignore_beats_a_general_select() -> None:
    on = enabled({"select": ["CL1"], "ignore": ["CL102"]})
    assert on == frozenset({"CL101", "CL103"})


def test_command_line_select_replaces_the_file_and_ignore_adds() -> None:
    raw = {"select": ["CL2"], "ignore": ["CL201"]}
    on = enabled(raw, Overrides(select=("CL3",)))
    assert on == frozenset({"CL301", "CL302", "CL303"})
    on = enabled(raw, Overrides(select=("CL2",)))
    assert "CL201" in on  # the file's ignore gives way to a command-line select
    on = enabled(raw, Overrides(ignore=("CL202",)))
    assert "CL201" not in on and "CL202" not in on and "CL203" in on
    on = enabled(raw, Overrides(extend_select=("CL104",)))
    assert "CL104" in on and "CL203" in on and "CL101" not in on


EXTENDED = {"extend-select": ["CL002", "CL104", "CL304"]}


def test_command_line_select_resets_the_file_extend_select() -> None:
    # issue 14: `--select CL1` used to keep the file's CL304 and CL002.
    assert enabled(EXTENDED, Overrides(select=("CL1",))) == frozenset({"CL101", "CL102", "CL103"})
    on = enabled({"select": ["CL3"], **EXTENDED}, Overrides(select=("CL104",)))
    assert on == frozenset({"CL104"})


def test_command_line_ignore_beats_any_selection_in_the_file() -> None:
    # issue 14: `--ignore CL2,CL3` used to keep the file's exact CL304 (more specific than CL3).
    on = enabled(EXTENDED, Overrides(ignore=("CL2", "CL3")))
    assert not any(code.startswith(("CL2", "CL3")) for code in on)
    assert {"CL002", "CL104", "CL101"} <= on
    on = enabled({"select": ["CL101"]}, Overrides(ignore=("CL",)))
    assert on == frozenset()


def test_command_line_select_and_ignore_in_one_layer_use_specificity() -> None:
    on = enabled(EXTENDED, Overrides(select=("CL1", "CL104"), ignore=("CL10",)))
    assert on == frozenset({"CL104"})
    # A command-line extend-select adds on top of the file, the file's ignore holding otherwise.
    on = enabled({"ignore": ["CL1"]}, Overrides(extend_select=("CL101",)))
    assert "CL101" in on and "CL102" not in on


def test_select_all_turns_on_every_rule() -> None:
    every = frozenset(CATALOGUE)
    assert enabled({}, Overrides(select=("ALL",))) == every
    assert enabled({"select": ["all"]}) == every
    assert enabled({}, Overrides(select=("ALL",), ignore=("CL2",))) == frozenset(
        c for c in CATALOGUE if not c.startswith("CL2")
    )
    # Any prefix is more specific than ALL.
    assert enabled({"select": ["ALL"], "ignore": ["ALL"], "extend-select": ["CL3"]}) == frozenset(
        c for c, m in CATALOGUE.items() if c.startswith("CL3") and m.default_on
    )


def test_command_line_errors_are_about_the_command_line(tmp_path: Path) -> None:
    message = error_of({"select": ["CL999"]}, tmp_path, Overrides(ignore=("CL9",)))
    first, second = message.splitlines()
    assert first.startswith("command line: --ignore: unknown rule code 'CL9'")
    assert second.startswith("consistency-lint.toml: select:")
    message = error_of({}, tmp_path, Overrides(select=("CL9",)))
    assert "consistency-lint.toml" not in message


# ----- discovery of files --------------------------------------------------


def _names(found: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root.resolve()).as_posix() for p in found]


def test_default_excluded_folders(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    folders = (".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist", ".git", "x.egg-info")
    for folder in folders:
        write(root / folder / "mod.py", "x = 1\n")
    write(root / "pkg" / "node_modules" / "inner.py", "x = 1\n")
    write(root / "pkg" / "ok.py", "x = 1\n")
    write(root / "top.py", "x = 1\n")
    write(root / "pkg" / "notes.txt", "not python\n")
    found = discover([root], root, (), True)
    assert found.errors == []
    assert _names(found.files, root) == ["pkg/ok.py", "top.py"]
    assert ".venv/" in DEFAULT_EXCLUDE and "node_modules/" in DEFAULT_EXCLUDE


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    write(root / "consistency-lint.toml", 'exclude = ["migrations/"]\nextend-exclude = ["**/tests/**"]\n')
    write(root / "app" / "migrations" / "0001.py", "x = 1\n")
    write(root / "app" / "tests" / "test_a.py", "x = 1\n")
    write(root / "app" / "models.py", "x = 1\n")
    settings = load_settings(None, root)
    assert "migrations/" in settings.exclude and "**/tests/**" in settings.exclude
    found = discover([root], root, settings.exclude, settings.respect_gitignore)
    assert _names(found.files, root) == ["app/models.py"]


def test_gitignore_is_respected_unless_disabled(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    write(root / ".gitignore", "generated/\n*_pb2.py\n")
    write(root / "pkg" / ".gitignore", "local.py\n")
    write(root / "generated" / "g.py", "x = 1\n")
    write(root / "pkg" / "msg_pb2.py", "x = 1\n")
    write(root / "pkg" / "local.py", "x = 1\n")
    write(root / "pkg" / "kept.py", "x = 1\n")
    write(root / "other" / "local.py", "x = 1\n")
    found = discover([root], root, (), True)
    assert _names(found.files, root) == ["other/local.py", "pkg/kept.py"]
    everything = discover([root], root, (), False)
    assert len(everything.files) == 5


def test_missing_path_is_an_error_but_the_rest_is_found(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    write(root / "a.py", "x = 1\n")
    found = discover([root / "a.py", root / "missing.py"], root, (), True)
    assert _names(found.files, root) == ["a.py"]
    assert len(found.errors) == 1 and "missing.py" in found.errors[0]


def test_a_file_given_twice_is_linted_once(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    write(root / "a.py", "x = 1\n")
    found = discover([root, root / "a.py"], root, (), True)
    assert _names(found.files, root) == ["a.py"]


# ----- per-file-ignores ----------------------------------------------------


def test_per_file_ignores(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    write(root / "tools" / "backfill.py", DUAL_WRITE)
    write(root / "app" / "orders.py", DUAL_WRITE)
    raw = {"per-file-ignores": {"tools/*.py": ["CL101"]}}
    settings = resolve(raw, "consistency-lint.toml", root)
    result = run_check([root], settings, jobs=1)
    assert result.errors == []
    assert [(d.code, Path(d.path).name) for d in result.diagnostics] == [("CL101", "orders.py")]
    # A prefix works too, and without the entry both files are reported.
    settings = resolve({"per-file-ignores": {"tools/*.py": ["CL1"]}}, "consistency-lint.toml", root)
    assert len(run_check([root], settings, jobs=1).diagnostics) == 1
    settings = resolve({}, "consistency-lint.toml", root)
    assert len(run_check([root], settings, jobs=1).diagnostics) == 2


# ----- analysis-exclude -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_orders.py",
        "app/tests/helpers.py",
        "app/tests.py",
        "app/test_orders.py",
        "app/orders_test.py",
        "conftest.py",
        "app/migrations/0002_backfill.py",
        "app/management/commands/resend.py",
        "scripts/backfill.py",
    ],
)
def test_analysis_exclude_default_leaves_out_tests_and_tools(tmp_path: Path, path: str) -> None:
    root = tmp_path.resolve()
    write(root / path, DUAL_WRITE)
    write(root / "app" / "orders.py", DUAL_WRITE)
    settings = resolve({}, "consistency-lint.toml", root)
    result = run_check([root], settings, jobs=1)
    assert result.errors == []
    assert [Path(d.path).name for d in result.diagnostics] == ["orders.py"]
    # An empty list takes the default away: both files are reported.
    settings = resolve({"analysis-exclude": []}, "consistency-lint.toml", root)
    assert len(run_check([root], settings, jobs=1).diagnostics) == 2


def test_analysis_exclude_replaces_and_extends(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    write(root / "tests" / "test_orders.py", DUAL_WRITE)
    write(root / "legacy" / "orders.py", DUAL_WRITE)
    write(root / "app" / "orders.py", DUAL_WRITE)
    settings = resolve({"extend-analysis-exclude": ["legacy/"]}, "consistency-lint.toml", root)
    assert [Path(d.path).parent.name for d in run_check([root], settings, jobs=1).diagnostics] == ["app"]
    settings = resolve({"analysis-exclude": ["legacy/"]}, "consistency-lint.toml", root)
    found = sorted(Path(d.path).parent.name for d in run_check([root], settings, jobs=1).diagnostics)
    assert found == ["app", "tests"]


def test_analysis_exclude_still_indexes_the_excluded_code(tmp_path: Path) -> None:
    """A helper in an excluded folder still makes the caller's publish a finding."""
    root = tmp_path.resolve()
    write(
        root / "scripts" / "bus.py",
        """
        from kafka import KafkaProducer
        producer = KafkaProducer()

        def announce():
            producer.send("orders", b"OrderPlaced")
        """,
    )
    write(
        root / "app" / "orders.py",
        """
        from sqlalchemy.orm import Session
        from scripts.bus import announce

        def place_order(session: Session, order):
            session.add(order)
            session.commit()
            announce()
        """,
    )
    settings = resolve({}, "consistency-lint.toml", root)
    found = [(d.code, Path(d.path).name) for d in run_check([root], settings, jobs=1).diagnostics]
    assert found == [("CL101", "orders.py")]


def test_analysis_exclude_leaves_the_layering_rules_alone() -> None:
    from consistency_lint.domain.settings import Settings
    from consistency_lint.engine.suppression import ignored

    settings = Settings(enabled=frozenset({"CL101", "CL201", "CL301"}))
    assert ignored(settings, "CL101", "app/tests/test_x.py")
    assert ignored(settings, "CL201", "app/tests/test_x.py")
    assert not ignored(settings, "CL301", "app/tests/test_x.py")
    assert not ignored(settings, "CL101", "app/contests.py")


def test_analysis_exclude_wrong_type_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="analysis-exclude"):
        resolve({"analysis-exclude": "tests/"}, "consistency-lint.toml", tmp_path)


def test_provenance_keys_are_read(tmp_path: Path) -> None:
    settings = resolve(
        {
            "tenancy": {
                "tenant-sources": ["request.user.organization", "app.tenancy.current_org"],
                "scope-guards": ["app.permissions.require_member"],
                "tenant-lookup-fields": ["ApiKey.key"],
            }
        },
        "x",
        tmp_path,
    )
    assert settings.tenancy.tenant_sources == ("request.user.organization", "app.tenancy.current_org")
    assert settings.tenancy.scope_guards == ("app.permissions.require_member",)
    assert settings.tenancy.tenant_lookup_fields == ("ApiKey.key",)


@pytest.mark.parametrize("key", ["tenant-sources", "scope-guards", "tenant-lookup-fields"])
def test_provenance_keys_must_be_lists(tmp_path: Path, key: str) -> None:
    assert f"tenancy.{key}:" in error_of({"tenancy": {key: "request.user"}}, tmp_path)
