"""Per-file tenancy facts, kept in `FileSummary.tenancy` (built by `tenancy_collector`).

- `QueryFact`: a chain that starts at a class (`Invoice.objects...`,
  `Invoice.query...`) or at a pack call naming a model (`select(M)`,
  `session.query(M)`, `session.get(M, pk)`, `get_object_or_404(M, ...)`),
  with the names each step's predicates require;
- `ConstructFact`: `Invoice(...)` with its keyword names (and attributes set on the
  bound variable later in the flow);
- `SqlFact`: a raw SQL string handed to a pack's SQL argument, already read by
  sqlglot (`sqlfacts`);
- `FixedConnectionFact`: an engine URL or connection alias written as a literal;
- `TableFact`/`MappingFact`: imperative mapping (`Table("t", md, Column("tenant_id"))`,
  `registry.map_imperatively(Cls, table)`);
- `CriteriaFact`: a global filter (`with_loader_criteria(M, M.tenant_id == x)`).
"""

from __future__ import annotations

from dataclasses import dataclass

from consistency_lint.domain.diagnostic import Span

# Marker name: the predicate selects a row by the primary key of a row already in hand.
ROW_MARK = "=row"
# Prefix of a predicate name whose value comes from request data: it scopes nothing.
UNTRUSTED = "?"
# Origin of a value the client chose (request data, query parameters).
REQUEST_DATA = "?"
PARAM = "param:"
# Origin of a value read from a row (or queryset) of a query of the same file:
# `row:<n>` names the file's n-th QueryFact; scoped when that query is.
ROW = "row:"
# `ConstructFact.then_called` of an instance returned as built (`return Invoice(number=n)`).
RETURNED = "<return>"
# Origin of a string literal handed to a project function: a job's name when the function
# enqueues by name (`enqueue_job("order.paid", order.id)`); it scopes nothing.
LITERAL = "str:"
# Prefix of a keyword whose value is read from an object in hand (`object_id=obj.id`).
OBJECT_MARK = "^"


@dataclass(frozen=True)
class StepFact:
    name: str  # method or attribute applied; "" for the source call itself
    call: bool = True
    names: tuple[str, ...] = ()  # names the step's predicates require
    kwargs: tuple[str, ...] = ()  # keyword names as written
    star: bool = False  # **kwargs: unknown keywords
    literal: str = ""  # first positional argument when it is a string literal
    span: Span | None = None
    target: str = ""  # for a source call (name ""): its qualified target
    # Provenance of the predicates' values (see `tenancy_collector._origin`): keyword or
    # attribute name -> where its value comes from (`param:pk`, `param:request.user`,
    # `flask_login.current_user.org_id`). Names whose value the client chose
    # (`request.data[...]`) are recorded with the UNTRUSTED prefix instead of plain.
    origins: tuple[tuple[str, str], ...] = ()
    # Classes the step's positional arguments name (`join(ProductBenefit)`), and equality
    # predicates on a named class's column with their value's origin:
    # `ProductBenefit.product_id == product.id` -> ("shop.ProductBenefit", "product_id",
    # "param:product.id").
    classes: tuple[str, ...] = ()
    owned: tuple[tuple[str, str, str], ...] = ()
    # Where its positional arguments come from, by position: `row.has_permission(request.user)`
    # -> (("0", "param:request.user"),). Read for verifications, never as predicates.
    arg_origins: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CallFact:
    """A call of something no pack knows (a project helper, a method, a task), with where
    each argument's value comes from (origins as in `StepFact.origins`; "" when unknown):
    `repo.lock(order.id)` -> ("0", "row:3"). Helper parameters are judged by these."""

    function: str  # the calling function
    target: str  # qualified callee as the file sees it
    args: tuple[tuple[str, str], ...] = ()  # position ("0", "1", ...) or keyword -> origin


@dataclass(frozen=True)
class QueryFact:
    span: Span
    function: str
    root: str = ""  # qualified class the chain starts at
    source: str = ""  # qualified pack call the chain starts at (select, Session.query)
    models: tuple[str, ...] = ()  # qualified classes named by the source call
    steps: tuple[StepFact, ...] = ()
    text: str = ""
    # In a class body (`function` is the class): a DRF view's `queryset = M.objects.all()`,
    # a serializer field's `queryset=`.
    in_class_body: bool = False
    # A subquery: the index of the query (of the same file) one of whose step arguments it is
    # (-1: none). Judged with that query when it is a query of a tenant-scoped model.
    nested_in: int = -1
    # A class-based view's own queryset (`self.get_queryset()`: "self"; `super().get_queryset()`:
    # "super"): no model of its own, the class's queryset method or attributes say which.
    via_self: str = ""


@dataclass(frozen=True)
class ConstructFact:
    span: Span
    function: str
    cls: str
    kwargs: tuple[str, ...] = ()
    unknown: bool = False  # positional arguments or **kwargs
    text: str = ""
    # The method called straight on the new, unbound instance (`Channel().send_alert()`), if any;
    # RETURNED for an instance returned as built (`return Invoice(number=n)`).
    then_called: str = ""


@dataclass(frozen=True)
class SqlFact:
    span: Span
    function: str
    refs: tuple[tuple[str, tuple[str, ...]], ...]
    text: str = ""


@dataclass(frozen=True)
class FixedConnectionFact:
    span: Span
    function: str
    target: str
    literal: str
    text: str = ""


@dataclass(frozen=True)
class TableFact:
    variable: str  # qualified module-level name bound to the Table
    table: str
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class MappingFact:
    cls: str
    table_variable: str


@dataclass(frozen=True)
class CriteriaFact:
    model: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class TenancyFacts:
    queries: tuple[QueryFact, ...] = ()
    constructs: tuple[ConstructFact, ...] = ()
    sql: tuple[SqlFact, ...] = ()
    fixed: tuple[FixedConnectionFact, ...] = ()
    tables: tuple[TableFact, ...] = ()
    mappings: tuple[MappingFact, ...] = ()
    criteria: tuple[CriteriaFact, ...] = ()
    # Attributes a class's methods assign on self (save() deriving the tenant key).
    self_assigned: tuple[tuple[str, tuple[str, ...]], ...] = ()
    calls: tuple[CallFact, ...] = ()
    # Callables a function names as a value inside a literal (`{"func": refresh_queries}`,
    # `[cleanup, prune]`): (the function, the qualified name as the file sees it). The
    # function hands them on to be run (a scheduler's job table): it counts as their caller.
    references: tuple[tuple[str, str], ...] = ()
    # (function, parameter): the function calls the function its parameter holds with its own
    # `*args` (`job(*args)`), or hands both on (`queue.enqueue(job, *args)`): an enqueue wrapper,
    # whose call sites are call sites of the function they pass it.
    forwards: tuple[tuple[str, str], ...] = ()
