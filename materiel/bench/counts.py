"""The count campaign's scenarios of BENCH.md (issue #16): C1 the sheets of a campaign over a
province, C2 the final approval of a 5,000-line count with 300 discrepancies, C3 the progress
board of a national campaign — each through the code its page calls, rolled back (C1, C2) or kept
apart (C3's campaign is its own), so the data set does not drift.

The bench's units hold about 300 items each (BENCH.md's shape), so no unit's sheet reaches 5,000
lines: C2's sheet is made of 5,000 items of the province (their units' rights are checked as for
any sheet), the way the approval reads and writes them being the same.
"""

import statistics as stats
import time

from django.db import transaction
from django.utils import timezone

from materiel.counts import services as counts
from materiel.counts.models import Campaign, LineKind, Sheet, SheetLine, SheetState
from materiel.equipment.models import Item, Status
from materiel.units.models import Unit

from .scenarios import Context, get_page, result
from .timing import Measure, measure, percentile

C2_LINES = 5000
C2_DISCREPANCIES = 300
C3_TITLE = "Kiểm kê toàn quốc (đo hiệu năng)"


def _timed(samples: list[float]) -> Measure:
    return Measure(round(stats.median(samples), 2), round(percentile(samples, 0.95), 2), len(samples), samples)


def c1(ctx: Context) -> dict:
    """A campaign launched over the province: a sheet per unit of what it held today."""
    today = timezone.localdate()
    samples, sheets, lines = [], 0, 0
    for n in range(max(2, ctx.repeat // 8) + 1):
        with transaction.atomic():
            start = time.perf_counter()
            campaign = counts.launch(
                actor=ctx.user, unit=ctx.mid, title="Đo hiệu năng C1", reference_date=today, deadline=today
            )
            elapsed = (time.perf_counter() - start) * 1000
            sheets = campaign.sheets.count()
            lines = SheetLine.objects.filter(sheet__campaign=campaign).count()
            transaction.set_rollback(True)
        if n:  # the first warms up
            samples.append(elapsed)
    return result(
        f"count sheets of a campaign over {ctx.mid.code}: {sheets:,} sheets, {lines:,} lines "
        "(counts.services.launch, rolled back after each run)",
        _timed(samples),
        sheets=sheets,
        lines=lines,
    )


def c2(ctx: Context) -> dict:
    """A counted sheet of C2_LINES items with C2_DISCREPANCIES of them missing or regraded, approved
    by the launching echelon: its events in one batch, its summary frozen."""
    today = timezone.localdate()
    items = list(
        Item.objects.in_subtree(ctx.mid)
        .filter(status=Status.IN_SERVICE, holder="", last_event_on__lte=today)
        .order_by("id")[:C2_LINES]
    )
    samples, events = [], 0
    for n in range(max(2, ctx.repeat // 8) + 1):
        with transaction.atomic():
            campaign = Campaign.objects.create(
                launching_unit=ctx.mid,
                title="Đo hiệu năng C2",
                reference_date=today,
                deadline=today,
                created_by=ctx.user,
            )
            sheet = Sheet.objects.create(campaign=campaign, unit=ctx.mid, state=SheetState.UNIT_APPROVED)
            lines, step, marked = [], max(1, len(items) // C2_DISCREPANCIES), 0
            for position, item in enumerate(items, start=1):
                odd = position % step == 0 and marked < C2_DISCREPANCIES
                marked += odd
                missing = odd and marked % 2 == 0  # half missing, half regraded
                lines.append(
                    SheetLine(
                        sheet=sheet,
                        position=position,
                        kind=LineKind.ITEM,
                        item=item,
                        equipment_type_id=item.equipment_type_id,
                        serial_expected=item.serial,
                        grade_expected=item.grade,
                        found=not missing,
                        serial_read=item.serial,
                        grade_found=None if missing else ((item.grade % 4) + 1 if odd else item.grade),
                    )  # fmt: skip
                )
            SheetLine.objects.bulk_create(lines, batch_size=2000)
            start = time.perf_counter()
            counts.approve(sheet, actor=ctx.user)
            elapsed = (time.perf_counter() - start) * 1000
            events = sheet.event_lines.count()
            transaction.set_rollback(True)
        if n:
            samples.append(elapsed)
    return result(
        f"final approval of a count of {len(items):,} lines with {events} discrepancies written as events "
        "(counts.services.approve: one ledger batch, the summary frozen; rolled back after each run)",
        _timed(samples),
        lines=len(items),
        events=events,
    )


def _national(ctx: Context) -> Campaign:
    """A campaign over the whole tree with a sheet per open unit in every state (no lines: the board
    counts sheets), made once."""
    found = Campaign.objects.filter(title=C3_TITLE).first()
    if found is not None:
        return found
    today = timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.create(
            launching_unit=ctx.root, title=C3_TITLE, reference_date=today, deadline=today, created_by=ctx.user
        )
        states = SheetState.values
        units = Unit.objects.subtree_of(ctx.root).filter(dissolved_on__isnull=True).order_by("path")
        Sheet.objects.bulk_create(
            (Sheet(campaign=campaign, unit_id=uid, state=states[n % len(states)]) for n, uid in
             enumerate(units.values_list("id", flat=True))),
            batch_size=2000,
        )  # fmt: skip
    return campaign


def c3(ctx: Context) -> dict:
    """The progress board's page of a national campaign, for the root's technical officer."""
    campaign = _national(ctx)
    url = f"/kiem-ke/{campaign.pk}/"
    found = measure(lambda: get_page(ctx, url, {}), repeat=ctx.repeat, warmup=1)
    sheets = campaign.sheets.count()
    return result(
        f"progress board of a national campaign: {sheets:,} sheets by state, the first page of units (page {url})",
        found,
        sheets=sheets,
    )
