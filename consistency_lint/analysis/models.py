"""The model index: which project classes are ORM models, their fields and tables.

The one answer to "is this class an ORM model", read by the tenancy rules
(CL2xx) and the layering rules (CL3xx). A class is *mapped by its definition*
(`ModelInfo.mapped_base`) when it or one of its project bases, wherever
defined (re-exports followed):

- derives from a pack `model-bases` entry, directly, through
  `Base = declarative_base()` or through an attribute of a project global of a
  pack type (`db.Model` with `db = SQLAlchemy()`);
- or is decorated by a pack `model-decorators` entry (`@mapper_registry.mapped`,
  `@as_declarative()`), called through a project global or named directly;

and - for bases listed in a pack's `model-keywords` (SQLModel) - the nearest
class of the chain that passes that class keyword passes True. A class mapped
by its definition is a *model* (`ModelInfo.is_model`: queried, constructed)
unless it is abstract (the packs' `abstract-attributes`: `Meta.abstract = True`,
`__abstract__ = True`). A plain class mapped imperatively
(`registry.map_imperatively(Cls, table)`, `mapper(Cls, table)`) is a model too,
but not mapped by its definition: that is the layout CL3xx recommends. Its
fields are the class-level assignments of it and its project bases (mixins and
abstract models included); an imperatively mapped class gets the columns of
its `Table(...)`.

Table names: `__tablename__`, `Meta.db_table` or the `Table("name", ...)` it is
mapped to; otherwise the pack's `model-table-names` template of its framework
base (Django: `{app}_{name}`, where {app} is the package that holds the models
module - `shop` for `shop.models` or `shop.models.invoice` - and {name} the
lowercase class name; an explicit `Meta.app_label` is not read).

Tenant-scoped: the class (or a base) has a field named by a tenant key - a key
also matches with `_id` added or removed, so a Django `ForeignKey` named
`organization` counts as `organization` and `organization_id`; a field made by a
pack's `derived-fields` call (`association_proxy`) stores nothing and is no key -, or its name
or table matches `tenancy.tenant-models`; `tenancy.global-models` wins over both.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.summary import FileSummary
from consistency_lint.analysis.tenancy_facts import TableFact
from consistency_lint.domain.settings import TenancySettings

_MAX_REEXPORT_HOPS = 8


@dataclass(frozen=True)
class ModelInfo:
    qualname: str
    is_model: bool  # a concrete model (queried, constructed)
    abstract: bool = False  # an abstract model or mixin base of models
    framework_base: str = ""
    # The pack base or decorator that maps the class by its definition ("" if none;
    # set for abstract models too, unset for imperatively mapped plain classes).
    mapped_base: str = ""
    table: str = ""
    fields: tuple[str, ...] = ()
    tenant_field: str = ""  # the field matching a tenant key ("" if none)
    tenant_nullable: bool = False  # the tenant field is declared nullable (`null=True`)
    tenant_scoped: bool = False
    is_global: bool = False
    # Attributes the class's own methods set on self (a save() deriving the tenant key).
    self_assigned: tuple[str, ...] = ()
    # Relation fields: (field name, qualified related class), for relation paths.
    relations: tuple[tuple[str, str], ...] = ()
    # Reverse relation names declared on other models' fields (related_name=...).
    reverse_names: tuple[tuple[str, str], ...] = ()
    # What each field is made by, nearest class first: managers (`objects = TenantManager()`),
    # columns and relations; (field name, resolved callee).
    field_calls: tuple[tuple[str, str], ...] = ()


def _matches(patterns: Iterable[str], *names: str) -> bool:
    return any(name and fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


class ModelIndex:
    """Model facts of one project, computed lazily (one per run: the check context holds it)."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.syntax = index.packs.syntax
        self.hidden = self.syntax.hidden_suffixes
        self._info: dict[tuple[str, TenancySettings | None], ModelInfo] = {}
        self.tables: dict[str, TableFact] = {}  # qualified variable -> table
        self.mapped: dict[str, str] = {}  # class -> qualified table variable
        self.self_assigned: dict[str, tuple[str, ...]] = {}
        for summary in index.files.values():
            facts = summary.tenancy
            if facts is None:
                continue
            for table in facts.tables:
                self.tables[table.variable] = table
            for mapping in facts.mappings:
                self.mapped[mapping.cls] = mapping.table_variable
            for cls, names in facts.self_assigned:
                self.self_assigned[cls] = names
        self._by_table: dict[TenancySettings | None, dict[str, ModelInfo]] = {}
        self._canonical: dict[str, str] = {}
        self._short_names: dict[str, str] | None = None
        self._reverse: dict[str, dict[str, str]] | None = None
        self._key_relations: dict[str, bool] = {}
        self._declared: dict[str, list[tuple[str, tuple[str, ...]]]] | None = None

    def key_matches(self, name: str, keys: Iterable[str]) -> str:
        """The tenant key `name` stands for (`organization_id` for key `organization`, with
        the packs' `foreign-key-suffixes`), or ""."""
        return self.syntax.key_matches(name, keys)

    def canonical(self, qualname: str) -> str:
        """Where a name is defined, following re-exports (`pkg.Order` -> `pkg.models.Order`)."""
        found = self._canonical.get(qualname)
        if found is not None:
            return found
        current = qualname
        for _ in range(_MAX_REEXPORT_HOPS):
            following = self.index._follow_reexport(current)
            if following == current:
                break
            current = following
        self._canonical[qualname] = current
        return current

    def owner(self, qualname: str) -> FileSummary | None:
        """The file that defines a project class (after re-exports)."""
        found = self.index.classes.get(self.canonical(qualname))
        return found[0] if found else None

    def mapped_base(self, qualname: str) -> str:
        """The pack base or decorator mapping a project class by its definition ("" if none)."""
        return self.info(qualname).mapped_base

    def info(self, qualname: str, tenancy: TenancySettings | None = None) -> ModelInfo:
        key = (qualname, tenancy)
        found = self._info.get(key)
        if found is None:
            found = self._compute(qualname, tenancy)
            self._info[key] = found
        return found

    def _compute(self, qualname: str, tenancy: TenancySettings | None) -> ModelInfo:
        index = self.index
        qualname = self.canonical(qualname)
        fields: list[str] = []
        table = ""
        abstract = False
        keywords: dict[str, str] = {}
        assigned: list[str] = []
        relations: dict[str, str] = {}
        reverse_names: dict[str, str] = {}
        field_calls: dict[str, str] = {}
        text_fields: set[str] = set()
        nullable: set[str] = set()
        text_types = self.syntax.text_column_types
        for position, cls_name in enumerate(index.mro(qualname)):
            assigned.extend(self.self_assigned.get(cls_name, ()))
            found = index.classes.get(cls_name)
            if found is None:
                continue
            cls = found[1]
            for field in cls.fields:
                if field.call:
                    field_calls.setdefault(field.name, field.call)
                if field.name.startswith("__") or field.name in fields:
                    continue
                fields.append(field.name)
                if field.nullable:
                    nullable.add(field.name)
                if field.call in text_types or field.related in text_types:
                    text_fields.add(field.name)
                if field.related:
                    related = self._related_class(field.related, cls_name, qualname)
                    if related:
                        relations.setdefault(field.name, related)
                        if field.related_name and not field.related_name.endswith(self.hidden):
                            reverse_names.setdefault(field.name, field.related_name)
            for name, mentioned in self.declared(cls_name):
                if name in fields:
                    continue
                fields.append(name)  # @declared_attr def customer(cls) -> Mapped["Customer"]
                for written in mentioned:
                    related = self._related_class(written, cls_name, qualname)
                    if related and self.index.is_model(related):
                        relations.setdefault(name, related)
                        break
            for name, value in cls.keywords:
                keywords.setdefault(name, value)
            if position == 0:
                abstract = _is_abstract(cls.keywords, index.packs)
                table = cls.table_name
            elif not table and cls.table_name and not _is_abstract(cls.keywords, index.packs):
                table = cls.table_name  # SQLAlchemy single-table inheritance
        base = index.framework_base(qualname) if qualname in index.classes else ""
        mapped_base = self._mapped_base(qualname, base) if qualname in index.classes else ""
        needed = index.packs.model_keyword(mapped_base)
        if needed and keywords.get(needed) != "True":
            mapped_base = ""
        base = base or mapped_base
        is_model = bool(mapped_base)
        mapped_to = self.mapped.get(qualname)
        if mapped_to is not None:
            mapped_table = self.tables.get(mapped_to)
            is_model = True
            if mapped_table is not None:
                table = table or mapped_table.table
                fields.extend(c for c in mapped_table.columns if c not in fields)
        if abstract:
            is_model = False
        if not table and is_model:
            template = index.packs.model_table_names.get(base, "")
            if template:
                app = _app_label(qualname, index.packs.model_modules)
                table = template.format(app=app, name=qualname.rsplit(".", 1)[-1].lower())
        short = qualname.rsplit(".", 1)[-1]
        tenant_field = ""
        scoped = False
        is_global = False
        if tenancy is not None:
            derived = self.syntax.derived_fields
            for name in fields:
                if field_calls.get(name, "") in derived:
                    continue  # `organization = association_proxy("customer", "organization")`
                key = self.key_matches(name, tenancy.tenant_keys)
                if key and name in text_fields and self.key_is_relation(key):
                    continue  # a text column named like the key (a provider's `customer_id`)
                if key:
                    tenant_field = name
                    break
            is_global = _matches(tenancy.global_models, short, qualname, table)
            listed = _matches(tenancy.tenant_models, short, qualname, table)
            scoped = (is_model or abstract) and (bool(tenant_field) or listed) and not is_global
        return ModelInfo(
            qualname=qualname,
            is_model=is_model,
            abstract=abstract,
            framework_base=base,
            mapped_base=mapped_base,
            table=table.lower(),
            fields=tuple(fields),
            tenant_field=tenant_field,
            tenant_nullable=bool(tenant_field) and tenant_field in nullable,
            tenant_scoped=scoped,
            is_global=is_global,
            self_assigned=tuple(sorted(set(assigned))),
            relations=tuple(sorted(relations.items())),
            reverse_names=tuple(sorted(reverse_names.items())),
            field_calls=tuple(sorted(field_calls.items())),
        )

    def _mapped_base(self, qualname: str, base: str) -> str:
        """The model base or mapping decorator that maps `qualname` by its definition."""
        index = self.index
        packs = index.packs
        if base and index.is_model(qualname):
            return base
        chain = list(index.mro(qualname))
        for cls in chain:  # `db.Model`: an attribute of a project global of a pack type
            head, _, attr = cls.rpartition(".")
            kind = index.global_type(self.canonical(head)) if head else None
            if kind and packs.is_model_base(f"{kind}.{attr}"):
                return f"{kind}.{attr}"
        wanted = packs.model_decorators
        for cls in chain if wanted else ():
            found = index.classes.get(cls)
            if found is None:
                continue
            for decorator in found[1].decorators:
                head, _, attr = decorator.rpartition(".")
                kind = index.global_type(self.canonical(head)) if head else None
                for name in (decorator, f"{kind}.{attr}" if kind else ""):
                    if name in wanted:
                        return name
        return ""

    def declared(self, cls: str) -> list[tuple[str, tuple[str, ...]]]:
        """Model attributes a class makes with a method and a `declared-fields` decorator: (name,
        the names its return annotation mentions)."""
        if self._declared is None:
            self._declared = {}
            makers = self.syntax.declared_fields
            if makers:
                for qualname, (_, function) in self.index.functions.items():
                    if function.class_name and any(d in makers for d in function.decorators):
                        owner, _, name = qualname.rpartition(".")
                        self._declared.setdefault(owner, []).append((name, function.return_names))
        return self._declared.get(cls, [])

    def key_is_relation(self, key: str) -> bool:
        """Whether some model's field named by the tenant key is a relation to a project class:
        then the key names relations to the tenant model, and a same-named text column is not one."""
        found = self._key_relations.get(key)
        if found is None:
            found = any(
                field.related
                and self.key_matches(field.name, (key,))
                and self._related_class(field.related, cls_name, cls_name)
                for cls_name, (_, cls) in self.index.classes.items()
                for field in cls.fields
            )
            self._key_relations[key] = found
        return found

    def manager_type(self, model: ModelInfo, field: str) -> str:
        """The query type of a manager declared on a model or inherited from its bases ("" if
        the field is none): `issue_objects = IssueManager()` with a project subclass of a pack
        queryset type, `QS.as_manager()`, `Manager.from_queryset(QS)()`, or the pack type itself."""
        call = dict(model.field_calls).get(field, "")
        made = self._made_type(call) if call else ""
        return made if made in self.index.packs.query_types else ""

    def _made_type(self, call: str) -> str:
        """The pack type of what a class-level call makes ("" if unknown)."""
        packs = self.index.packs
        if call.endswith("()"):  # `Manager.from_queryset(QS)()`: an instance of the made class
            call = call[:-2]
        canonical = self.canonical(call)
        if canonical in self.index.classes:
            return packs.canonical_type(self.index.framework_base(canonical))
        direct = packs.canonical_type(call)
        if direct:
            return direct
        spec = self.index.resolve(call).spec
        return packs.canonical_type(spec.returns) if spec is not None and spec.returns else ""

    def reverse_relations(self, qualname: str) -> dict[str, str]:
        """Relation names that lead from `qualname` to models pointing at it: the name the
        field gives it (the packs' `related-name-keywords`), else the packs'
        `reverse-relation-name` template ({name}: the lowercase model name), if any."""
        if self._reverse is None:
            self._reverse = {}
            for name in self.index.classes:
                info = self.info(name)
                if not info.is_model:
                    continue
                named = dict(info.reverse_names)
                for field, target in info.relations:
                    reverse = named.get(field) or self._default_reverse(name)
                    if not reverse:
                        continue
                    self._reverse.setdefault(target, {}).setdefault(reverse, name)
        return self._reverse.get(self.canonical(qualname), {})

    def _default_reverse(self, model: str) -> str:
        template = self.syntax.reverse_name
        return template.format(name=model.rsplit(".", 1)[-1].lower()) if template else ""

    def _related_class(self, written: str, owner: str, model: str) -> str:
        """The project class a relation field points at ("" if none is known)."""
        if written in self.syntax.self_relation_names:
            return model
        resolved = self.canonical(written)
        if resolved in self.index.classes:
            return resolved
        short = written.rsplit(".", 1)[-1]
        if not short[:1].isupper():
            return ""
        same_module = f"{owner.rpartition('.')[0]}.{short}"
        if same_module in self.index.classes:
            return same_module
        if self._short_names is None:
            self._short_names = {}
            for name in sorted(self.index.classes):
                self._short_names.setdefault(name.rsplit(".", 1)[-1], name)
        return self._short_names.get(short, "")

    def by_table(self, tenancy: TenancySettings) -> dict[str, ModelInfo]:
        """Tenant-scoped tables by lowercase name (models and bare `Table(...)` definitions)."""
        cached = self._by_table.get(tenancy)
        if cached is not None:
            return cached
        out: dict[str, ModelInfo] = {}
        for qualname in self.index.classes:
            info = self.info(qualname, tenancy)
            if info.is_model and info.tenant_scoped and info.table:
                out[info.table] = info
        for variable, table in self.tables.items():
            if table.table in out:
                continue
            tenant_field = next((c for c in table.columns if self.key_matches(c, tenancy.tenant_keys)), "")
            is_global = _matches(tenancy.global_models, table.table)
            listed = _matches(tenancy.tenant_models, table.table)
            if (tenant_field or listed) and not is_global:
                out[table.table] = ModelInfo(
                    variable,
                    True,
                    table=table.table,
                    fields=table.columns,
                    tenant_field=tenant_field,
                    tenant_scoped=True,
                )
        for pattern in tenancy.tenant_models:  # a table listed by name only
            plain = not any(ch in pattern for ch in "*?[.") and pattern[:1].islower()
            if plain and pattern.lower() not in out:
                out[pattern.lower()] = ModelInfo(pattern, True, table=pattern.lower(), tenant_scoped=True)
        self._by_table[tenancy] = out
        return out


def _is_abstract(keywords: tuple[tuple[str, str], ...], packs: PackIndex) -> bool:
    """`class Meta: abstract = True`, `__abstract__ = True`: per the packs' `abstract-attributes`."""
    values = dict(keywords)
    return any(values.get(name) == "True" for name in packs.abstract_attributes)


def _app_label(qualname: str, model_modules: frozenset[str]) -> str:
    """The package holding the module of `qualname` that the packs call a models module."""
    parts = qualname.split(".")[:-1]  # module path
    for position, part in enumerate(parts):
        if part in model_modules:
            return parts[position - 1] if position > 0 else ""
    return parts[-2] if len(parts) >= 2 else (parts[0] if parts else "")


def model_info(index: ProjectIndex, qualname: str, tenancy: TenancySettings | None = None) -> ModelInfo:
    """What the project says about class `qualname` (tenant fields only with `tenancy`)."""
    return ModelIndex(index).info(qualname, tenancy)
