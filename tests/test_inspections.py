"""Inspections: versioned templates, runs copying their steps, the results grid, finishing a run
(grade changes and readiness events linked to it, a work order opened), refusals, corrective
actions, the readiness projection under `materiel verify`, and scoping."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from materiel.accounts.scoping import PermissionDenied
from materiel.core.errors import DomainError
from materiel.equipment.models import Item
from materiel.inspections import services as insp
from materiel.inspections.models import (
    ChecklistTemplate,
    DutyRow,
    InspectionLine,
    ItemReadiness,
    ReadinessReason,
    Result,
    RunStep,
)
from materiel.ledger import services
from materiel.ledger.models import Event, EventKind
from materiel.ledger.verify import verify_ledger
from materiel.storage import services as storage
from materiel.storage.models import PlaceKind
from materiel.workorders.models import WorkOrder

D = date(2021, 3, 1)
TODAY = timezone.localdate()


def fresh(item):
    return Item.objects.get(pk=item.pk)


@pytest.fixture
def room(world):
    """A weapon room of district A1 holding three rifles."""
    place = storage.save_place(
        actor=world.officer,
        unit=world.district_a1,
        kind=PlaceKind.objects.get(code="phong-vu-khi"),
        code="PVK",
        name="Phòng vũ khí đại đội 1",
    )
    rifles = []
    for n in range(3):
        item = services.record_receipt(
            equipment_type=world.rifle, serial=f"AK-{n}", unit=world.district_a1, grade=2, occurred_on=D,
            actor=world.officer,
        ).item  # fmt: skip
        storage.relocate(item, place=place, occurred_on=D + timedelta(days=1), actor=world.officer)
        rifles.append(fresh(item))
    return place, rifles


def template():
    return insp.current("sung-bo-binh-thuong-xuyen")


def refused(field, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


def open_room_run(world, place, day=None):
    return insp.open_run(
        actor=world.officer,
        unit=world.district_a1,
        template=template(),
        inspector="Đại úy Nguyễn Văn Hùng",
        inspected_on=day or TODAY,
        kind="regular",
        place=place,
    )


@pytest.mark.django_db
def test_examples_are_shipped():
    assert ReadinessReason.objects.count() == 5
    assert template().steps.count() == 4
    assert DutyRow.objects.filter(place_kind__code="phong-vu-khi", frequency="daily").exists()


def test_editing_a_template_makes_a_new_version_and_past_runs_keep_their_copy(world, room):
    place, _rifles = room
    run = open_room_run(world, place)
    copied = list(RunStep.objects.filter(run=run).values_list("text", flat=True))
    old = template()
    new = insp.save_template(
        actor=world.officer,
        code=old.code,
        name=old.name,
        kind=old.kind,
        steps=[insp.Step("Súng sạch", "minor"), insp.Step("Khe hở khóa nòng", "major", "measure", "mm", 0, "0,5")],
    )
    assert new.version == 2 and insp.current(old.code) == new
    assert ChecklistTemplate.objects.filter(code=old.code).count() == 2  # the older version stays
    assert list(RunStep.objects.filter(run=run).values_list("text", flat=True)) == copied
    assert new.steps.get(position=2).upper == Decimal("0.5")


def test_template_refusals_name_the_step(world):
    message = refused(
        "lower",
        insp.save_template,
        actor=world.officer,
        code="x",
        name="X",
        kind="regular",
        steps=[insp.Step("A", "minor"), insp.Step("Đo", "minor", "measure", "V", 5, 1)],
    )
    assert "Bước 2" in message
    refused("reason", insp.save_template, actor=world.officer, code="x", name="X", kind="regular",
            steps=[insp.Step("A", "critical", effect="not_serviceable")])  # fmt: skip


def test_run_on_a_weapon_room_with_a_critical_failure(world, room):
    place, rifles = room
    run = open_room_run(world, place)
    assert [ri.item_id for ri in run.items.order_by("position")] == [r.pk for r in rifles]
    steps = {s.position: s for s in run.steps.all()}
    items = {ri.item_id: ri for ri in run.items.all()}
    bad, worn = items[rifles[0].pk], items[rifles[1].pk]
    insp.enter_results(
        run,
        actor=world.officer,
        results={(bad.pk, steps[2].pk): False, (bad.pk, steps[3].pk): False, (worn.pk, steps[1].pk): False},
        grades={bad.pk: 4, worn.pk: 3},
    )
    assert len(insp.findings(run)) == 3
    run = insp.finish_run(run, actor=world.officer)
    assert run.is_finished
    assert fresh(rifles[0]).grade == 4 and fresh(rifles[1]).grade == 3 and fresh(rifles[2]).grade == 2
    kinds = sorted(line.event.kind for line in InspectionLine.objects.filter(record=run).select_related("event"))
    assert kinds == sorted([EventKind.GRADE_CHANGE, EventKind.GRADE_CHANGE, "readiness"])
    readiness = ItemReadiness.objects.get(item=rifles[0])
    assert readiness.reason.code == "phat-hien-nghiem-trong" and readiness.since == TODAY
    order = Result.objects.get(run_item=bad, step=steps[3]).work_order
    assert order is not None and order.kind == "repair" and order.items.get().item_id == rifles[0].pk
    assert WorkOrder.objects.count() == 1  # the note-only failure of the second rifle opens nothing
    assert verify_ledger().ok
    # A finished run is never edited again, and finishing it twice writes nothing more.
    events = Event.objects.count()
    message = refused(None, insp.enter_results, run, actor=world.officer, results={})
    assert "đã kết thúc" in message
    refused(None, insp.finish_run, run, actor=world.officer)
    assert Event.objects.count() == events


def test_the_higher_technical_organ_finishing_a_run_opens_the_units_repair_order(world, room):
    """An inspector (cơ quan kỹ thuật cấp trên) may not manage the unit's work orders, yet its finding
    opens one: the order is opened under the inspection's authority, in draft, for the unit."""
    from materiel.accounts.models import Role
    from materiel.accounts.scoping import allowed

    from .factories import make_user

    inspector = make_user("ktct", world.province_a, Role.INSPECTOR)
    assert not allowed(inspector, "workorders.manage")
    place, rifles = room
    run = insp.open_run(
        actor=inspector, unit=world.district_a1, template=template(), inspector="Phòng Kỹ thuật tỉnh",
        inspected_on=TODAY, kind="unannounced", place=place,
    )  # fmt: skip
    barrel = next(s for s in run.steps.all() if s.effect == "work_order")
    row = run.items.get(item=rifles[0])
    insp.enter_results(run, actor=inspector, results={(row.pk, barrel.pk): False})
    insp.finish_run(run, actor=inspector)
    order = Result.objects.get(run_item=row, step=barrel).work_order
    assert order.unit == world.district_a1 and order.state == "draft" and order.created_by == inspector


