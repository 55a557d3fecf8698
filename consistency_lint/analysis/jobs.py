"""Background jobs that take no argument: they serve every tenant by design.

A task function with no parameter (`@shared_task def hard_delete(): ...`, a
periodic sweep, a telemetry report) cannot be handed a tenant: its queries run
over every tenant's rows on purpose, and there is no tenant value to filter by.
So is a function without parameters that only such jobs call
(`send_telemetry()` -> `generate_platform_data()`), and so is any function, with
parameters or not, that only such jobs call (`purge()` -> `repo.delete_expired(cutoff)`):
what a sweep hands its helpers was read over every tenant on purpose. A function
that anything else also calls (a view, a task taking arguments, a helper of them)
is judged on its own, and a request handler (a function taking a request
parameter) is never a job's helper, whoever calls it. A function handed to a call as
a value (`process_cleanup(queryset_func=old_logs)`) counts as called by the function
making that call, and a call of a base's method (`self.scheduling_statement()`) also
calls the subclasses' overrides. A function named as a value inside a literal of another
(`{"func": empty_schedules, "interval": 60}` in the job table a scheduler is handed) counts
as called by it. Code whose tenancy findings are silenced (a file `per-file-ignores` turns
CL201 off for, management commands, scripts; never tests: `Settings.tenancy_silenced`) is an
operator's or no one's in production: a function that only such code calls serves every tenant
too (`rebuild_timeline()` called only from management commands and importers). Only direct calls
and references count from silenced code, never the dispatch of a base's method to overrides:
generic helpers silenced for lack of a model (`kit/repository.py` calling
`self.get_base_statement()`) run every request's queries. So is a view only the operator
may call (an `operator-guards` decorator or permission class: `@require_super_admin`,
DRF's `IsAdminUser`) and what only such views call. A task is a function a
decorator turns into a pack type that enqueues (a type with a `publish` entry of
effect kind `task`: Celery, dramatiq, rq, huey, ...). An operator's job
runs for every tenant too: a method listed in the packs' `job-methods`
(`BaseCommand.handle` of a Django management command), and so does a function
registered to run on a schedule: decorated with a call given a schedule that a
pack's `schedules` makes (`@actor(cron_trigger=CronTrigger(hour=0))`,
`@periodic_task(crontab(minute=0))`), whatever its parameters. A task with parameters,
and any other function with one, is not a tenant-free job: what it is handed may
be a tenant.
"""

from __future__ import annotations

from collections.abc import Callable

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.summary import Function, iter_ops

# Parameter names that are the receiver, not an argument (`@app.task(bind=True) def run(self)`).
_RECEIVERS = frozenset({"self", "cls"})


class TenantFreeJobs:
    """The qualified names of tenant-free jobs of a project and the functions only they call."""

    def __init__(
        self,
        index: ProjectIndex,
        silenced: Callable[[str], bool] | None = None,
        operator: Callable[[str, Function], bool] | None = None,
    ) -> None:
        self.index = index
        self.silenced = silenced
        self.operator = operator
        self._names: frozenset[str] | None = None

    def __contains__(self, qualname: str) -> bool:
        if self._names is None:
            self._names = self._compute()
        return qualname in self._names

    def _compute(self) -> frozenset[str]:
        index = self.index
        task_types = index.packs.task_types
        syntax = index.packs.syntax
        silent = {
            name
            for name, (owner, function) in index.functions.items()
            if (self.silenced is not None and self.silenced(owner.path))
            or (self.operator is not None and self.operator(name, function))
        }
        if not task_types and not syntax.job_methods and not syntax.schedules and not silent:
            return frozenset()
        job_methods = index.packs.syntax.job_methods
        schedules = index.packs.syntax.schedules
        found = {
            name
            for name, (_, function) in index.functions.items()
            if (_no_arguments(function) and index.decorated_type(function) in task_types)
            or (job_methods and self._job_method(name, job_methods))
            or (schedules and self._scheduled(function, schedules))
        }
        if not found and not silent:
            return frozenset()
        callers: dict[str, set[str]] = {}
        for name, (_, function) in index.functions.items():
            for op in iter_ops(function.body):
                called = index.resolve(op.target)
                if called.function is not None:
                    owner, callee = called.function  # the defining function, also when inherited
                    callers.setdefault(owner.qualified(callee.qualname), set()).add(name)
        for summary in index.files.values():
            # A function handed to a call as a value (`process(queryset_func=old_logs)`) is
            # used by the caller as if called by it.
            for call in summary.tenancy.calls if summary.tenancy is not None else ():
                for _, origin in call.args:
                    referenced = index._follow_reexport(origin) if origin else ""
                    if referenced in index.functions:
                        callers.setdefault(referenced, set()).add(summary.qualified(call.function))
            for referrer, origin in summary.tenancy.references if summary.tenancy is not None else ():
                referenced = index._follow_reexport(origin)
                if referenced in index.functions:
                    callers.setdefault(referenced, set()).add(summary.qualified(referrer))
        self._dispatch_to_overrides(callers, silent)
        found |= silent
        requests = index.packs.syntax.request_parameters
        candidates = [
            name
            for name, (_, function) in index.functions.items()
            if name not in found and callers.get(name) and not _handles_requests(function, requests)
        ]
        changed = True
        while changed:
            changed = False
            for name in candidates:
                if name not in found and callers[name] <= found:
                    found.add(name)
                    changed = True
        return frozenset(found)

    def _dispatch_to_overrides(self, callers: dict[str, set[str]], silent: set[str]) -> None:
        """`self.scheduling_statement()` in a base's method runs the subclass's override on a
        subclass instance: the callers of `Base.m` call each project override `Sub.m` too
        (silenced code's calls of a base's method excepted: a generic helper runs them for
        every caller)."""
        index = self.index
        subclasses: dict[str, list[str]] = {}
        for cls in index.classes:
            for base in index.mro(cls):
                if base != cls:
                    subclasses.setdefault(base, []).append(cls)
        for method, calling in list(callers.items()):
            owner, _, name = method.rpartition(".")
            for sub in subclasses.get(owner, ()):
                override = f"{sub}.{name}"
                if override in index.functions:
                    callers.setdefault(override, set()).update(calling - silent)

    def _scheduled(self, function: Function, schedules: tuple[str, ...]) -> bool:
        """Decorated with a call given a schedule (`@actor(cron_trigger=CronTrigger(hour=0))`,
        `@periodic_task(crontab(minute=0))`, `CronTrigger.from_crontab(...)`, also through a
        project module re-exporting the trigger): a periodic job."""
        for _, made in function.decorator_keywords:
            owner, _, last = made.rpartition(".")
            names = {made, self.index._follow_reexport(made)}
            if owner:
                names.add(f"{self.index._follow_reexport(owner)}.{last}")
            if any(name == s or name.startswith(f"{s}.") for name in names for s in schedules):
                return True
        return False

    def _job_method(self, qualname: str, job_methods: tuple[str, ...]) -> bool:
        """`Command.handle` of a project subclass of a pack base listed in `job-methods`
        (`django.core.management.base.BaseCommand.handle`): an operator's job."""
        owner, _, method = qualname.rpartition(".")
        if not owner or owner not in self.index.classes:
            return False
        return any(f"{base}.{method}" in job_methods for base in self.index.mro(owner))


def _handles_requests(function: Function, requests: tuple[str, ...]) -> bool:
    """A request handler (`def export(request)`, `def get(self, request)`): never a job's helper."""
    return any(param.name in requests for param in function.params[:2])


def _no_arguments(function: Function) -> bool:
    return all(param.name in _RECEIVERS for param in function.params)
