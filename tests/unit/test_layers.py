"""Layer patterns, default layers, and the annotation facts the layering rules use."""

from __future__ import annotations

import libcst as cst
import pytest

from consistency_lint.analysis.extract import extract
from consistency_lint.analysis.layers import Layers, in_layer, is_test_path, module_matches
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.app.packs import builtin_packs
from consistency_lint.domain.packs import PackError, parse_pack
from consistency_lint.domain.settings import LayerSettings


@pytest.mark.parametrize(
    ("module", "pattern", "expected"),
    [
        ("myapp.domain", "myapp.domain", True),
        ("myapp.domain.order", "myapp.domain", True),
        ("myapp.domain_events", "myapp.domain", False),
        ("myapp.domainx.order", "myapp.domain", False),
        ("other.domain", "myapp.domain", False),
        ("myapp.orders.domain.model", "myapp.*.domain", True),
        ("myapp.domain", "myapp.*.domain", False),
        ("myapp.a.b.domain", "myapp.*.domain", False),
        ("myapp.a.b.domain", "myapp.**.domain", True),
        ("myapp.domain", "myapp.**.domain", True),
        ("domain", "**.domain", True),
        ("x.y.domain.z", "**.domain", True),
        ("x.y.domain_events", "**.domain", False),
        ("billing.core_domain.x", "billing.*_domain", True),
        ("", "**", False),
    ],
)
def test_module_patterns(module: str, pattern: str, expected: bool) -> None:
    assert module_matches(module, pattern) is expected


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("src/shop/domain/order.py", "src/**/domain/**", True),
        ("src/shop/domain_events/order.py", "src/**/domain/**", False),
        ("lib/shop/domain/order.py", "src/**/domain/**", False),
        ("shop/domain/order.py", "**/domain/**", True),
        ("shop/domain/order.py", "domain/", True),
    ],
)
def test_path_patterns(path: str, pattern: str, expected: bool) -> None:
    assert in_layer(path, "unused.module", (pattern,)) is expected


def test_default_domain_is_a_folder_named_domain_outside_tests() -> None:
    layers = Layers(LayerSettings())
    assert layers.is_domain("src/shop/domain/order.py", "shop.domain.order")
    assert layers.is_domain("shop/domain/__init__.py", "shop.domain")
    assert layers.is_domain("shop/orders/domain/model/order.py", "shop.orders.domain.model.order")
    assert not layers.is_domain("shop/domain_events/order.py", "shop.domain_events.order")
    assert not layers.is_domain("shop/domain.py", "shop.domain")  # a module, not a package
    assert not layers.is_domain("tests/domain/test_order.py", "tests.domain.test_order")
    assert not layers.is_domain("shop/domain/test_order.py", "shop.domain.test_order")
    assert not layers.is_domain("shop/mydomain/order.py", "shop.mydomain.order")


def test_configured_domain_replaces_the_default() -> None:
    layers = Layers(LayerSettings(domain=("shop.core",)))
    assert layers.is_domain("shop/core/order.py", "shop.core.order")
    assert not layers.is_domain("shop/domain/order.py", "shop.domain.order")


def test_persistence_wins_over_a_wider_domain() -> None:
    layers = Layers(LayerSettings(domain=("myapp",), persistence=("myapp.adapters",)))
    assert layers.is_domain("myapp/orders.py", "myapp.orders")
    assert not layers.is_domain("myapp/adapters/orm.py", "myapp.adapters.orm")


def test_outer_default_and_configured() -> None:
    assert Layers(LayerSettings()).is_outer("app/api/orders.py", "app.api.orders")
    assert Layers(LayerSettings()).is_outer("app/services/orders.py", "app.services.orders")
    assert not Layers(LayerSettings()).is_outer("app/apis/orders.py", "app.apis.orders")
    configured = Layers(LayerSettings(outer=("app.web",)))
    assert configured.is_outer("app/web/views.py", "app.web.views")
    assert not configured.is_outer("app/api/orders.py", "app.api.orders")


def test_persistence_module_of_an_import() -> None:
    layers = Layers(LayerSettings(persistence=("shop.adapters", "src/legacy/**")))
    assert layers.is_persistence_module("shop.adapters.orm")
    assert not layers.is_persistence_module("shop.adapters_old")
    assert layers.is_persistence_module("legacy.db", "src/legacy/db.py")
    assert not layers.is_persistence_module("legacy.db")  # a path glob needs the file


