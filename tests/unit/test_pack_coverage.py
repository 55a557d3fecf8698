"""Every dual-write entry of the built-in packs is exercised by at least one fixture.

The fixtures are extracted with every effect kind selected and linked as projects; each
operation is matched to the pack entry it stands for (directly, or through the project
index). An entry no fixture reaches is a pack line nothing tests.
"""

from __future__ import annotations

from pathlib import Path

from consistency_lint.analysis.index import ProjectIndex
from consistency_lint.analysis.modules import module_name
from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.analysis.summary import CALL, iter_ops
from consistency_lint.app.packs import builtin_packs
from consistency_lint.domain.packs import HOOK_ROLES
from consistency_lint.domain.settings import ALL_EFFECT_KINDS
from consistency_lint.engine.file_phase import analyse_file
from tests.harness import FIXTURES

DUAL_WRITE_ROLES = (
    "begin",
    "commit",
    "rollback",
    "write",
    "publish",
    "outbox",
    "on-commit",
    *HOOK_ROLES,
)


def _groups() -> list[tuple[Path, list[Path]]]:
    groups = [(path.parent, [path]) for path in sorted((FIXTURES / "rules").glob("CL1*/*.py"))]
    for folder in sorted((FIXTURES / "projects").iterdir()):
        if folder.is_dir():
            groups.append((folder, sorted(folder.rglob("*.py"))))
    return groups


def test_every_dual_write_pack_entry_is_exercised() -> None:
    packs = PackIndex(builtin_packs(), ALL_EFFECT_KINDS)
    reached: set[tuple[str, str]] = set()
    for root, group in _groups():
        summaries = []
        for path in group:
            rel = path.relative_to(root).as_posix()
            module, is_package = module_name(rel)
            result = analyse_file(path.read_bytes(), rel, module=module, is_package=is_package, packs=packs)
            if result.summary is not None:
                summaries.append(result.summary)
        index = ProjectIndex(summaries, packs)
        for summary in summaries:
            # Registered hooks (signal receivers, mapper listeners) are no flow operation.
            reached.update((hook.pack, hook.target) for _, hook in summary.hooks)
            for function in summary.functions:
                for op in iter_ops(function.body):
                    if op.kind == CALL:
                        spec = index.resolve(op.target).spec
                        if spec is not None:
                            reached.add((spec.pack, spec.target))
                    else:
                        reached.add((op.pack, op.target))
                        spec = packs.call(op.target)
                        if spec is not None:
                            reached.add((spec.pack, spec.target))
    missing = [
        f"{pack.name}: {call.target}"
        for pack in builtin_packs()
        for call in pack.calls
        if call.role in DUAL_WRITE_ROLES and (pack.name, call.target) not in reached
    ]
    assert not missing, "pack entries no fixture exercises:\n" + "\n".join(missing)
