"""Resolved configuration: built once by `app.config`, frozen, passed everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field

from consistency_lint.domain.globs import any_match, path_matches

DEFAULT_EFFECT_KINDS = ("broker", "task")
ALL_EFFECT_KINDS = ("broker", "task", "http", "email")
DEFAULT_OUTBOX_MODELS = ("*Outbox*", "*outbox*")
DEFAULT_TENANT_KEYS = ("tenant_id", "tenant")
DEFAULT_TENANCY_EXCLUDE = ("**/migrations/**", "**/alembic/versions/**")
TENANCY_MODES = ("shared-database", "database-per-tenant", "off")
# Code left out of the flow rules (CL1xx, CL2xx) by default, still read for the project
# index: tests (their transactions never commit), migrations, management commands, scripts.
# Test code: it calls production code whose real callers may be out of sight (a class
# picked from a table at run time), so it never makes that code an operator's.
TEST_FILES = ("tests/", "test/", "tests.py", "test_*.py", "*_test.py", "conftest.py")
DEFAULT_ANALYSIS_EXCLUDE = (
    *TEST_FILES,
    "migrations/",
    "**/alembic/versions/",
    "**/management/commands/",
    "scripts/",
)
# The rule families `analysis-exclude` applies to.
ANALYSIS_EXCLUDE_FAMILIES = ("CL1", "CL2")


@dataclass(frozen=True)
class TenancySettings:
    mode: str = "shared-database"
    tenant_keys: tuple[str, ...] = DEFAULT_TENANT_KEYS
    tenant_models: tuple[str, ...] = ()
    global_models: tuple[str, ...] = ()
    scoping_helpers: tuple[str, ...] = ()
    bootstrap_modules: tuple[str, ...] = ()
    # Provenance of tenant values (see docs/multi-tenancy.md): expressions or functions
    # that yield the current tenant, guards (decorators, permission classes) that verify a
    # view's URL arguments, and `Model.field` secrets by which a request finds its tenant.
    tenant_sources: tuple[str, ...] = ()
    # Models of the logged-in principal (or of its own per-user record, such as a profile)
    # besides the packs' `principal-models`: in their methods `self` is the principal.
    principal_models: tuple[str, ...] = ()
    # Guards (decorators, permission classes) that admit only the operator (a super-admin),
    # besides the packs' `operator-guards`: the views they guard serve every tenant by design.
    operator_guards: tuple[str, ...] = ()
    scope_guards: tuple[str, ...] = ()
    # Permission classes that check each object a detail view hands out against the
    # caller's tenant (DRF `has_object_permission`): they scope such a view's `queryset`.
    object_guards: tuple[str, ...] = ()
    # Methods of a fetched row that check it belongs to the caller, handed the principal
    # (`Project.has_permission(user)`): fetch-then-verify scopes the fetch.
    verifiers: tuple[str, ...] = ()
    tenant_lookup_fields: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_TENANCY_EXCLUDE


@dataclass(frozen=True)
class LayerSettings:
    # Module patterns (`myapp.domain`, `myapp.*.domain`) or path globs (`src/**/domain/**`).
    # Empty means: any package named `domain`.
    domain: tuple[str, ...] = ()
    persistence: tuple[str, ...] = ()
    outer: tuple[str, ...] = ()
    type_checking_imports: bool = True


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about the user's choices."""

    enabled: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    # Files whose findings of ANALYSIS_EXCLUDE_FAMILIES are dropped (still indexed).
    analysis_exclude: tuple[str, ...] = DEFAULT_ANALYSIS_EXCLUDE
    respect_gitignore: bool = True
    packs: tuple[str, ...] = ()
    effect_kinds: tuple[str, ...] = DEFAULT_EFFECT_KINDS
    outbox_models: tuple[str, ...] = DEFAULT_OUTBOX_MODELS
    # Django ATOMIC_REQUESTS: every view (a function taking `request`) runs in a transaction.
    atomic_requests: bool = False
    src: tuple[str, ...] = ()
    tenancy: TenancySettings = field(default_factory=TenancySettings)
    layers: LayerSettings = field(default_factory=LayerSettings)
    # Limits per file (docs/limits.md): seconds to analyse it, and MB a worker may
    # grow by while doing so; 0 means no limit. A file over either is a CL001 finding.
    file_timeout: float = 60.0
    file_memory_mb: int = 2048
    # Folder of the configuration file: the project root ("" when no file was found).
    root: str = ""
    config_file: str = ""

    def tenancy_silenced(self, path: str) -> bool:
        """Whether the queries of a file are never reported as cross-tenant: CL201 is turned off
        for it by `per-file-ignores`, `analysis-exclude` (tests, management commands, scripts)
        or the tenancy `exclude` (management commands, scripts, a back office), and it is no
        test. Such code is an operator's: what only it calls serves every tenant by design
        (`analysis.jobs`). Tests are left out: they call production code whose real callers
        may be out of sight (a handler class picked from a table at run time)."""
        if any_match(path, TEST_FILES):
            return False
        code = "CL201"
        for pattern, codes in self.per_file_ignores:
            if path_matches(path, pattern) and any(code.startswith(prefix) for prefix in codes):
                return True
        return any_match(path, self.analysis_exclude) or any_match(path, self.tenancy.exclude)

    def fingerprint(self) -> str:
        """A stable text that changes whenever an analysis-relevant choice changes."""
        return repr(
            (
                sorted(self.enabled),
                self.effect_kinds,
                self.outbox_models,
                self.atomic_requests,
                self.tenancy,
                self.layers,
                self.src,
                self.analysis_exclude,
                self.per_file_ignores,  # code only silenced files call is operator code
            )
        )
