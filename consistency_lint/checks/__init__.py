"""The rule catalogue: one module per rule, registered here in code order."""

from __future__ import annotations

from consistency_lint.checks.base import CheckContext, Rule
from consistency_lint.checks.cl001_syntax_error import UnparseableFile
from consistency_lint.checks.cl002_unused_suppression import UnusedSuppression
from consistency_lint.checks.cl101_publish_after_commit import PublishAfterCommit
from consistency_lint.checks.cl102_publish_inside_transaction import PublishInsideTransaction
from consistency_lint.checks.cl103_publish_in_commit_hook import PublishInCommitHook
from consistency_lint.checks.cl104_multiple_commits_in_flow import MultipleCommitsInFlow
from consistency_lint.checks.cl201_query_missing_tenant_filter import QueryMissingTenantFilter
from consistency_lint.checks.cl202_write_missing_tenant_filter import WriteMissingTenantFilter
from consistency_lint.checks.cl203_raw_sql_missing_tenant_filter import RawSqlMissingTenantFilter
from consistency_lint.checks.cl204_tenant_entity_created_without_tenant import (
    TenantEntityCreatedWithoutTenant,
)
from consistency_lint.checks.cl205_fixed_connection_in_tenant_code import (
    FixedConnectionInTenantCode,
)
from consistency_lint.checks.cl301_orm_import_in_domain import OrmImportInDomain
from consistency_lint.checks.cl302_orm_entity_in_domain import OrmEntityInDomain
from consistency_lint.checks.cl303_orm_model_defined_in_domain import OrmModelDefinedInDomain
from consistency_lint.checks.cl304_orm_entity_crosses_boundary import OrmEntityCrossesBoundary
from consistency_lint.domain.rule import RuleMeta

ALL_RULES: tuple[type[Rule], ...] = (
    UnparseableFile,
    UnusedSuppression,
    PublishAfterCommit,
    PublishInsideTransaction,
    PublishInCommitHook,
    MultipleCommitsInFlow,
    QueryMissingTenantFilter,
    WriteMissingTenantFilter,
    RawSqlMissingTenantFilter,
    TenantEntityCreatedWithoutTenant,
    FixedConnectionInTenantCode,
    OrmImportInDomain,
    OrmEntityInDomain,
    OrmModelDefinedInDomain,
    OrmEntityCrossesBoundary,
)

CATALOGUE: dict[str, RuleMeta] = {rule.CODE: rule.meta() for rule in ALL_RULES}
RULES_BY_CODE: dict[str, type[Rule]] = {rule.CODE: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "CATALOGUE", "RULES_BY_CODE", "CheckContext", "Rule"]
