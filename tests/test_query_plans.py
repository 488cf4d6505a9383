"""The heavy queries keep safe plans on tables without statistics (PostgreSQL).

A freshly seeded, imported or restored database has no planner statistics until autovacuum gets to
it; if autovacuum had analysed the tables while they were empty, PostgreSQL estimates one row for
every scan and happily nests loops. CI once spent five minutes in one past-day fold that re-ran a
per-item aggregate for every event. Here the tables are analysed empty, filled with a few thousand
events inside the test's transaction, and every statement that the past-day pages, the register
filters, the exports and the snapshot build run is EXPLAINed: no nested loop may re-run an aggregate
or rescan a ledger table without an index condition, and no correlated subquery may do either.
"""

import json
import re
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from materiel.accounts.models import Role, User
from materiel.core import statistics
from materiel.demo import seed as demo
from materiel.equipment.models import Item
from materiel.ledger import asof, coefficients, snapshots
from materiel.units.models import Unit

TODAY = date(2026, 11, 1)
PAST = date(2021, 6, 1)
LEDGER_TABLES = {"ledger_event", "equipment_item", "equipment_lot", "equipment_itemmeter", "ledger_rollup"}
# Nodes that produce their whole output before returning a row: re-run per outer row, they redo it all.
RERUN = {"Aggregate", "Sort", "Incremental Sort", "Unique", "WindowAgg", "SetOp", "Group"}
# Nodes that keep what their input produced: below them nothing is re-run.
CACHED = {"Materialize", "Memoize", "Hash"}
SCANS = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


def rerun_problems(node: dict, path: str = "") -> list[str]:
    """What, under `node`, is re-run for every row of an outer side: the problem list of one plan."""
    problems = []
    here = f"{path}/{node['Node Type']}"
    for child in node.get("Plans", []):
        rerun = (node["Node Type"] == "Nested Loop" and child.get("Parent Relationship") == "Inner") or (
            child.get("Parent Relationship") == "SubPlan"
        )
        if rerun:
            problems += repeated_work(child, here)
        problems += rerun_problems(child, here)
    return problems


def repeated_work(node: dict, path: str) -> list[str]:
    """The costly nodes of a subtree that runs once per outer row (down to a caching node)."""
    kind = node["Node Type"]
    if kind in CACHED:
        return []
    here = f"{path}/{kind}"
    if kind in RERUN:
        if keyed_on_outer_row(node):
            return []  # an aggregate over one outer row's index range: linear, whatever the estimates
        return [f"{here}: re-run for every outer row, over {outline(node)}"]
    if kind in SCANS and node.get("Relation Name") in LEDGER_TABLES:
        conditioned = "Index Cond" in node or "Recheck Cond" in node
        if not conditioned:
            return [f"{here} on {node['Relation Name']} without an index condition, for every outer row"]
    return [problem for child in node.get("Plans", []) for problem in repeated_work(child, here)]


def keyed_on_outer_row(node: dict) -> bool:
    """Whether every scan under `node` is an index scan whose condition names another relation's
    column (`e.lot_id = l.id`): then the subtree reads only the outer row's own index range."""
    kind = node["Node Type"]
    if kind == "Bitmap Heap Scan":  # its condition is on the Bitmap Index Scan below
        return all(keyed_on_outer_row(child) for child in node.get("Plans", [])) and "Plans" in node
    if kind in SCANS or kind == "Bitmap Index Scan":
        condition = node.get("Index Cond", "")
        alias = node.get("Alias", "")
        names = re.findall(r"\b([a-z_][a-z0-9_]*)\.[a-z_]", condition)
        return kind != "Seq Scan" and any(name != alias for name in names)
    children = node.get("Plans", [])
    return bool(children) and all(keyed_on_outer_row(child) for child in children)


def outline(node: dict) -> str:
    """A plan subtree in one line (node, relation, conditions): what a failure message shows."""
    parts = [node["Node Type"], node.get("Relation Name", ""), node.get("Index Cond", ""), node.get("Filter", "")]
    children = ", ".join(outline(child) for child in node.get("Plans", []))
    return " ".join(part for part in parts if part) + (f" [{children}]" if children else "")


def explain(sql: str, params=None) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def heavy_selects(captured) -> list[tuple]:
    """The captured statements that read the ledger's tables (the rest is sessions, units, types)."""
    return [
        (sql, params)
        for sql, params in captured
        if sql.lstrip().upper().startswith("SELECT") and any(table in sql for table in LEDGER_TABLES)
    ]


