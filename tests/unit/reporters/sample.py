"""One fixed list of diagnostics that every reporter renders in the snapshot tests."""

from __future__ import annotations

from consistency_lint.adapters.reporters import ReportContext
from consistency_lint.checks import CATALOGUE
from consistency_lint.domain.diagnostic import Diagnostic, Related

# A monorepo: the project (its configuration) in services/api of the repository,
# linted from the project folder. SARIF and GitLab paths are repository-relative.
REPO = "/repo"
ROOT = "/repo/services/api"
CWD = ROOT


def _d(
    code: str,
    message: str,
    path: str,
    line: int,
    column: int,
    end_line: int,
    end_column: int,
    source: str,
    related: tuple[Related, ...] = (),
    context: str = "",
) -> Diagnostic:
    meta = CATALOGUE[code]
    return Diagnostic(
        code,
        meta.name,
        meta.severity,
        message,
        path,
        line,
        column,
        end_line,
        end_column,
        related,
        context,
        source,
    )


SAMPLE = [
    _d(
        "CL101",
        "`producer.send()` publishes after `session.commit()` committed (line 9)",
        "shop/orders.py",
        10,
        5,
        10,
        45,
        '    producer.send("orders", b"OrderPlaced")',
        (Related("shop/orders.py", 9, 5, "the transaction commits here"),),
        "shop.orders.place_order",
    ),
    _d(
        "CL101",
        "message with 100% odd, chars: a,b\nand a second line",
        "shop/weird, name:1.py",
        3,
        1,
        4,
        2,
        "\tpublish(x)",
    ),
    _d(
        "CL002",
        "Unused `# noqa`: CL101 suppressed nothing",
        "shop/orders.py",
        20,
        18,
        20,
        32,
        "    return order  # noqa: CL101",
    ),
    _d("CL001", 'syntax error: <bad> & "quotes" \x01', "broken.py", 1, 12, 1, 12, "def broken(:"),
]
FILES = ["broken.py", "clean.py", "shop/orders.py", "shop/weird, name:1.py"]


def context(show_source: bool = False) -> ReportContext:
    return ReportContext(
        CATALOGUE, len(FILES), show_source, files=FILES, root=ROOT, cwd=CWD, repo_root=REPO, environ={}
    )
