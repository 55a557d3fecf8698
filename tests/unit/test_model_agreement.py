"""CL201 (tenancy) and CL303 (layering) read one model index: they agree on what is a model.

Each case is a small project: the class `Invoice` (with a `tenant_id`) is defined in
`shop/domain/models.py` in one mapping style the packs support, its bases or mixins may
live in another module, and `shop/domain/queries.py` reads it with an unfiltered query.
CL201 reports the query when `Invoice` is a model; CL303 reports the class when it is
mapped by its definition. For every class-level mapping style both must fire, and for
a plain class (a pydantic-like SQLModel without `table=True`) neither.

Imperative mapping is the one deliberate difference: the class is a model (its queries
must be scoped), but it is a plain class in the domain, which is the layout CL303
recommends (see its `Use instead`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import lint_fixture_project

_CONFIG = '[tenancy]\ntenant-keys = ["tenant_id"]\n'

_DJANGO_QUERY = """
from shop.domain.models import Invoice


def everything():
    return list(Invoice.objects.all())
"""

_SQLA_QUERY = """
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.domain.models import Invoice


def everything(session: Session):
    return session.execute(select(Invoice)).scalars().all()
"""

_SQLMODEL_QUERY = """
from sqlmodel import Session, select

from shop.domain.models import Invoice


def everything(session: Session):
    return session.exec(select(Invoice)).all()
"""

_FLASK_QUERY = """
from shop.domain.models import Invoice


def everything():
    return Invoice.query.all()
"""

# A declarative class on the project's `shop.db.base.Base`, however that base is mapped.
_INVOICE_ON_PROJECT_BASE = """
from sqlalchemy import Column, Integer

from shop.db.base import Base


class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer)
"""

# name -> (files other than the query module, query module, is a model, mapped by definition)
CASES: dict[str, tuple[dict[str, str], str, bool, bool]] = {
    "django-model": (
        {
            "shop/domain/models.py": """
from django.db import models


class Invoice(models.Model):
    tenant_id = models.IntegerField()
""",
        },
        _DJANGO_QUERY,
        True,
        True,
    ),
    "django-abstract-base-elsewhere": (
        {
            "shop/common/base.py": """
from django.db import models


class TenantModel(models.Model):
    tenant_id = models.IntegerField()

    class Meta:
        abstract = True
""",
            "shop/domain/models.py": """
from django.db import models

from shop.common.base import TenantModel


class Invoice(TenantModel):
    number = models.IntegerField()
""",
        },
        _DJANGO_QUERY,
        True,
        True,
    ),
    "declarative-base-class": (
        {
            "shop/db/base.py": """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
""",
            "shop/domain/models.py": _INVOICE_ON_PROJECT_BASE,
        },
        _SQLA_QUERY,
        True,
        True,
    ),
    "declarative-base-call-and-mixin": (
        {
            "shop/db/base.py": """
from sqlalchemy.orm import declarative_base

Base = declarative_base()
""",
            "shop/common/mixins.py": """
from sqlalchemy import Column, Integer


class TenantMixin:
    tenant_id = Column(Integer)
""",
            "shop/domain/models.py": """
from sqlalchemy import Column, Integer

from shop.common.mixins import TenantMixin
from shop.db.base import Base


class Invoice(TenantMixin, Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
""",
        },
        _SQLA_QUERY,
        True,
        True,
    ),
    "registry-mapped-decorator": (
        {
            "shop/db/registry.py": """
from sqlalchemy.orm import registry

mapper_registry = registry()
""",
            "shop/domain/models.py": """
from sqlalchemy import Column, Integer

from shop.db.registry import mapper_registry


@mapper_registry.mapped
class Invoice:
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer)
""",
        },
        _SQLA_QUERY,
        True,
        True,
    ),
    "as-declarative-base": (
        {
            "shop/db/base.py": """
from sqlalchemy.orm import as_declarative


@as_declarative()
class Base:
    pass
""",
            "shop/domain/models.py": _INVOICE_ON_PROJECT_BASE,
        },
        _SQLA_QUERY,
        True,
        True,
    ),
    "flask-sqlalchemy-db-model": (
        {
            "shop/extensions.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
""",
            "shop/domain/models.py": """
from shop.extensions import db


class Invoice(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    tenant_id = db.Column(db.Integer)
""",
        },
        _FLASK_QUERY,
        True,
        True,
    ),
    "sqlmodel-table": (
        {
            "shop/domain/models.py": """
from sqlmodel import Field, SQLModel


class Invoice(SQLModel, table=True):
    id: int = Field(primary_key=True)
    tenant_id: int
""",
        },
        _SQLMODEL_QUERY,
        True,
        True,
    ),
    "sqlmodel-without-table": (
        {
            "shop/domain/models.py": """
from sqlmodel import SQLModel


class Invoice(SQLModel):
    id: int
    tenant_id: int
""",
        },
        _SQLMODEL_QUERY,
        False,
        False,
    ),
    "imperative-mapping": (
        {
            "shop/domain/models.py": """
from dataclasses import dataclass


@dataclass
class Invoice:
    id: int
    tenant_id: int
""",
            "shop/adapters/orm.py": """
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.orm import registry

from shop.domain.models import Invoice

metadata = MetaData()
mapper_registry = registry()
invoices = Table("invoices", metadata, Column("id", Integer), Column("tenant_id", Integer))
mapper_registry.map_imperatively(Invoice, invoices)
""",
        },
        _SQLA_QUERY,
        True,
        False,
    ),
}


def _write_project(root: Path, files: dict[str, str], query: str) -> None:
    (root / "consistency-lint.toml").write_text(_CONFIG, encoding="utf-8")
    for relative, text in {**files, "shop/domain/queries.py": query}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in path.relative_to(root).parents:
            if str(folder) != ".":
                (root / folder / "__init__.py").touch()
        path.write_text(text.lstrip(), encoding="utf-8")


@pytest.mark.parametrize("style", sorted(CASES))
def test_cl201_and_cl303_agree_on_what_is_a_model(tmp_path: Path, style: str) -> None:
    files, query, is_model, mapped_by_definition = CASES[style]
    _write_project(tmp_path, files, query)
    found = lint_fixture_project(tmp_path)
    queried = any(path == "shop/domain/queries.py" and code == "CL201" for path, _, code in found)
    defined = any(path == "shop/domain/models.py" and code == "CL303" for path, _, code in found)
    assert queried is is_model, sorted(found)
    assert defined is mapped_by_definition, sorted(found)
    if style != "imperative-mapping":
        assert queried is defined, f"{style}: CL201 and CL303 disagree: {sorted(found)}"
