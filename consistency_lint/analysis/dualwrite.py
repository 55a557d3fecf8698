"""Dual writes: commits, transactions and publishes along flows, across functions.

An abstract interpretation over the flow tree of each function. The state on a
path records the first commit that happened, the open transaction scopes, the
writes not yet committed and whether the transaction wrote an outbox row. A
publish reached with an open transaction that writes is CL102, one reached
after a commit is CL101; a publish in code registered to run after a commit is
CL103; a flow committing two different stores is CL104.

Calls to project functions are followed through per-function summaries (does
it commit, publish before any commit of its own, write, leave writes pending,
write an outbox), computed for two contexts (called outside or inside an open
transaction, which decides whether Django-style autocommit writes and nested
blocks commit) and propagated to a fixpoint: a function in progress reads the
current summary of its callee (empty at first), and passes repeat until no
summary changes, with a hard bound on passes and chain lengths so recursion
always terminates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import TypeVar

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.param_types import typed_functions
from consistency_lint.analysis.summary import (
    CALL,
    DISPATCH_CALL,
    SUPER,
    TABLE_ITEM,
    Block,
    Branch,
    Deferred,
    Exit,
    FileSummary,
    Function,
    Loop,
    Op,
    Scope,
    TryBlock,
    iter_ops,
)
from consistency_lint.domain.diagnostic import Related
from consistency_lint.domain.settings import Settings

MAX_PASSES = 8
MAX_CHAIN = 6
MAX_DEPTH = 60  # nested summary computations; deeper ones are completed by the passes
MAX_RECENT = 6  # commits a path remembers to name the one a publish follows

WRITE_ROLES = ("write", "bulk-write")


@dataclass(frozen=True)
class Hit:
    """An operation somewhere in the project, reached through a chain of calls."""

    op: Op
    path: str
    chain: tuple[str, ...] = ()  # call texts from the analysed function to the operation
    lazy: bool = False  # a commit that only creates a missing row (a lazy get-or-create)
    # Called functions on the way that report a publish after their own commit (CL101 there).
    reporters: frozenset[str] = field(default=frozenset(), compare=False)
    # The function whose body holds the operation (its qualified name), and every project
    # function the chain passed through: a commit made inside the function that holds a
    # publish is that publish's own bookkeeping (an event-log row), not what it announces.
    holder: str = field(default="", compare=False)
    inside: frozenset[str] = field(default=frozenset(), compare=False)

    def via(self, call: Op, reporters: Iterable[str] = (), functions: Iterable[str] = ()) -> Hit:
        chain = (call.text, *self.chain)[:MAX_CHAIN]
        return Hit(
            self.op,
            self.path,
            chain,
            self.lazy,
            self.reporters.union(reporters),
            self.holder,
            self.inside.union(functions),
        )

    def describe(self, here: str) -> str:
        where = f"line {self.op.span.line}" if self.path == here else f"{self.path}:{self.op.span.line}"
        via = f", via {' -> '.join(self.chain)}" if self.chain else ""
        return f"`{self.op.text}` ({where}{via})"

    def related(self, message: str) -> Related:
        return Related(self.path, self.op.span.line, self.op.span.column, message)


@dataclass(frozen=True)
class Summary:
    """What calling a function may do, as seen by its caller."""

    commit: Hit | None = None  # the first commit it may perform
    store: tuple[str, str] | None = None  # the store of that commit
    latest: Hit | None = None  # its last commit: what a publish after the call follows
    recent: tuple[Hit, ...] = ()  # its last commits, dominating ones last (`State.recent`)
    publish: Hit | None = None  # a publish reached before any commit or write of its own
    writes: bool = False  # writes anything
    pending: Hit | None = None  # leaves writes uncommitted (the caller's transaction)
    outbox: bool = False  # writes an outbox row in the caller's transaction
    reports: bool = False  # reports a publish after one of its own commits (CL101 inside it)


_EMPTY = Summary()
_CHANGED = Summary(writes=True)  # never stored: marks a summary read with two values


@dataclass(frozen=True)
class State:
    committed: Hit | None = None  # the first commit (a second store is told from it)
    latest: Hit | None = None  # the most recent commit: the one a publish is said to follow
    # The last commits on the path, oldest first; after paths join, the commits made on
    # every joined path come last, so the nearest commit that dominates is named first.
    recent: tuple[Hit, ...] = ()
    store: tuple[str, str] | None = None
    depth: int = 0  # open transaction scopes
    opener: Hit | None = None  # the outermost open scope
    scope_writes: bool = False  # the open scope writes somewhere in its body
    writes: Hit | None = None  # first write not committed yet
    outbox: bool = False  # the open transaction wrote an outbox row
    uncommitted: bool = True  # some path reaches here without any commit
    # Publishes in a writing scope with no write before them on the path yet: CL102 once a
    # write follows them on the path, dropped when the scope ends (or commits) without one.
    unsure: tuple[PublishedInTransaction, ...] = ()
    published: bool = False  # a publish on this path
    mixed: bool = False  # a publish and a commit on one path (in either order)


def _join(states: Iterable[State | None]) -> State | None:
    live = [s for s in states if s is not None]
    if not live:
        return None
    first = live[0]
    if len(live) == 1 or (not first.unsure and all(s == first for s in live[1:])):
        return first  # (joining equal states: every field below would be `first`'s own)
    return State(
        committed=next((s.committed for s in live if s.committed is not None), None),
        latest=next((s.latest for s in live if s.latest is not None), None),
        recent=_join_recent(live),
        store=next((s.store for s in live if s.store is not None), None),
        depth=max(s.depth for s in live),
        opener=next((s.opener for s in live if s.opener is not None), None),
        scope_writes=any(s.scope_writes for s in live),
        writes=next((s.writes for s in live if s.writes is not None), None),
        outbox=any(s.outbox for s in live),
        uncommitted=any(s.uncommitted for s in live),
        unsure=tuple(dict.fromkeys(e for s in live for e in s.unsure)),
        published=any(s.published for s in live),
        mixed=any(s.mixed for s in live),
    )


@dataclass(frozen=True)
class Event:
    """Something a rule may report, at `op` in the function `context` of the file `path`.

    `through` is the publish a call leads to (None when `op` publishes itself)."""

    path: str
    op: Op
    context: str


@dataclass(frozen=True)
class PublishedAfterCommit(Event):
    """A publish on a path where `committed` has committed and no outbox row was written."""

    committed: Hit
    through: Hit | None = None


@dataclass(frozen=True)
class PublishedInTransaction(Event):
    """A publish while the transaction opened or written at `cause` has not committed."""

    cause: Hit
    through: Hit | None = None


@dataclass(frozen=True)
class PublishedFromHook(Event):
    """A publish in code registered by `hook` to run after the commit."""

    hook: Hit
    through: Hit | None = None


@dataclass(frozen=True)
class SecondStoreCommitted(Event):
    """`commit` commits another store than `first`, which committed earlier in the flow."""

    commit: Hit
    first: Hit


E = TypeVar("E", bound=Event)

Flow = tuple[State | None, list[State], list[State]]  # fall-through, returns, breaks


class DualWrites:
    """The whole-project analysis; `events(kind)` after `run()`."""

    def __init__(self, index: ProjectIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.summaries: dict[tuple[str, bool], Summary] = {}
        # What each summary's last computation read: the summaries, as the objects it saw.
        self._reads: dict[tuple[str, bool], dict[tuple[str, bool], Summary]] = {}
        self._reading: list[dict[tuple[str, bool], Summary]] = []  # computations in progress
        self.depth = 0
        # One event per rule, operation and function: the first met (a publish in a loop is
        # met again on the second iteration, after commits of the first).
        self.found: dict[tuple[type[Event], str, Op, str], Event] = {}
        self._classified: dict[int, tuple[Op, tuple[str, str, bool, list[str]]]] = {}
        self._wrappers: dict[int, tuple[Function, list[tuple[str, list[str]]]]] = {}
        self._nested: dict[str, list[str]] = {}  # decorator -> the functions defined inside it
        self._summary_asks = 0  # classifications that read a summary (never memoised)
        # Project function -> for each call site, the open transaction (None: outside one).
        self.contexts: dict[str, list[Hit | None]] = {}
        # Calls on untyped parameters typed from their call sites (param_types).
        self._functions: dict[str, tuple[FileSummary, Function]] = typed_functions(index)
        self.hooks = self._registered_hooks()
        self.view_transactions = self._view_transactions()
        # `atomic-requests` in our configuration, or found in the project's settings module.
        self.atomic_requests = settings.atomic_requests or any(
            file.request_transactions for file in index.files.values()
        )

    # ----- driver -----------------------------------------------------------

    def run(self) -> DualWrites:
        for qual in self._functions:
            self.summary(qual, False)
        for _ in range(MAX_PASSES):
            changed = False
            # Callees were first met after their callers: recompute them first. A summary
            # whose last computation read only summaries that are still the same objects
            # would be computed again from the same inputs: it cannot change.
            for key in reversed(list(self.summaries)):
                if self._unchanged_inputs(key):
                    continue
                new = self._recorded(*key)
                if new != self.summaries[key]:
                    self.summaries[key] = new
                    changed = True
            if not changed:
                break
        self._reads.clear()  # the walks below read the summaries as they stand
        # Calling contexts: a function every known caller calls inside an open transaction
        # runs inside one (its autocommit writes do not commit, its publishes are CL102).
        for summary, function in self._functions.values():
            recorder = _Walker(self, summary, function, report=False, record=True)
            recorder.run(self._request_entry(function, recorder))  # views' callees: in the request
        for summary, function in self._functions.values():
            walker = _Walker(self, summary, function, report=True)
            walker.run(self._entry(summary, function, walker))
        self._keep_nearest()
        # What only the run needed: the rest of the project phase keeps this analysis.
        self._classified.clear()
        self._wrappers.clear()
        return self

    def _keep_nearest(self) -> None:
        """One CL102 per transaction block and publish: a publish reached inside one block
        from several functions on the way to it (the dispatch that opens the block, a method
        its class runs inside it, the method that calls the publisher) is reported at the
        calls nearest to it, the fewest calls away."""
        groups: dict[tuple[str, Op, str, Op], list[tuple[int, tuple[type[Event], str, Op, str]]]] = {}
        for key, event in self.found.items():
            if isinstance(event, PublishedInTransaction):
                pub = event.through or Hit(event.op, event.path)
                distance = len(pub.chain) if event.through is not None else 0
                group = (event.cause.path, event.cause.op, pub.path, pub.op)
                groups.setdefault(group, []).append((distance, key))
        for members in groups.values():
            nearest = min(distance for distance, _ in members)
            for distance, key in members:
                if distance > nearest:
                    del self.found[key]

    def events(self, kind: type[E]) -> Iterator[E]:
        """The events of one kind, in no particular order."""
        return (event for event in self.found.values() if isinstance(event, kind))

    def _registered_hooks(self) -> dict[str, Hit]:
        """Project functions registered to run when a row is written, by qualified name:
        the registration (a signal receiver's `@receiver(post_save)`, a mapper listener's
        `event.listen(Order, "after_insert", f)`), the first one met for each function."""
        out: dict[str, Hit] = {}
        for file in self.index.files.values():
            for target, hook in file.hooks:
                resolved = self.index.resolve(target).function
                if resolved is None:
                    continue
                out.setdefault(resolved[0].qualified(resolved[1].qualname), Hit(hook, file.path))
        return out

    def _view_transactions(self) -> dict[str, Hit]:
        """Methods of class-based views whose dispatch (a pack `view-dispatch-methods` name)
        runs them inside a transaction block: the block, by the method's qualified name."""
        names = self.index.packs.syntax.view_dispatch_methods
        wrapping: dict[str, Hit] = {}  # view class -> the block its dispatch opens
        methods: dict[str, list[str]] = {}  # class -> its own methods (not dispatch, no dunders)
        for qual, (file, function) in self._functions.items():
            if not function.class_name:
                continue
            owner, _, name = qual.rpartition(".")
            if name in names:
                opener = _dispatch_block(function.body, name)
                if opener is not None:
                    wrapping.setdefault(owner, Hit(opener, file.path))
            elif not name.startswith("__"):
                methods.setdefault(owner, []).append(qual)
        out: dict[str, Hit] = {}
        if not wrapping:
            return out
        for cls, quals in methods.items():
            block = next((wrapping[base] for base in self.index.mro(cls) if base in wrapping), None)
            if block is not None:
                for qual in quals:
                    out[qual] = block
        return out

    def _entry(self, file: FileSummary, function: Function, walker: _Walker) -> State:
        """The state a function starts in: inside a transaction when every caller opened one,
        or for a view under `atomic-requests` (a function taking one of the packs'
        `request-parameters` first or second). A function registered to run after a row is
        written starts after that write's commit (autocommit); one registered to run inside
        the writing transaction starts inside it, with a write pending."""
        qual = file.qualified(function.qualname)
        hook = self.hooks.get(qual)
        if hook is not None and hook.op.kind == "after-write-hook":
            return State(
                committed=hook, latest=hook, recent=(hook,), store=(hook.op.pack, ""), uncommitted=False
            )
        if hook is not None and hook.op.kind == "in-transaction-hook":
            return State(depth=1, opener=hook, scope_writes=True, writes=hook)
        callers = self.contexts.get(qual)
        if callers and all(hit is not None for hit in callers):
            first = next(hit for hit in callers if hit is not None)
            # Only writes on the path count here: the caller reports a publish reached before any.
            return State(depth=1, opener=first)
        return self._request_entry(function, walker)

    def _request_entry(self, function: Function, walker: _Walker) -> State:
        """A view method its class's dispatch runs inside a transaction block, or a view
        under `atomic-requests`: both start inside the request's transaction."""
        block = self.view_transactions.get(walker.file.qualified(function.qualname))
        if block is not None:
            return State(depth=1, opener=block, scope_writes=walker.block_writes(function.body))
        return self._atomic_request_entry(function, walker)

    def _atomic_request_entry(self, function: Function, walker: _Walker) -> State:
        """A view under `atomic-requests` (a function taking one of the packs'
        `request-parameters` first or second) runs in the request's transaction."""
        views = self.index.packs.syntax.request_parameters
        if self.atomic_requests and any(p.name in views for p in function.params[:2]):
            opener = Op("begin", "<atomic-requests>", function.span, text="atomic-requests", commits=True)
            return State(
                depth=1,
                opener=Hit(opener, walker.file.path),
                scope_writes=walker.block_writes(function.body),
            )
        return State()

    def summary(self, qual: str, in_tx: bool) -> Summary:
        key = (qual, in_tx)
        found = self.summaries.get(key)
        if found is None:
            self.summaries[key] = found = _EMPTY
            if self.depth <= MAX_DEPTH:  # deeper ones are completed by the next pass
                self.depth += 1
                try:
                    found = self._recorded(qual, in_tx)
                finally:
                    self.depth -= 1
                self.summaries[key] = found
        if self._reading:
            reads = self._reading[-1]
            if reads.setdefault(key, found) is not found:
                reads[key] = _CHANGED  # read twice, changed in between: never taken as unchanged
        return found

    def _recorded(self, qual: str, in_tx: bool) -> Summary:
        """`_compute`, remembering which summaries it read."""
        self._reading.append({})
        try:
            return self._compute(qual, in_tx)
        finally:
            self._reads[(qual, in_tx)] = self._reading.pop()

    def _unchanged_inputs(self, key: tuple[str, bool]) -> bool:
        """Every summary the last computation of `key` read is still the object it read."""
        reads = self._reads.get(key)
        if reads is None:  # never computed (met beyond MAX_DEPTH)
            return False
        summaries = self.summaries
        return all(summaries.get(read) is seen for read, seen in reads.items())

    def _compute(self, qual: str, in_tx: bool) -> Summary:
        found = self._functions.get(qual)
        if found is None:
            return _EMPTY
        file, function = found
        walker = _Walker(self, file, function, report=False)
        start = State(depth=1 if in_tx else 0)
        end = walker.run(start)
        if end is None:
            return replace(
                _EMPTY, publish=walker.clean_publish, writes=walker.any_write, reports=walker.reports
            )
        summary = Summary(
            commit=end.committed,
            latest=end.latest,
            recent=end.recent,
            store=end.store,
            publish=walker.clean_publish,
            writes=walker.any_write,
            pending=end.writes,
            outbox=end.outbox,
            reports=walker.reports,
        )
        if end.committed is not None and walker.clean_publish is not None and not end.mixed:
            # Either it commits or it publishes, never both on one path: a helper that does the
            # work at once (writing) or hands it to a consumer (`if sync: handle() else:
            # task.delay()`). Its inline commit is the consumer's work, not a change a later
            # publish of the caller announces.
            return replace(summary, commit=None, latest=None, store=None)
        return summary

    # ----- classification ------------------------------------------------------

    def classify(self, op: Op) -> tuple[str, str, bool, list[str]]:
        """(role, pack, autocommit, project functions called) of an operation; asked again
        for the same operation on every pass and walk, answered once (the list is shared)."""
        known = self._classified.get(id(op))
        if known is not None and known[0] is op:
            return known[1]
        asked = self._summary_asks
        answer = self._classify(op)
        if self._summary_asks == asked:  # an answer read from a summary may change next pass
            self._classified[id(op)] = (op, answer)  # holding `op` keeps its id from being reused
        return answer

    def _classify(self, op: Op) -> tuple[str, str, bool, list[str]]:
        if op.kind != CALL:
            spec = self.index.packs.call(op.target)
            autocommit = op.commits if op.kind in WRITE_ROLES else False
            return op.kind, op.pack or (spec.pack if spec else ""), autocommit, []
        if op.target.endswith(f".{DISPATCH_CALL}"):
            module = op.target[: -len(DISPATCH_CALL) - 1]
            file = self.index.files.get(module)
            return "", "", False, list(file.dispatch) if file is not None else []
        if f".{TABLE_ITEM}" in op.target:
            return self._table_item(op)
        table, get, method = op.target.rpartition(".get().")
        if get and "(" not in table and "." not in method:  # `TASKS.get(name).delay()`
            module, _, name = table.rpartition(".")
            file = self.index.files.get(module)
            if file is not None and name in dict(file.tables):
                return self._table_item(replace(op, target=f"{table}.{TABLE_ITEM}.{method}"))
        resolved = self.index.resolve(op.target)
        if resolved.spec is None and resolved.function is None and op.receiver_call:
            generic = self.index.generic_call_target(op.target, op.receiver_call)
            if generic:  # `project.delete()` after `project = get_instance(Project, id)`
                resolved = self.index.resolve(generic)
        if resolved.spec is not None and resolved.spec.role:
            spec = resolved.spec
            if spec.role == "publish" and spec.effect_kind not in self.index.packs.effect_kinds:
                return "", "", False, []
            return spec.role, spec.pack, spec.autocommit, []
        if resolved.function is not None:
            file, function = resolved.function
            qual = file.qualified(function.qualname)
            if function.class_name and _abstract(function):
                # An abstract method (a backend base, an injected unit of work's interface):
                # the call reaches the project's implementations of it.
                return "", "", False, self.index.implementations(qual) or [qual]
            overrides = self._overrides(op.target, qual) if function.class_name else []
            if overrides:
                # A default that does nothing the analysis sees (`def update(self): log(...)`),
                # overridden below the receiver's class: the call may run any of the overrides.
                return "", "", False, [qual, *overrides]
            return "", "", False, [qual]
        return "", "", False, self.index.hook_implementations(op.target)

    def _overrides(self, target: str, qual: str) -> list[str]:
        """The overrides a call of `qual` may run instead when `qual` does nothing the
        analysis sees (no write, commit or publish, nor a call that does): those defined in
        subclasses of the class the call is made through (`self.m()` in `C`: `C` and below;
        `index.m()` on a `SearchIndex`: its subclasses). None through `super()`."""
        owner = self.index._follow_reexport(target.rpartition(".")[0])
        if SUPER in target or owner not in self.index.classes:
            return []
        found = [q for q in self.index.implementations(qual) if owner in self.index.mro(q.rpartition(".")[0])]
        if not found:
            return []
        self._summary_asks += 1
        own = self.summary(qual, False)
        quiet = own.commit is None and own.publish is None and not own.writes and own.pending is None
        return found if quiet else []

    def _table_item(self, op: Op) -> tuple[str, str, bool, list[str]]:
        """A call on an item of a module-level table: what calling the method on any listed
        callable means (the first with a role), else the project functions it may call."""
        table, _, method = op.target.partition(f".{TABLE_ITEM}")
        module, _, name = table.rpartition(".")
        file = self.index.files.get(module)
        members = dict(file.tables).get(name, ()) if file is not None else ()
        quals: list[str] = []
        for member in members:
            role, pack, autocommit, called = self._classify(replace(op, target=f"{member}{method}"))
            if role:
                return role, pack, autocommit, []
            quals += called
        return "", "", False, quals

    # ----- commit boundaries defined by the project ---------------------------

    def boundary(self, opener: Op) -> bool | None:
        """A project context manager as a transaction scope: True when leaving it commits,
        False when it only bounds a transaction (its exit rolls back, the body commits
        explicitly), None when it is no transaction boundary.

        - a class whose `__exit__`/`__aexit__` commits, or rolls back (a unit of work);
        - a generator function (a `@contextmanager`) that commits: the commit is taken to
          follow its `yield`, where the `with` block ends."""
        target = opener.target
        owner = target[: -len(".__enter__")] if target.endswith(".__enter__") else target
        if owner in self.index.classes:
            for cls in self.index.mro(owner):
                for method in ("__exit__", "__aexit__"):
                    qual = f"{cls}.{method}"
                    if qual in self._functions:
                        return self._exit_kind(qual)
            return None
        resolved = self.index.resolve(target)
        if resolved.function is None:
            return None
        file, function = resolved.function
        if not function.generator:
            return None
        qual = file.qualified(function.qualname)
        return True if self.summary(qual, False).commit is not None else None

    def discards(self, opener: Op) -> bool:
        """A context manager whose block's end rolls back what it did not commit."""
        spec = self.index.resolve(opener.target).spec
        return spec is not None and spec.discards_on_exit

    def _exit_kind(self, qual: str) -> bool | None:
        if self.summary(qual, False).commit is not None:
            return True
        _, function = self._functions[qual]
        for op in iter_ops(function.body):
            role, _, _, quals = self.classify(op)
            if role == "rollback" or any(self._rolls_back(q) for q in quals):
                return False
        return None

    def _rolls_back(self, qual: str) -> bool:
        """`self.rollback()` in `__exit__`: a method (or its implementations) that rolls back."""
        found = self._functions.get(qual)
        return found is not None and any(self.classify(op)[0] == "rollback" for op in iter_ops(found[1].body))

    def transactional_decorator(self, file: FileSummary, function: Function) -> str:
        """The project decorator that runs `function` in a transaction and commits after it
        (a function whose nested wrapper commits: `@transactional`), or ""."""
        if not function.decorators:
            return ""
        for outer, nested in self._decorator_wrappers(function):
            if any(self.summary(qual, False).commit is not None for qual in nested):
                return outer
        return ""

    def _decorator_wrappers(self, function: Function) -> list[tuple[str, list[str]]]:
        """The project decorators of `function` that take parameters, each with the functions
        nested in it, in order: found once per function (every pass and walk asks)."""
        known = self._wrappers.get(id(function))
        if known is not None and known[0] is function:
            return known[1]
        out: list[tuple[str, list[str]]] = []
        for decorator in function.decorators:
            found = self._functions.get(decorator) or self.index.resolve(decorator).function
            if found is None:
                continue
            deco_file, deco = found
            if not deco.params:
                continue
            outer = deco_file.qualified(deco.qualname)
            nested = self._nested.get(outer)
            if nested is None:
                quals = [deco_file.qualified(f.qualname) for f in deco_file.functions]
                nested = self._nested[outer] = [qual for qual in quals if qual.startswith(f"{outer}.")]
            out.append((outer, nested))
        self._wrappers[id(function)] = (function, out)  # holding `function` keeps its id unique
        return out

    def is_outbox(self, op: Op) -> bool:
        patterns = self.settings.outbox_models
        for cls in op.arg_classes:
            if self._outbox_class(cls, patterns):
                return True
        parts = op.target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:cut])
            is_class = head in self.index.classes or parts[cut - 1][:1].isupper()
            if is_class and self._outbox_class(head, patterns):
                return True
        return False

    def _outbox_class(self, qual: str, patterns: tuple[str, ...]) -> bool:
        name = qual.rsplit(".", 1)[-1]
        if any(fnmatchcase(name, p) for p in patterns):
            return True
        found = self.index.classes.get(qual)
        table = found[1].table_name if found is not None else ""
        return bool(table) and any(fnmatchcase(table, p) for p in patterns)

    def called(self, quals: list[str], in_tx: bool) -> Summary:
        """The summary of a call that may reach any of `quals` (a message bus: several)."""
        if len(quals) == 1:
            return self.summary(quals[0], in_tx)
        out = _EMPTY
        for qual in quals:
            s = self.summary(qual, in_tx)
            out = Summary(
                commit=out.commit or s.commit,
                latest=out.latest or s.latest,
                recent=out.recent or s.recent,
                store=out.store or s.store,
                publish=out.publish or s.publish,
                writes=out.writes or s.writes,
                pending=out.pending or s.pending,
                outbox=out.outbox or s.outbox,
                reports=out.reports or s.reports,
            )
        return out

    def report(self, event: Event) -> None:
        self.found.setdefault((type(event), event.path, event.op, event.context), event)


