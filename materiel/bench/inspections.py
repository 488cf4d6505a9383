"""The inspection scenarios of BENCH.md's wave 2 (issue #15): N1 the compliance of a province for a
year, N2 a 60-item inspection run recorded — each through the code its page calls.

The bench's data set has no storage places nor inspections: `ensure` gives every open unit of the
province a weapon room and a depot, and a year of finished runs answering the example matrix's rows
(squad leaders on most days, the company commander most weeks, the technical officer most months:
some periods are missed, so the report has both). The runs are history, written in bulk like the
rest of the generated data set; they carry no events (all passed), so nothing in the ledger changes.
"""

import random
import statistics as stats
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from materiel.core import statistics
from materiel.equipment.models import Item, Status
from materiel.inspections import services as insp
from materiel.inspections.compliance import compliance, held_on, periods
from materiel.inspections.models import DutyRow, Frequency, Run, RunState
from materiel.storage.models import PlaceKind, StoragePlace
from materiel.units.models import Unit

from .scenarios import Context, result
from .timing import Measure, measure, percentile

RUN_ITEMS = 60  # N2: a weapon room of 60 rifles
BENCH_CODE = "BENCH"  # the places ensure() creates: their code
HELD: dict[str, float] = {
    Frequency.DAILY: 0.7,
    Frequency.WEEKLY: 0.9,
    Frequency.MONTHLY: 0.85,
    Frequency.QUARTERLY: 0.9,
}


def ensure(ctx: Context) -> None:
    """Places and a year of runs answering the matrix in the province, once."""
    if StoragePlace.objects.filter(code__startswith=BENCH_CODE).exists():
        return
    rng = random.Random(15)
    today = timezone.localdate()
    start, yesterday = today - timedelta(days=365), today - timedelta(days=1)
    kinds = {k.code: k for k in PlaceKind.objects.filter(code__in=["phong-vu-khi", "kho"])}
    duties = [d for d in DutyRow.objects.filter(place_kind__in=kinds.values()) if d.frequency in HELD]
    templates = {d.template_code: insp.current(d.template_code) for d in duties}
    units = list(Unit.objects.subtree_of(ctx.mid).filter(dissolved_on__isnull=True).order_by("path"))
    with transaction.atomic():
        places = StoragePlace.objects.bulk_create(
            StoragePlace(unit=unit, kind=kinds[code], code=f"{BENCH_CODE}-{n}", name=f"{name} {unit.code}")
            for unit in units
            for n, (code, name) in enumerate([("phong-vu-khi", "Phòng vũ khí"), ("kho", "Kho")], start=1)
        )
        runs = []
        for place in places:
            for duty in duties:
                if duty.place_kind_id != place.kind_id:
                    continue
                for first, last in periods(duty.frequency, start, yesterday):
                    if rng.random() < HELD[duty.frequency]:
                        runs.append(
                            Run(
                                unit_id=place.unit_id,
                                template=templates[duty.template_code],
                                place=place,
                                kind="regular",
                                duty=duty,
                                inspector=str(duty),
                                created_by=ctx.user,
                                inspected_on=held_on(first, last, yesterday, rng),
                                state=RunState.FINISHED,
                                finished_at=timezone.now(),
                            )  # fmt: skip
                        )
        Run.objects.bulk_create(runs, batch_size=2000)
        statistics.analyse(Run._meta.db_table, StoragePlace._meta.db_table)


def n1(ctx: Context) -> dict:
    """The compliance page's dataset for the province over the last year."""
    ensure(ctx)
    today = timezone.localdate()
    start = today - timedelta(days=365)
    found = compliance(ctx.user, ctx.mid, start, today, today=today)
    total = found.total
    return result(
        f"inspection compliance of {ctx.mid.code} for a year: {total.owed:,} obligations of "
        f"{StoragePlace.objects.in_subtree(ctx.mid).count():,} places, {total.runs:,} runs "
        f"(inspections.compliance.compliance)",
        measure(lambda: compliance(ctx.user, ctx.mid, start, today, today=today), repeat=ctx.repeat),
        obligations=total.owed,
        runs=total.runs,
    )


def _room_items(ctx: Context) -> tuple[Unit, list[Item]]:
    """The unit of the province with the most items in service, and RUN_ITEMS of them."""
    busiest = (
        Item.objects.in_subtree(ctx.mid)
        .filter(status=Status.IN_SERVICE)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise RuntimeError("the province holds no item in service: nothing to inspect")
    unit = Unit.objects.get(pk=busiest["unit"])
    items = list(Item.objects.filter(unit=unit, status=Status.IN_SERVICE).order_by("id")[:RUN_ITEMS])
    return unit, items


def n2(ctx: Context) -> dict:
    """A 60-item run opened, its grid entered (two failed checks, one a critical finding that sets a
    readiness reason, one a measure) and finished; each run rolled back, so the data set does not
    drift."""
    ensure(ctx)
    unit, items = _room_items(ctx)
    template = insp.current("sung-bo-binh-thuong-xuyen")
    if template is None:
        raise RuntimeError("the example template sung-bo-binh-thuong-xuyen is missing")
    today = timezone.localdate()
    samples = []
    events = 0
    for n in range(max(3, ctx.repeat // 4) + 1):
        with transaction.atomic():
            start = time.perf_counter()
            run = insp.open_run(
                actor=ctx.user, unit=unit, template=template, inspector="Đo hiệu năng", inspected_on=today,
                kind="regular", items=items,
            )  # fmt: skip
            steps = list(run.steps.order_by("position"))
            rows = list(run.items.order_by("position"))
            critical = next(s for s in steps if s.effect == "not_serviceable")
            results = {(rows[0].pk, critical.pk): False, (rows[1].pk, steps[0].pk): False}
            proposed = 3 if rows[2].grade_before != 3 else 4  # a grade change, whatever grade it had
            insp.enter_results(run, actor=ctx.user, results=results, grades={rows[2].pk: proposed})
            insp.finish_run(run, actor=ctx.user)
            elapsed = (time.perf_counter() - start) * 1000
            events = run.event_lines.count()
            transaction.set_rollback(True)
        if n:  # the first run warms up
            samples.append(elapsed)
    found = Measure(round(stats.median(samples), 2), round(percentile(samples, 0.95), 2), len(samples), samples)
    return result(
        f"inspection run of {len(items)} items of {unit.code}: opened, grid with 2 findings and a grade, "
        f"finished ({events} events; inspections.services, rolled back after each run)",
        found,
        run_items=len(items),
        events=events,
    )