def test_results_outside_the_value_type_name_step_and_item(world, room):
    place, rifles = room
    measured = insp.save_template(
        actor=world.officer, code="do", name="Đo", kind="periodic",
        steps=[insp.Step("Khe hở khóa nòng", "major", "measure", "mm", 0, "0.5", effect="work_order")],
    )  # fmt: skip
    run = insp.open_run(
        actor=world.officer, unit=world.district_a1, template=measured, inspector="A", inspected_on=TODAY,
        kind="periodic", items=[rifles[0]],
    )  # fmt: skip
    step, run_item = run.steps.get(), run.items.get()
    message = refused(f"r-{run_item.pk}-{step.pk}", insp.enter_results, run, actor=world.officer,
                      results={(run_item.pk, step.pk): "nhiều"})  # fmt: skip
    assert "Bước 1" in message and "AK-0" in message
    insp.enter_results(run, actor=world.officer, results={(run_item.pk, step.pk): "0,7"})
    assert [r.value for r in insp.findings(run)] == [Decimal("0.7")]  # above the upper limit: failed
    insp.enter_results(run, actor=world.officer, results={(run_item.pk, step.pk): "0.3"})
    assert insp.findings(run) == []
    refused(f"g-{run_item.pk}", insp.enter_results, run, actor=world.officer, results={}, grades={run_item.pk: 9})