class _Walker:
    """Runs one function's flow tree from an entry state."""

    def __init__(
        self,
        analysis: DualWrites,
        file: FileSummary,
        function: Function,
        *,
        report: bool,
        record: bool = False,
    ) -> None:
        self.a = analysis
        self.recording = record
        self.file = file
        self.function = function
        self.qual = file.qualified(function.qualname)
        self.reporting = report
        self.clean_publish: Hit | None = None
        self.any_write = False
        self.reports = False  # a publish after a commit of this function's own flow
        self.lazy = 0  # inside the arm of a lazy get-or-create: its commits are lazy

    def run(self, start: State) -> State | None:
        body = self.function.body
        wrapper = self.a.transactional_decorator(self.file, self.function)
        if wrapper:
            # `@transactional`: the body runs in a transaction the decorator commits after it.
            text = f"@{wrapper.rpartition('.')[2]}"
            opener = Op("begin", wrapper, self.function.span, commits=True, text=text)
            body = (Scope(opener, body),)
        fall, returns, _ = self.block(body, start)
        return _join([fall, *returns])

    # ----- flow -------------------------------------------------------------

    def block(self, block: Block, st: State) -> Flow:
        returns: list[State] = []
        breaks: list[State] = []
        current: State | None = st
        for node in block:
            if current is None:
                break
            if isinstance(node, Op):
                current = self.op(node, current)
            elif isinstance(node, Exit):
                if node.kind == "return":
                    returns.append(current)
                elif node.kind in ("break", "continue"):
                    breaks.append(current)
                return None, returns, breaks
            elif isinstance(node, Branch):
                falls = []
                for number, arm in enumerate(node.arms):
                    lazy = node.lazy and number == 0
                    self.lazy += lazy
                    f, r, b = self.block(arm, current)
                    self.lazy -= lazy
                    falls.append(f)
                    returns += r
                    breaks += b
                current = _join(falls)
            elif isinstance(node, Loop):
                f1, r1, b1 = self.block(node.body, current)
                again = _join([current, f1])
                assert again is not None
                # A second iteration, where a publish does not follow what the previous one
                # committed: that was another item's row (`for user in users: mail(user);
                # user.last_sent = now; commit()`), or a called pair reported inside it.
                f2, r2, b2 = self.block(node.body, _next_iteration(again, current))
                returns += r1 + r2
                before_else = _join([current, f1, f2])
                assert before_else is not None
                fe, re_, _ = self.block(node.orelse, before_else)
                returns += re_
                current = _join([fe, *b1, *b2])
            elif isinstance(node, TryBlock):
                current = self._try(node, current, returns, breaks)
            elif isinstance(node, Scope):
                current = self._scope(node, current, returns, breaks)
            elif isinstance(node, Deferred):
                self._deferred(node)
        return current, returns, breaks

    def _try(self, node: TryBlock, st: State, returns: list[State], breaks: list[State]) -> State | None:
        fb, rb, bb = self.block(node.body, st)
        returns += rb
        breaks += bb
        # A handler runs after a failure somewhere in the body: the body's commits are not
        # assumed to have happened (a publish after `rollback()` is not after a commit),
        # but its writes may be pending.
        pending = next((s.writes for s in (fb, *rb) if s is not None and s.writes), None)
        entry = replace(st, writes=st.writes or pending)
        falls: list[State | None] = []
        for handler in node.handlers:
            fh, rh, bh = self.block(handler, entry)
            falls.append(fh)
            returns += rh
            breaks += bh
        if fb is not None:
            fe, re_, be = self.block(node.orelse, fb)
            falls.append(fe)
            returns += re_
            breaks += be
        if not node.final:
            return _join(falls)
        joined = _join(falls)
        ff, rf, bf = self.block(node.final, joined if joined is not None else st)
        returns += rf
        breaks += bf
        return ff if joined is not None else None

    def _scope(self, node: Scope, st: State, returns: list[State], breaks: list[State]) -> State | None:
        if node.opener.kind == CALL:
            commits = self.a.boundary(node.opener)
            if commits is None:  # a context manager that is no transaction: a call, then the body
                fb, rb, bb = self.block(node.body, self.op(node.opener, st))
                if self.a.discards(node.opener):
                    # `with engine.connect() as conn:`: what the block left pending rolls back.
                    rb = [replace(s, writes=st.writes, outbox=st.outbox) for s in rb]
                    bb = [replace(s, writes=st.writes, outbox=st.outbox) for s in bb]
                    fb = replace(fb, writes=st.writes, outbox=st.outbox) if fb is not None else None
                returns += rb
                breaks += bb
                return fb
            node = Scope(replace(node.opener, kind="begin", commits=commits), node.body)
        opener = Hit(node.opener, self.file.path)
        outermost = st.depth == 0
        writes_inside = self.block_writes(node.body)
        if outermost:
            inner = replace(
                st,
                depth=1,
                opener=opener,
                scope_writes=writes_inside,
                writes=None,
                outbox=False,
            )
        else:
            inner = replace(st, depth=st.depth + 1, scope_writes=st.scope_writes or writes_inside)
        fb, rb, bb = self.block(node.body, inner)

        def close(s: State) -> State:
            if not outermost:
                return replace(s, depth=st.depth)
            after = replace(s, depth=0, opener=None, scope_writes=False, unsure=st.unsure)
            if not node.opener.commits:  # a savepoint block: its writes stay pending
                return replace(after, writes=s.writes or st.writes, outbox=s.outbox or st.outbox)
            if s.writes is not None:
                after = self.commit(node.opener, after, opener, store_receiver=node.opener.receiver)
            return replace(after, writes=st.writes, outbox=st.outbox)

        returns += [close(s) for s in rb]
        breaks += [close(s) for s in bb]
        return close(fb) if fb is not None else None

    def _deferred(self, node: Deferred) -> None:
        """Code registered to run after a commit: any publish in it is CL103."""
        for op in iter_ops(node.body):
            role, _, _, quals = self.a.classify(op)
            hook = Hit(node.hook, self.file.path)
            if role == "publish":
                self._report(PublishedFromHook(self.file.path, op, self._context(), hook))
            elif quals:
                pub = self.a.called(quals, False).publish
                if pub is not None:
                    self._report(PublishedFromHook(self.file.path, op, self._context(), hook, pub.via(op)))

    def block_writes(self, block: Block) -> bool:
        """Does a transaction body write (directly or through a call)?"""
        for op in iter_ops(block):
            role, _, _, quals = self.a.classify(op)
            if role in WRITE_ROLES or role in ("outbox", "commit"):
                return True
            if quals:
                s = self.a.called(quals, True)
                if s.writes or s.pending is not None or s.commit is not None:
                    return True
        return False

    # ----- operations --------------------------------------------------------

    def op(self, op: Op, st: State) -> State:
        role, pack, autocommit, quals = self.a.classify(op)
        here = Hit(op, self.file.path, holder=self.qual)
        if role == "commit":
            return self.commit(op, st, here, store_receiver=op.receiver, pack=pack)
        if role == "rollback":
            return replace(st, writes=None, outbox=False)
        if role in WRITE_ROLES or role == "outbox":
            self.any_write = True
            st = self.wrote(st)
            if role == "outbox" or self.a.is_outbox(op):
                return replace(st, outbox=True, writes=st.writes or here)
            if autocommit and st.depth == 0:
                return self.commit(op, st, here, pack=pack)  # autocommit mode: commits at once
            return replace(st, writes=st.writes or here)
        if role == "publish":
            return self.publish(op, st, here)
        if quals:
            if self.recording:
                opener = (st.opener or here) if st.depth > 0 else None
                for qual in quals:
                    self.a.contexts.setdefault(qual, []).append(opener)
            s = self.a.called(quals, st.depth > 0)
            reporters = quals if s.reports else ()
            if s.publish is not None and not (s.reports and _only_through(st, op)):
                # (A caller whose only commits come from earlier calls of the same function,
                # which reports its own commit-then-publish, would only repeat that finding.)
                st = self.publish(op, st, s.publish.via(op, reporters, quals))
            if s.writes or s.pending is not None or s.commit is not None:
                st = self.wrote(st)
            if s.writes:
                self.any_write = True
            if s.outbox:
                st = replace(st, outbox=True)
            if s.commit is not None:
                store = (s.store[0], "") if s.store else None
                before = st.recent
                st = self.commit(op, st, s.commit.via(op, reporters, quals), store=store)
                latest = (s.latest or s.commit).via(op, reporters, quals)
                lifted = [h.via(op, reporters, quals) for h in s.recent or (latest,)]
                if self.lazy:
                    latest = replace(latest, lazy=True)
                    lifted = [replace(h, lazy=True) for h in lifted]
                st = replace(st, latest=latest, recent=_remember(before, *lifted))
            if s.pending is not None:
                st = replace(st, writes=st.writes or s.pending.via(op))
        return st

    def commit(
        self,
        op: Op,
        st: State,
        hit: Hit,
        *,
        store_receiver: str = "",
        pack: str = "",
        store: tuple[str, str] | None = None,
    ) -> State:
        if st.outbox:
            # The transaction carried an outbox row: what follows is its delivery.
            return replace(st, writes=None, outbox=False)
        if self.lazy:
            hit = replace(hit, lazy=True)
        if store is None:
            store = (pack or op.pack or op.target.rpartition(".")[0], store_receiver)
        if st.committed is not None and st.store is not None and _different(st.store, store):
            self._report(SecondStoreCommitted(self.file.path, op, self._context(), hit, st.committed))
        return replace(
            st,
            mixed=st.mixed or st.published,
            committed=st.committed or hit,
            latest=hit,
            recent=_remember(st.recent, hit),
            store=st.store or store,
            writes=None,
            outbox=False,
            uncommitted=False,
            scope_writes=False,  # an explicit commit inside a scope ends its transaction
            unsure=(),
        )

    def wrote(self, st: State) -> State:
        """A write on the path: the publishes before it in its transaction are CL102."""
        if not st.unsure:
            return st
        for event in st.unsure:
            self._report(event)
        return replace(st, unsure=())

    def publish(self, at: Op, st: State, pub: Hit) -> State:
        if st.outbox:
            return st
        through = None if pub.op is at else pub
        out = st
        if st.writes is not None:
            cause = st.opener or st.writes
            self._report(PublishedInTransaction(self.file.path, at, self._context(), cause, through))
        elif st.depth > 0 and st.scope_writes:
            # The scope writes, but not yet on this path: CL102 if a write follows it.
            cause = st.opener or pub
            event = PublishedInTransaction(self.file.path, at, self._context(), cause, through)
            out = replace(st, unsure=(*st.unsure, event))
        elif st.committed is not None and not _lazy_only(st):
            after = _named_commit(st, through)
            if after is not None and not _repeats(st, pub):
                self.reports = True
                self._report(PublishedAfterCommit(self.file.path, at, self._context(), after, through))
        in_tx = st.writes is not None or (st.depth > 0 and st.scope_writes)
        if self.clean_publish is None and (st.uncommitted or _lazy_only(st)) and not in_tx:
            # Some path reaches it with nothing committed or written here: the caller decides.
            self.clean_publish = pub
        return replace(out, published=True, mixed=out.mixed or st.committed is not None)

    def _context(self) -> str:
        return self.function.qualname.replace("<module>", "")

    def _report(self, event: Event) -> None:
        if self.reporting:
            self.a.report(event)


