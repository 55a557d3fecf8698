"""## What it does
In database-per-tenant mode only: flags an engine, session or connection
built from a literal URL or a fixed alias (`create_engine("postgresql://...")`,
`.using("default")`, `connections["default"]`) outside the configured bootstrap
modules.

## Why is this bad?
Each tenant has its own database; code that talks to a fixed one reads or
writes the wrong tenant's data, or all tenants' data in one place.

## Example
```python
from sqlalchemy import create_engine

engine = create_engine("postgresql://db/app")
```

## Use instead
```python
from myapp.tenancy import tenant_session


def invoices():
    with tenant_session() as session:
        return session.query(Invoice).all()
```

## Options
- `tenancy.mode = "database-per-tenant"` turns it on; `tenancy.scoping-helpers`,
  `tenancy.bootstrap-modules`.
"""

from __future__ import annotations

from consistency_lint.checks.base import Rule
from consistency_lint.domain.diagnostic import Severity


class FixedConnectionInTenantCode(Rule):
    CODE = "CL205"
    NAME = "fixed-connection-in-tenant-code"
    SEVERITY = Severity.ERROR
    DEFAULT_ON = True
    SUMMARY = "Fixed database connection in database-per-tenant code"
    IMPLEMENTED = False
