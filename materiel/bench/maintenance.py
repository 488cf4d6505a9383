"""The maintenance scenarios of BENCH.md's wave 2 (issue #14): M1 the due board, M2 a technical day
recorded, M3 reliability figures — each through the dataset function its page calls.

A bench data set generated before maintenance existed has no plans nor repair orders: `ensure`
adds them (the demo's example plans of the vehicle types and their due rows, the technical-day
schedules, and a repair order for every repair in the ledger), once, through the same seeders as
`demo.seed`.
"""

import statistics as stats
import time
from datetime import timedelta

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from materiel.catalog.models import Category
from materiel.core import statistics
from materiel.equipment.models import Item, ItemMeter, Status
from materiel.maintenance import board, due, techday
from materiel.maintenance.demo import seed_maintenance_plans
from materiel.maintenance.models import DueState, MaintenancePlan
from materiel.workorders import reliability
from materiel.workorders.demo import seed_repair_orders
from materiel.workorders.models import OrderItem, OrderKind, WorkOrder

from .scenarios import Context, result
from .timing import Measure, measure, percentile

TASKS = 300  # M2: a technical day of 300 tasks
PAGE_SIZE = 50  # the board's page (maintenance.views.PAGE_SIZE)


def ensure(ctx: Context) -> None:
    """Plans with their due rows, and repair orders, on a data set that has none yet."""
    from materiel.demo.seed import system_user

    today = timezone.localdate()
    with transaction.atomic():
        if not MaintenancePlan.objects.exists():
            seed_maintenance_plans(today, actor=system_user())
        if not WorkOrder.objects.filter(kind=OrderKind.REPAIR).exists():
            seed_repair_orders(system_user())
        statistics.analyse(DueState._meta.db_table, WorkOrder._meta.db_table, OrderItem._meta.db_table)


# -- M1 -------------------------------------------------------------------------------------------
def m1(ctx: Context) -> dict:
    """The board page's dataset for the province: the first page of rows and the counts per unit."""
    ensure(ctx)
    today = timezone.localdate()

    def page():
        rows = board.board_rows(ctx.user, ctx.mid, {}, today)
        board.lines(Paginator(rows, PAGE_SIZE).get_page(1), today)
        board.unit_counts(ctx.user, ctx.mid, {}, today)

    def stale_check():
        due.refresh(Item.objects.visible_to(ctx.user).in_subtree(ctx.mid))

    rows = board.current_rows(ctx.user, ctx.mid).count()
    return result(
        f"due board of {ctx.mid.code}: page 1 ({PAGE_SIZE} of {rows:,} rows) and the counts per child unit "
        "(maintenance.board.board_rows, unit_counts)",
        measure(page, repeat=ctx.repeat),
        measure(stale_check, repeat=ctx.repeat),
        "the stale-row check alone (due.refresh with nothing to rebuild), which each read runs first",
    )


# -- M2 -------------------------------------------------------------------------------------------
def _tasks(ctx: Context, unit) -> tuple[list[techday.TaskInput], dict[int, dict[str, object]]]:
    """Up to TASKS tasks on in-service items of `unit`'s subtree by the plans that apply to them, and a
    reading of each of their meters a little past the latest."""
    plans: dict[int, list[int]] = {}
    for plan in MaintenancePlan.objects.all():
        if Status.IN_SERVICE in plan.statuses:
            plans.setdefault(plan.equipment_type_id, []).append(plan.pk)
    items = (
        Item.objects.visible_to(ctx.user)
        .in_subtree(unit)
        .filter(status=Status.IN_SERVICE, equipment_type_id__in=plans, last_event_on__lte=timezone.localdate())
        .order_by("id")
        .values_list("id", "equipment_type_id")
    )
    tasks: list[techday.TaskInput] = []
    for item_id, type_id in items.iterator(chunk_size=500):
        for plan_id in plans[type_id]:
            tasks.append(techday.TaskInput(item_id, plan_id, "Tổ bảo dưỡng", len(tasks) + 1))
        if len(tasks) >= TASKS:
            break
    tasks = tasks[:TASKS]
    ids = {t.item_id for t in tasks}
    readings: dict[int, dict[str, object]] = {}
    for item_id, meter, value in ItemMeter.objects.filter(item_id__in=ids).values_list("item_id", "meter", "value"):
        readings.setdefault(item_id, {})[meter] = value + 120  # a Decimal: no parsing
    return tasks, readings


def m2(ctx: Context) -> dict:
    """A technical day of the province's 300 tasks (session planned first, not timed), its results
    with the items' readings recorded through techday.record_results; each run rolled back, so the
    data set does not drift."""
    ensure(ctx)
    unit = ctx.mid
    tasks, readings = _tasks(ctx, unit)
    if len(tasks) < TASKS:  # a small data set: the province has too few vehicles, the root has more
        unit = ctx.root
        tasks, readings = _tasks(ctx, unit)
    if not tasks:
        raise RuntimeError("no in-service item has a maintenance plan: nothing to record")
    today = timezone.localdate()
    samples = []
    events = 0
    for n in range(max(3, ctx.repeat // 4) + 1):
        with transaction.atomic():
            session = techday.create_session(
                actor=ctx.user, unit=unit, held_on=today, part_of_day="morning", tasks=tasks
            )
            ids = list(session.tasks.order_by("position").values_list("pk", flat=True))
            results = {pk: techday.TaskResult(done=True, notes="") for pk in ids}
            start = time.perf_counter()
            techday.record_results(
                session, actor=ctx.user, version=session.version, occurred_on=today, results=results,
                readings=readings,
            )  # fmt: skip
            elapsed = (time.perf_counter() - start) * 1000
            events = session.lines.count()
            transaction.set_rollback(True)
        if n:  # the first run warms up
            samples.append(elapsed)
    found = Measure(round(stats.median(samples), 2), round(percentile(samples, 0.95), 2), len(samples), samples)
    items = len({t.item_id for t in tasks})
    return result(
        f"technical day of {len(tasks)} tasks on {items} items of {unit.code} with their readings: "
        f"{events} events in one transaction (techday.record_results, rolled back after each run)",
        found,
        tasks=len(tasks),
        events=events,
    )


# -- M3 -------------------------------------------------------------------------------------------
def m3(ctx: Context) -> dict:
    """MTBF/MTTR of the category with the most repair orders, over 15 years, for the root."""
    ensure(ctx)
    today = timezone.localdate()
    start = today.replace(year=today.year - 15)
    busiest = (
        OrderItem.objects.filter(order__kind=OrderKind.REPAIR)
        .values("item__equipment_type__category")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    category = Category.objects.get(pk=busiest["item__equipment_type__category"]) if busiest else None
    found = reliability.figures(ctx.user, ctx.root, start, today, category=category)
    failures = sum(len(t.failures) for t in found.types)
    return result(
        f"MTBF/MTTR of {category.name if category else '—'} over 15 years for {ctx.root.code}: "
        f"{len(found.types)} types, {failures:,} repair orders (workorders.reliability.figures)",
        measure(lambda: reliability.figures(ctx.user, ctx.root, start, today, category=category), repeat=ctx.repeat),
        measure(
            lambda: reliability.figures(ctx.user, ctx.root, today - timedelta(days=365), today, category=category),
            repeat=ctx.repeat,
        ),
        "the same figures over the last year",
    )