def _dispatch_block(body: Block, name: str) -> Op | None:
    """The transaction block (a committing scope) inside which a dispatch method calls
    `super().<name>()` or a method of its own class (`self.handle()`), or None."""
    for node in body:
        if isinstance(node, Scope) and node.opener.kind == "begin" and node.opener.commits:
            for op in iter_ops(node.body):
                if op.text == f"super().{name}()" or op.receiver == "self":
                    return node.opener
        elif isinstance(node, Branch):
            for arm in node.arms:
                found = _dispatch_block(arm, name)
                if found is not None:
                    return found
        elif isinstance(node, (Scope, TryBlock)):
            inner = node.body
            found = _dispatch_block(inner, name)
            if found is not None:
                return found
    return None


def _next_iteration(again: State, entry: State) -> State:
    """The state a loop body's second iteration starts from: what the first left (pending
    writes, an open scope's writes, publishes) with the commits known on entering the loop."""
    if again.committed is entry.committed and again.latest is entry.latest and again.recent == entry.recent:
        return again
    return replace(
        again, committed=entry.committed, latest=entry.latest, recent=entry.recent, store=entry.store
    )


def _remember(recent: tuple[Hit, ...], *hits: Hit) -> tuple[Hit, ...]:
    """`recent` with `hits` made last (in their order), bounded to MAX_RECENT."""
    kept = tuple(h for h in recent if h not in hits)
    return (*kept, *hits)[-MAX_RECENT:]


