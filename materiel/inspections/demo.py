"""Example inspections for the demo: the weapon rooms and depots `storage.demo` created are
inspected as the example matrix asks — squad leaders on most days of the last year, the
company commander most weeks of the last year, the technical officer most months of the last two
years — with gaps (one unit skipped its weekly checks for two months), so that the compliance page
has something to say. Those runs all passed: they are history, written in bulk with their copied
steps and items, and carry no events. Last week's run of the fullest weapon room goes through
the services: a critical finding (a rifle set not serviceable with a readiness reason), a barrel to
repair (a work order opened), a grade proposed, and corrective actions, one of them overdue."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from materiel.equipment.models import Status
from materiel.storage.models import ItemPlace, StoragePlace

from . import services
from .compliance import held_on, periods
from .models import DutyRow, Frequency, Result, Run, RunItem, RunState, RunStep, StepFields

# How far back each row's history goes, and how often a period was honoured.
HISTORY_DAYS: dict[str, int] = {
    Frequency.DAILY: 365,
    Frequency.WEEKLY: 365,
    Frequency.MONTHLY: 730,
    Frequency.YEARLY: 730,
}
HELD: dict[str, float] = {Frequency.DAILY: 0.8, Frequency.WEEKLY: 0.9, Frequency.MONTHLY: 0.85, Frequency.YEARLY: 1.0}
INSPECTORS: dict[str, str] = {
    Frequency.DAILY: "Trung sĩ Hoàng Văn Tổ (ví dụ)",
    Frequency.WEEKLY: "Đại úy Trần Văn Đại (ví dụ)",
    Frequency.MONTHLY: "Thượng úy Nguyễn Văn Kỹ (ví dụ)",
    Frequency.YEARLY: "Phòng Kỹ thuật cấp trên (ví dụ)",
}


def seed_inspections(rng, actor, today=None) -> int:
    """The history of runs on the demo's places, then last week's runs with findings; returns the runs."""
    today = today or timezone.localdate()
    places = list(StoragePlace.objects.filter(code__in=["PVK-1", "K1"]).select_related("unit").order_by("unit__path"))
    duties = [d for d in DutyRow.objects.all() if d.frequency in HISTORY_DAYS and d.place_kind_id]
    templates = {d.template_code: services.current(d.template_code) for d in duties}
    steps = {code: list(t.steps.order_by("position")) for code, t in templates.items() if t is not None}
    contents: dict[int, list] = {}
    for row in ItemPlace.objects.filter(place__in=places).select_related("item").order_by("item_id"):
        contents.setdefault(row.place_id, []).append(row.item)
    runs = []
    lazy_unit = places[2].unit_id if len(places) > 2 else None
    for place in places:
        for duty in duties:
            if duty.place_kind_id != place.kind_id or templates.get(duty.template_code) is None:
                continue
            start = today - timedelta(days=HISTORY_DAYS[duty.frequency])
            until = today - timedelta(days=8)  # last week's run is the services' (below)
            for first, last in periods(duty.frequency, start, until):
                skipped = (
                    duty.frequency == Frequency.WEEKLY
                    and place.unit_id == lazy_unit
                    and today - timedelta(days=150) <= first <= today - timedelta(days=90)
                )
                if skipped or rng.random() > HELD[duty.frequency]:
                    continue
                runs.append((place, duty, held_on(first, last, until, rng)))
    created = Run.objects.bulk_create(
        Run(
            unit=place.unit,
            template=templates[duty.template_code],
            place=place,
            kind="regular",
            duty=duty,
            inspector=INSPECTORS[duty.frequency],
            inspected_on=day,
            state=RunState.FINISHED,
            created_by=actor,
            finished_at=timezone.now(),
        )  # fmt: skip
        for place, duty, day in runs
    )
    RunStep.objects.bulk_create(
        (
            RunStep(run=run, **{name: getattr(step, name) for name in StepFields.COPIED})
            for run, (_place, duty, _day) in zip(created, runs, strict=True)
            for step in steps[duty.template_code]
        ),
        batch_size=2000,
    )
    RunItem.objects.bulk_create(
        (
            RunItem(run=run, position=n, item=item, grade_before=item.grade)
            for run, (place, _duty, day) in zip(created, runs, strict=True)
            for n, item in enumerate((i for i in contents.get(place.pk, []) if i.received_on <= day), start=1)
        ),
        batch_size=5000,
    )
    return len(created) + _last_week(actor, places, duties, today)


def _last_week(actor, places, duties, today) -> int:
    """The fullest weapon room's weekly run of last week, through the services, with its findings."""
    rooms = [p for p in places if p.code == "PVK-1"]
    filled = {
        row["place"]: row["n"]
        for row in ItemPlace.objects.filter(place__in=rooms).values("place").annotate(n=Count("id"))
    }
    room = max(rooms, key=lambda p: filled.get(p.pk, 0), default=None)
    weekly = next(
        (d for d in duties if d.frequency == Frequency.WEEKLY and room and d.place_kind_id == room.kind_id), None
    )
    template = services.current(weekly.template_code) if weekly else None
    if room is None or weekly is None or template is None or not ItemPlace.objects.filter(place=room).exists():
        return 0
    day = today - timedelta(days=6)
    run = services.open_run(
        actor=actor, unit=room.unit, template=template,
        inspector=INSPECTORS[Frequency.WEEKLY], inspected_on=day, kind="regular", place=room, duty=weekly,
    )  # fmt: skip
    # The findings fall on rifles in service: a sealed one is not fired, nor repaired from here.
    rows = [r for r in run.items.select_related("item").order_by("position") if r.item.status == Status.IN_SERVICE]
    if len(rows) < 4:
        return 1
    by_effect = {step.effect: step for step in run.steps.all()}
    results = {}
    if "not_serviceable" in by_effect:
        results[(rows[0].pk, by_effect["not_serviceable"].pk)] = False
    if "work_order" in by_effect:
        results[(rows[1].pk, by_effect["work_order"].pk)] = False
    if "note" in by_effect:
        results[(rows[2].pk, by_effect["note"].pk)] = False
    grades = {rows[-1].pk: min(5, rows[-1].grade_before + 1)}
    services.enter_results(run, actor=actor, results=results, grades=grades)
    run = services.finish_run(run, actor=actor)
    finding = Result.objects.filter(run_item__run=run, passed=False).order_by("pk").first()
    services.add_action(
        run, actor=actor, text="Lau chùi, bôi dầu toàn bộ súng trong phòng", responsible="Trung sĩ Lê Văn Giữ (ví dụ)",
        deadline=day + timedelta(days=3), result=finding,
    )  # fmt: skip
    closed = services.add_action(
        run, actor=actor, text="Bổ sung sổ theo dõi phòng vũ khí", responsible="Đại úy Trần Văn Đại (ví dụ)",
        deadline=day + timedelta(days=2),
    )  # fmt: skip
    services.close_action(closed, actor=actor, done="Đã bổ sung, ký xác nhận", closed_on=day + timedelta(days=1))
    services.add_action(
        run, actor=actor, text="Kiểm tra lại bộ phận cò sau sửa chữa", responsible="Trợ lý kỹ thuật (ví dụ)",
        deadline=today + timedelta(days=14),
    )  # fmt: skip
    return 1
