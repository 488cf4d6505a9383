"""Nothing writes ledger tables except the ledger's own writers.

A static check over the package: constructing Event/Item/Lot/ItemMeter/Rollup rows, or calling a
writing manager method on them, is allowed only in the modules that keep the projections in step.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "materiel"
LEDGER_MODELS = {"Event", "Item", "Lot", "ItemMeter", "Rollup", "LedgerSeal"}
WRITERS = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update", "delete"}
# The one writer (batch, with its lot movements and reversals) and what it uses; the services check
# permissions on top of it and write nothing themselves.
ALLOWED = {
    "ledger/batch.py",
    "ledger/lot_writes.py",
    "ledger/reversals.py",
    "ledger/rollups.py",
    "ledger/sealing.py",
    "ledger/fastinsert.py",
}


def writes_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in LEDGER_MODELS:
            found.append(f"{func.id}(...) line {node.lineno}")
        if isinstance(func, ast.Attribute) and func.attr in WRITERS:
            chain = ast.unparse(func.value)
            if any(chain.startswith(f"{model}.objects") for model in LEDGER_MODELS):
                found.append(f"{chain}.{func.attr}() line {node.lineno}")
    return found


def test_only_ledger_writers_write_ledger_tables():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in ALLOWED or "/migrations/" in relative:
            continue
        if found := writes_in(path):
            offenders[relative] = found
    assert offenders == {}


def test_the_check_sees_a_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("Item.objects.filter(pk=1).update(grade=1)\nEvent(kind='x')\nUnit.objects.create()\n")
    assert len(writes_in(sample)) == 2