def _join_recent(live: list[State]) -> tuple[Hit, ...]:
    """The commits joined paths remember: the ones made on every path (which dominate
    what follows) last, in their order; before them, those only some paths made."""
    first = live[0].recent
    if all(s.recent == first for s in live[1:]):
        return first
    common = [h for h in first if all(h in s.recent for s in live[1:])]
    others = dict.fromkeys(h for s in live for h in s.recent if h not in common)
    return (*others, *common)[-MAX_RECENT:]


def _named_commit(st: State, through: Hit | None) -> Hit | None:
    """The commit a publish is said to follow: the nearest that dominates it, skipping
    commits made inside the function that holds the publish (`through`: an `emit()` that
    saves its event-log row, then enqueues) and a getter's lazily created reference row.
    None when no other commit is known: the pair is the publish helper's own, reported
    inside it, or the commit only created a missing reference row."""
    holder = through.holder if through is not None else ""
    known = [*reversed(st.recent), *(h for h in (st.latest, st.committed) if h is not None)]
    return next((h for h in known if not (holder and holder in h.inside) and not _getter_created(h)), None)


def _getter_created(hit: Hit) -> bool:
    """A commit inside a called getter that only created a missing reference row."""
    return hit.lazy and bool(hit.chain)


def _lazy_only(st: State) -> bool:
    """Every commit the path names (the first and the latest) is a getter's lazy creation."""
    hits = [h for h in (st.committed, st.latest) if h is not None]
    return bool(hits) and all(_getter_created(h) for h in hits)


def _repeats(st: State, pub: Hit) -> bool:
    """Every commit the path names (the first and the latest) and the publish are reached
    through one called function that reports its own commit-then-publish: that pair is
    reported there, once."""
    hits = [h for h in (st.committed, st.latest) if h is not None]
    return bool(hits) and all(h.reporters & pub.reporters for h in hits)


def _only_through(st: State, call: Op) -> bool:
    """Every commit the path names (the first and the latest) happened inside an earlier
    call with the same text as `call` (`emit(); emit()`, or `emit()` in a loop)."""
    hits = [h for h in (st.committed, st.latest) if h is not None]
    return bool(hits) and all(h.chain[:1] == (call.text,) for h in hits)


def _abstract(function: Function) -> bool:
    """A method with nothing to run: decorated `abstractmethod`, or whose body only raises."""
    if any(d.rpartition(".")[2] == "abstractmethod" for d in function.decorators):
        return True
    body = function.body
    return bool(body) and all(isinstance(node, Exit) and node.kind == "raise" for node in body)


def _different(first: tuple[str, str], second: tuple[str, str]) -> bool:
    """Two commits are of different stores: other packs, or other named receivers."""
    if first[0] != second[0]:
        return True
    return bool(first[1] and second[1] and first[1] != second[1])