def test_run_dates_refused(world, room):
    place, rifles = room
    refused("inspected_on", open_room_run, world, place, TODAY + timedelta(days=1))
    message = refused("inspected_on", open_room_run, world, place, D - timedelta(days=1))
    assert "AK-0" in message


def test_corrective_actions(world, room):
    place, _rifles = room
    run = open_room_run(world, place, day=TODAY - timedelta(days=3))
    action = insp.add_action(
        run,
        actor=world.officer,
        text="Lau chùi, bôi dầu",
        responsible="Trung sĩ Lò Văn Páo",
        deadline=TODAY - timedelta(days=1),
    )
    assert action.overdue(TODAY)
    message = refused("done", insp.close_action, action, actor=world.officer, done=" ")
    assert "Lau chùi" in message
    insp.close_action(action, actor=world.officer, done="Đã lau chùi")
    action.refresh_from_db()
    assert not action.overdue(TODAY) and action.closed_on == TODAY
    refused("done", insp.close_action, action, actor=world.officer, done="Lần nữa")


def test_readiness_reversal_and_verify(world, room):
    _place, rifles = room
    event = services.record(
        "readiness", rifles[0], actor=world.officer, occurred_on=TODAY, details={"reason": "cho-vat-tu"}
    )
    assert ItemReadiness.objects.get(item=rifles[0]).reason.code == "cho-vat-tu"
    refused("reason", services.record, "readiness", fresh(rifles[1]), actor=world.officer, occurred_on=TODAY,
            details={"reason": "khong-co"})  # fmt: skip
    services.reverse_event(event, reason="Ghi nhầm", actor=world.officer)
    assert not ItemReadiness.objects.filter(item=rifles[0]).exists()
    services.record(
        "readiness", fresh(rifles[1]), actor=world.officer, occurred_on=TODAY, details={"reason": "cho-vat-tu"}
    )
    assert verify_ledger().ok
    ItemReadiness.objects.update(reason=ReadinessReason.objects.get(code="cho-quyet-dinh"))
    assert not verify_ledger().ok  # a tampered reason is found


def test_scoping(world, room):
    place, rifles = room
    with pytest.raises(PermissionDenied):
        open_room_run(type("W", (), {"officer": world.outsider, "district_a1": world.district_a1})(), place)
    with pytest.raises(PermissionDenied):
        insp.save_template(actor=world.commander, code="c", name="C", kind="regular", steps=[insp.Step("A", "minor")])
    run = open_room_run(world, place)
    from materiel.inspections.models import Run

    assert Run.objects.visible_to(world.officer).filter(pk=run.pk).exists()
    assert not Run.objects.visible_to(world.outsider).filter(pk=run.pk).exists()


