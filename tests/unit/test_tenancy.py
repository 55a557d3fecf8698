"""Unit tests of the tenancy building blocks: SQL reading, pack keys, the model index."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.models import model_info
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.sqlfacts import normalise, table_refs
from consistency_lint.app.packs import load_packs
from consistency_lint.domain.packs import PackError, parse_pack
from consistency_lint.domain.settings import TenancySettings
from consistency_lint.engine.file_phase import analyse_file


def test_paramstyles_are_normalised():
    assert normalise("a = %s AND b = %(b)s AND c = $1") == "a = ? AND b = ? AND c = ?"


def test_alias_and_join_condition():
    refs = table_refs("SELECT * FROM invoices i JOIN lines l ON l.invoice_id = i.id WHERE i.tenant_id = :t")
    assert refs == (("invoices", ("id", "tenant_id")), ("lines", ("invoice_id",)))


def test_or_keeps_only_common_columns():
    assert table_refs("SELECT * FROM t WHERE tenant_id = 1 OR id = 2") == (("t", ()),)
    assert table_refs("SELECT * FROM t WHERE (tenant_id = 1 AND a = 1) OR (tenant_id = 1 AND b = 2)") == (
        ("t", ("tenant_id",)),
    )


def test_cte_names_are_not_tables_and_subqueries_are_scopes():
    refs = table_refs("WITH x AS (SELECT * FROM t WHERE tenant_id = 1) SELECT * FROM x")
    assert refs == (("t", ("tenant_id",)),)
    refs = table_refs("SELECT * FROM a WHERE a.tenant_id = 1 AND a.id IN (SELECT a_id FROM b)")
    assert ("b", ()) in (refs or ())


def test_ddl_and_garbage_give_nothing():
    assert table_refs("CREATE TABLE t (id int)") is None
    assert table_refs("this is { not sql") is None


def test_insert_lists_its_columns():
    assert table_refs("INSERT INTO t (a, tenant_id) VALUES (?, ?)") == (("t", ("a", "tenant_id")),)


def test_key_variants():
    # The `_id` column suffix comes from the built-in packs' `foreign-key-suffixes`.
    key_matches = PackIndex(load_packs((), Path(".")), ()).syntax.key_matches
    assert key_matches("organization_id", ["organization"]) == "organization"
    assert key_matches("tenant", ["tenant_id"]) == "tenant_id"
    assert key_matches("tenants", ["tenant"]) == ""


def _pack(**call: object) -> dict[str, object]:
    return {"schema": 1, "name": "p", "calls": [{"target": "m.f", **call}]}


def test_tenancy_keys_are_validated():
    spec = parse_pack(_pack(**{"model-arg": 0, "predicates": "kwargs"}), "p.toml").calls[0]
    assert spec.model_arg == 0 and spec.predicates == "kwargs"
    with pytest.raises(PackError, match="tenancy"):
        parse_pack(_pack(tenancy="andd"), "p.toml")
    with pytest.raises(PackError, match="predicates"):
        parse_pack(_pack(predicates="both"), "p.toml")
    with pytest.raises(PackError, match="model-keywords"):
        parse_pack({"schema": 1, "name": "p", "model-keywords": ["x"]}, "p.toml")


MODELS = b"""
from django.db import models
from sqlmodel import SQLModel


class Owned(models.Model):
    organization = models.ForeignKey("Organization", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class Organization(models.Model):
    name = models.CharField(max_length=10)


class Project(Owned):
    title = models.CharField(max_length=10)


class Schema(SQLModel):
    tenant_id: int


class Row(SQLModel, table=True):
    tenant_id: int
"""


def _index() -> ProjectIndex:
    packs = PackIndex(load_packs((), Path(".")), ["broker", "task"])
    result = analyse_file(MODELS, "shop/models.py", module="shop.models", is_package=False, packs=packs)
    assert result.summary is not None
    pickle.loads(pickle.dumps(result.summary))  # summaries cross processes and the cache
    return ProjectIndex([result.summary], packs)


def test_model_index():
    index = _index()
    tenancy = TenancySettings(tenant_keys=("organization", "tenant_id"))
    project = model_info(index, "shop.models.Project", tenancy)
    assert project.is_model and project.tenant_scoped and project.table == "shop_project"
    assert project.tenant_field == "organization"
    assert dict(project.relations)["organization"] == "shop.models.Organization"
    owned = model_info(index, "shop.models.Owned", tenancy)
    assert owned.abstract and not owned.is_model and owned.tenant_scoped
    assert not model_info(index, "shop.models.Organization", tenancy).tenant_scoped
    assert not model_info(index, "shop.models.Schema", tenancy).is_model
    assert model_info(index, "shop.models.Row", tenancy).tenant_scoped
    listed = TenancySettings(tenant_keys=("organization",), global_models=("Project",))
    assert not model_info(index, "shop.models.Project", listed).tenant_scoped


def test_provenance_pack_keys_are_parsed_and_merged() -> None:
    syntax = PackIndex(load_packs((), Path(".")), ()).syntax
    assert "request.data" in syntax.request_data  # Django REST framework
    assert "flask.request.args" in syntax.request_data  # Flask
    assert "self.kwargs" in syntax.url_arguments
    assert {"request.tenant", "flask_login.current_user"} <= set(syntax.tenant_sources)
    assert syntax.guard_attributes == ("permission_classes",)
    pack = parse_pack(
        {
            "schema": 1,
            "name": "p",
            "request-data": ["web.request.body"],
            "scope-guard-attributes": ["guards"],
        },
        "p.toml",
    )
    assert pack.syntax.request_data == ("web.request.body",)
    assert pack.syntax.guard_attributes == ("guards",)