def test_test_paths() -> None:
    assert is_test_path("tests/x.py")
    assert is_test_path("pkg/test_x.py")
    assert is_test_path("pkg/x_test.py")
    assert is_test_path("pkg/conftest.py")
    assert not is_test_path("pkg/testing_tools.py")


def _summary(source: str, module: str = "shop.api.views"):
    packs = PackIndex(builtin_packs(), ("broker", "task"))
    return extract(cst.parse_module(source), path="x.py", module_name=module, is_package=False, packs=packs)


def test_annotation_names_reach_inside_generics_and_strings() -> None:
    summary = _summary(
        "from typing import Optional\n"
        "from shop.orm import Row, Other\n"
        "import shop.orm as orm\n"
        "def f(a: list[Row], b: Optional['Other'], c: 'orm.Third | None', d: dict[str, tuple[Row, ...]]) "
        "-> Row | None: ...\n"
    )
    (function,) = summary.functions
    names = {p.name: set(p.names) for p in function.params}
    assert "shop.orm.Row" in names["a"]
    assert "shop.orm.Other" in names["b"]
    assert "shop.orm.Third" in names["c"]
    assert "shop.orm.Row" in names["d"]
    assert "shop.orm.Row" in function.return_names
    assert function.params[0].annotation == ""  # the main type of list[...] stays unknown, as before


def test_references_through_imported_modules() -> None:
    summary = _summary(
        "import os\n"
        "import shop.adapters.orm\n"
        "from shop.adapters import orm\n"
        "from shop.adapters.orm import Direct\n"
        "def f(x: orm.Row):\n"
        "    os.path.join('a')\n"
        "    shop.adapters.orm.Tag.query.get(1)\n"
        "    orm.Row.id\n"
        "    Direct.objects\n"
        "    local = object()\n"
        "    local.Thing\n"
    )
    targets = [r.target for r in summary.references]
    assert targets == ["shop.adapters.orm.Row", "shop.adapters.orm.Tag"]
    assert summary.references[0].span.line == 5
    assert summary.references[1].span.line == 7


def test_model_keywords_in_packs() -> None:
    pack = parse_pack(
        {"schema": 1, "name": "x", "model-bases": ["x.Base"], "model-keywords": {"x.Base": "table"}}, "x.toml"
    )
    assert pack.model_keywords == (("x.Base", "table"),)
    assert PackIndex((pack,), ()).model_keyword("x.Base") == "table"
    with pytest.raises(PackError, match="model-keywords"):
        parse_pack({"schema": 1, "name": "x", "model-keywords": ["x.Base"]}, "x.toml")
    with pytest.raises(PackError, match="model-keywords"):
        parse_pack({"schema": 1, "name": "x", "model-keywords": {"x.Base": 1}}, "x.toml")


def test_persistence_modules_match_submodules_only() -> None:
    packs = PackIndex(builtin_packs(), ())
    assert packs.is_persistence_module("sqlalchemy.orm")
    assert packs.is_persistence_module("django.db")
    assert not packs.is_persistence_module("django.utils")
    assert not packs.is_persistence_module("sqlalchemy_utils")
    assert not packs.is_persistence_module("motorcycles")


def test_source_roots_src_layout_and_src_package(tmp_path) -> None:
    from consistency_lint.app.config import resolve
    from consistency_lint.app.session import source_roots

    settings = resolve({}, "(defaults)", tmp_path)
    assert source_roots(tmp_path, settings) == ("",)
    (tmp_path / "src").mkdir()
    assert source_roots(tmp_path, settings) == ("src", "")
    (tmp_path / "src" / "__init__.py").write_text("")
    assert source_roots(tmp_path, settings) == ("",)  # `src` is itself a package: `import src.app`


def test_source_roots_found_below_the_root(tmp_path) -> None:
    from consistency_lint.app.config import resolve
    from consistency_lint.app.session import source_roots

    settings = resolve({}, "(defaults)", tmp_path)
    package = tmp_path / "apps" / "api" / "plane"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text("import os\n")
    assert source_roots(tmp_path, settings) == ("",)  # nothing imports `plane` by name
    (package / "views.py").write_text("from plane.models import Issue\n")
    assert source_roots(tmp_path, settings) == ("apps/api", "")
    (tmp_path / "node_modules" / "lib" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "lib" / "pkg" / "__init__.py").write_text("import pkg\n")
    assert source_roots(tmp_path, settings) == ("apps/api", "")
    configured = resolve({"src": ["apps"]}, "(test)", tmp_path)
    assert source_roots(tmp_path, configured) == ("apps",)  # `src` in the configuration wins