def test_a_repair_end_makes_the_item_serviceable_again(world, room):
    """The critical finding's readiness reason is cleared by the repair's end: a readiness event
    with no reason, written with it through the ledger's Writer and linked to the work order."""
    from materiel.workorders import services as workorders
    from materiel.workorders.models import Facility, FacilityKind, RepairLevel
    from materiel.workorders.reference import ensure_levels

    place, rifles = room
    run = open_room_run(world, place)
    steps = {s.position: s for s in run.steps.all()}
    bad = run.items.get(item=rifles[0])
    insp.enter_results(run, actor=world.officer, results={(bad.pk, steps[2].pk): False, (bad.pk, steps[3].pk): False})
    insp.finish_run(run, actor=world.officer)
    assert ItemReadiness.objects.filter(item=rifles[0]).exists()
    order = Result.objects.get(run_item=bad, step=steps[3]).work_order
    ensure_levels()
    team = Facility.objects.create(name="Tổ sửa chữa", kind=FacilityKind.UNIT, unit=world.district_a1)
    workorders.update_order(
        order, actor=world.officer, version=None, title=order.title, fault=order.fault,
        level=RepairLevel.objects.get(code="nho"), facility=team,
    )  # fmt: skip
    workorders.transition(order, "open", actor=world.officer)
    workorders.transition(order, "in_progress", actor=world.officer, occurred_on=TODAY)
    events = workorders.close_order(order, actor=world.officer, results="Đã thay nòng", occurred_on=TODAY)
    assert [e.kind for e in events] == [EventKind.REPAIR_END, "readiness"]
    assert events[1].details == {"note": "Sửa chữa xong"} and events[1].document_number == order.number
    assert not ItemReadiness.objects.filter(item=rifles[0]).exists()
    assert verify_ledger().ok
    # An item without a reason gets no readiness event from its repair's end.
    other = fresh(rifles[1])
    services.record_repair_start(other, occurred_on=TODAY, actor=world.officer)
    ended = services.record_repair_end(fresh(other), occurred_on=TODAY, actor=world.officer)
    assert ended.kind == EventKind.REPAIR_END
    assert Event.objects.filter(item=other, kind="readiness").count() == 0
    # Reversing the clearing brings the reason back (the undo stack: latest first).
    services.reverse_event(events[1], reason="Ghi nhầm", actor=world.officer)
    assert ItemReadiness.objects.get(item=rifles[0]).reason.code == "phat-hien-nghiem-trong"


def test_a_cancelled_repair_leaves_the_readiness_reason(world, room):
    from materiel.workorders import services as workorders
    from materiel.workorders.models import Facility, FacilityKind, RepairLevel
    from materiel.workorders.reference import ensure_levels

    _place, rifles = room
    services.record("readiness", rifles[0], actor=world.officer, occurred_on=TODAY, details={"reason": "cho-sua-chua"})
    ensure_levels()
    team = Facility.objects.create(name="Tổ sửa chữa", kind=FacilityKind.UNIT, unit=world.district_a1)
    order = workorders.create_order(
        actor=world.officer, unit=world.district_a1, kind="repair", title="Sửa", fault="Hỏng cò",
        level=RepairLevel.objects.get(code="nho"), facility=team, items=[workorders.Wanted(fresh(rifles[0]))],
        state="open",
    )  # fmt: skip
    workorders.transition(order, "in_progress", actor=world.officer, occurred_on=TODAY)
    workorders.transition(order, "cancelled", actor=world.officer, occurred_on=TODAY)
    assert fresh(rifles[0]).status == "in_service"
    assert ItemReadiness.objects.get(item=rifles[0]).reason.code == "cho-sua-chua"


def test_a_repair_ended_on_the_item_page_clears_the_reason_too(world, room):
    """The item page's Sửa chữa xong is `services.record_repair_end`: the same follower clears the
    reason, and the service still answers with the repair's end, not its consequence."""
    _place, rifles = room
    services.record("readiness", rifles[0], actor=world.officer, occurred_on=TODAY, details={"reason": "cho-sua-chua"})
    services.record_repair_start(fresh(rifles[0]), occurred_on=TODAY, actor=world.officer)
    ended = services.record_repair_end(fresh(rifles[0]), occurred_on=TODAY, actor=world.officer)
    assert ended.kind == EventKind.REPAIR_END and ended.pk is not None
    latest = Event.objects.filter(item=rifles[0]).latest("id")
    assert latest.kind == "readiness" and latest.details == {"note": "Sửa chữa xong"}
    assert not ItemReadiness.objects.filter(item=rifles[0]).exists()
    assert verify_ledger().ok