def test_the_checker_finds_a_per_row_aggregate():
    inner = {"Node Type": "Aggregate", "Parent Relationship": "Inner", "Plans": []}
    outer = {"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "ledger_event"}
    assert rerun_problems({"Node Type": "Nested Loop", "Plans": [outer, inner]})
    inner_scan = {"Node Type": "Seq Scan", "Parent Relationship": "Inner", "Relation Name": "ledger_event"}
    assert rerun_problems({"Node Type": "Nested Loop", "Plans": [outer, inner_scan]})
    probe = {**inner_scan, "Node Type": "Index Scan", "Index Cond": "(item_id = i.id)"}
    assert not rerun_problems({"Node Type": "Nested Loop", "Plans": [outer, probe]})
    # A sum over the outer row's own index range is a probe; over a range of dates, a rescan.
    summed = {"Node Type": "Aggregate", "Parent Relationship": "Inner", "Plans": [{**probe, "Alias": "e"}]}
    assert not rerun_problems({"Node Type": "Nested Loop", "Plans": [outer, summed]})
    by_date = {**probe, "Alias": "e", "Index Cond": "(occurred_on <= '2021-06-01'::date)"}
    assert rerun_problems({"Node Type": "Nested Loop", "Plans": [outer, {**summed, "Plans": [by_date]}]})
    # The same probe through a bitmap: the condition sits on the Bitmap Index Scan below the heap scan.
    bitmap_index = {"Node Type": "Bitmap Index Scan", "Parent Relationship": "Outer", "Index Cond": "(lot_id = l.id)"}
    heap = {"Node Type": "Bitmap Heap Scan", "Relation Name": "ledger_event", "Alias": "e", "Plans": [bitmap_index]}
    heap["Recheck Cond"] = "(lot_id = l.id)"
    assert not rerun_problems({"Node Type": "Nested Loop", "Plans": [outer, {**summed, "Plans": [heap]}]})
    by_date_bitmap = {**bitmap_index, "Index Cond": "(occurred_on <= '2021-06-01'::date)"}
    assert rerun_problems(
        {"Node Type": "Nested Loop", "Plans": [outer, {**summed, "Plans": [{**heap, "Plans": [by_date_bitmap]}]}]}
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
def test_past_day_reads_have_safe_plans_without_statistics(db, client, monkeypatch):
    # What autovacuum does to a new database: statistics of empty tables (one-row estimates).
    statistics.analyse(*sorted(LEDGER_TABLES))
    monkeypatch.setattr(statistics, "analyse", lambda *tables: None)  # the fill must leave none
    monkeypatch.setattr(snapshots, "build", lambda *args, **kwargs: 0)
    demo.seed(items=300, seed=5, progress=lambda _text: None, today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_event")
        assert cursor.fetchone()[0] > 1500
        # The planner still believes the table empty (earlier transactional tests may have left
        # column statistics behind; the row count is what turns every estimate into one row).
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'ledger_event'")
        assert cursor.fetchone()[0] <= 0, "the fill must not have analysed the events"

    region = Unit.objects.get(code="qk2")
    province = Unit.objects.filter(parent=region).order_by("path").first()
    deep = Unit.objects.filter(path__startswith=province.path).order_by("-path").first()
    officer = User.objects.create_user("kiemtra", unit=region, role=Role.TECHNICAL_OFFICER, password="x")
    client.force_login(officer)
    on = PAST.strftime("%d/%m/%Y")
    units = coefficients.subtree_unit_ids(province, PAST)
    captured = []

    def capture(execute, sql, params, many, context):
        if not many:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        snapshots._build(TODAY, snapshots.settled_through())
        for unit in (region, province, deep):
            coefficients.summarise(unit, PAST)
        coefficients.PastCounts.of_unit_and_children(PAST, province)
        sql, params = asof.item_ids_sql(PAST, unit_ids=units, grade=[1, 2])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        asof.states_in_units_on(PAST, units)
        asof.item_states_on(PAST, list(Item.objects.values_list("pk", flat=True)[:50]))
        asof.lot_quantities_on(PAST)
        asof.lot_counts_by_unit_on(PAST, units)
    # The pages that read them still answer (their own list queries are planned from the statistics
    # that bulk writes refresh: docs/decisions.md).
    for params in ({"on": on}, {"on": on, "unit": province.code, "grade": "1,2", "format": "xlsx"}):
        assert client.get(reverse("web:register"), params).status_code == 200
    assert client.get(reverse("web:dashboard"), {"on": on, "unit": province.code}).status_code == 200
    statements = heavy_selects(captured)
    assert len(statements) > 10
    problems = {sql[:300]: found for sql, params in statements if (found := rerun_problems(explain(sql, params)))}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_a_batch_analyses_each_time_it_has_doubled_what_it_wrote(world, monkeypatch):
    from materiel.ledger.batch import LedgerBatch

    calls = []
    monkeypatch.setattr(statistics, "BULK_ROWS", 10)
    monkeypatch.setattr(statistics, "analyse", lambda *tables: calls.append(tables))
    batch = LedgerBatch(world.officer, today=TODAY)
    for n in range(1, 81):
        batch.receipt(
            equipment_type=world.rifle, serial=f"T-{n:04d}", unit=world.province_a, grade=1, occurred_on=TODAY
        )
        if n % 5 == 0:
            batch.flush()
    # At 10 events, then once 10 more had come (20), then 20 more (40), then 40 more (80).
    assert len(calls) == 4
    assert "ledger_event" in calls[0]
