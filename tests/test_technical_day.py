"""The technical day (ngày kỹ thuật): schedules, the planner reading the due board, the parts against
the stock, the one results form (all or nothing, replay-safe), its pages and its API."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from materiel.catalog.models import Category, EquipmentType
from materiel.core.errors import ConflictError, DomainError
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.maintenance import board, techday
from materiel.maintenance.models import (
    Frequency,
    MaintenancePlanPart,
    SessionState,
    TechnicalDayLine,
    TechnicalDaySchedule,
    TechnicalDaySession,
    WeekOfMonth,
)
from materiel.maintenance.schedule import next_day, save_schedule, weekday_in_month
from materiel.maintenance.services import save_plan, save_plan_parts

from .test_api import Api

TODAY = timezone.localdate()
LONG_AGO = TODAY - timedelta(days=400)
SOON_SHARE_DAYS = 162  # a 180-day plan warns from day ⌈180 × 0.9⌉ (14 days before would be 166)


def test_next_days_of_weekly_and_monthly_schedules():
    weekly = TechnicalDaySchedule(frequency=Frequency.WEEKLY, weekday=4)
    assert next_day(weekly, date(2026, 12, 3)) == date(2026, 12, 4)  # Thursday -> Friday
    assert next_day(weekly, date(2026, 12, 4)) == date(2026, 12, 4)  # the day itself
    assert next_day(weekly, date(2026, 12, 5)) == date(2026, 12, 11)
    first = TechnicalDaySchedule(frequency=Frequency.MONTHLY, weekday=4, week_of_month=1)
    assert next_day(first, date(2026, 12, 5)) == date(2027, 1, 1)
    last = TechnicalDaySchedule(frequency=Frequency.MONTHLY, weekday=5, week_of_month=WeekOfMonth.LAST)
    assert next_day(last, date(2026, 12, 1)) == date(2026, 12, 26)
    assert weekday_in_month(2026, 2, 0, 4) == date(2026, 2, 23)


@pytest.fixture
def day(world):
    """District A1 holds its technical day every Friday morning. Its trucks: one overdue, one due soon
    by the session after next, one becoming soon just after it, one fine; district A2 has an overdue one."""
    schedule = save_schedule(
        actor=world.officer, unit=world.district_a1, frequency="weekly", weekday=4, week_of_month=None,
        part_of_day="morning",
    )  # fmt: skip
    held_on = next_day(schedule, TODAY)
    horizon = next_day(schedule, held_on + timedelta(days=1))
    plan = save_plan(
        actor=world.officer, equipment_type=world.truck, name="Bảo dưỡng cấp 1", every_km=Decimal(5000),
        every_days=180, statuses=["in_service"], starts_on=LONG_AGO,
    )  # fmt: skip
    parts_cat = Category.objects.create(code="vtkt", name="Vật tư kỹ thuật, phụ tùng", order=9)
    oil = EquipmentType.objects.create(
        category=parts_cat, code="dau-dc", name="Dầu nhờn động cơ", unit_of_measure="lít", serialised=False
    )
    oil_filter = EquipmentType.objects.create(
        category=parts_cat, code="loc-dau", name="Lọc dầu động cơ", unit_of_measure="cái", serialised=False
    )
    save_plan_parts(plan, [(oil, "6"), (oil_filter, "1")], actor=world.officer)
    trucks = {}
    for serial, unit, received, km in [
        ("XE-QUA-HAN", world.district_a1, LONG_AGO, 6000),
        ("XE-SAP-HAN", world.district_a1, horizon - timedelta(days=SOON_SHARE_DAYS), 100),
        ("XE-SAU-NUA", world.district_a1, horizon - timedelta(days=SOON_SHARE_DAYS - 1), 100),
        ("XE-MOI", world.district_a1, TODAY - timedelta(days=5), 10),
        ("XE-HUYEN-KHAC", world.district_a2, LONG_AGO, 9000),
    ]:
        item = services.record_receipt(
            equipment_type=world.truck, serial=serial, unit=unit, grade=2, occurred_on=received, actor=world.officer
        ).item
        services.record_meter_reading(item, meter="km", value=km, occurred_on=received, actor=world.officer)
        trucks[serial] = item
    for grade, quantity, unit in [(1, 10, world.district_a1), (4, 100, world.district_a1), (1, 100, world.district_a2)]:
        services.record_lot_receipt(
            equipment_type=oil, unit=unit, grade=grade, quantity=quantity, occurred_on=LONG_AGO, actor=world.officer,
            lot_number=f"DAU-{grade}",
        )  # fmt: skip
    return {"plan": plan, "trucks": trucks, "held_on": held_on, "horizon": horizon, "oil": oil, "filter": oil_filter}


def proposed_serials(proposal):
    return [group.item.serial for group in proposal.items]


def test_the_planner_proposes_what_is_due_by_the_session_after_next(world, day):
    proposal = techday.propose(world.officer, world.district_a1)
    assert proposal.held_on == day["held_on"] and proposal.horizon == day["horizon"]
    assert proposal.held_on.weekday() == 4
    assert sorted(proposed_serials(proposal)) == ["XE-QUA-HAN", "XE-SAP-HAN"]
    states = {g.item.serial: g.tasks[0].state for g in proposal.items}
    assert states["XE-QUA-HAN"] == "overdue"
    # It reads the board's own rows: the same rows, the same states on the session's day.
    rows = {r.item.serial: r.state for r in board.board_rows(world.officer, world.district_a1, {}, proposal.held_on)}
    assert rows["XE-QUA-HAN"] == states["XE-QUA-HAN"]


def test_a_unit_without_a_schedule_gets_no_proposal(world, day):
    proposal = techday.propose(world.officer, world.district_a2)
    assert proposal.schedule is None and proposal.items == []


def plan_session(world, day, serials=("XE-QUA-HAN", "XE-SAP-HAN")):
    tasks = [techday.TaskInput(day["trucks"][s].pk, day["plan"].pk, "Lò Văn Tư") for s in serials]
    return techday.create_session(
        actor=world.officer, unit=world.district_a1, held_on=TODAY, part_of_day="morning", tasks=tasks
    )


def test_tasks_in_a_planned_session_are_not_proposed_again(world, day):
    plan_session(world, day, serials=("XE-QUA-HAN",))
    assert proposed_serials(techday.propose(world.officer, world.district_a1)) == ["XE-SAP-HAN"]


def test_parts_needed_against_the_usable_stock_of_the_unit(world, day):
    session = plan_session(world, day)
    parts = {p.part_type.code: p for p in techday.parts_needed(world.officer, world.district_a1, [day["plan"].pk] * 2)}
    assert (parts["dau-dc"].needed, parts["dau-dc"].in_stock, parts["dau-dc"].short) == (12, 10, 2)
    assert (parts["loc-dau"].needed, parts["loc-dau"].in_stock, parts["loc-dau"].short) == (2, 0, 2)
    assert session.tasks.count() == 2


def test_a_task_of_another_unit_or_a_wrong_plan_is_refused_by_row(world, day):
    other = techday.TaskInput(day["trucks"]["XE-HUYEN-KHAC"].pk, day["plan"].pk)
    with pytest.raises(DomainError) as refused:
        techday.create_session(
            actor=world.officer, unit=world.district_a1, held_on=TODAY, part_of_day="morning",
            tasks=[techday.TaskInput(day["trucks"]["XE-MOI"].pk, day["plan"].pk), other],
        )  # fmt: skip
    assert refused.value.field == "tasks-2-item" and "Dòng 2" in refused.value.message
    with pytest.raises(DomainError) as refused:
        techday.create_session(
            actor=world.commander, unit=world.district_a1, held_on=TODAY, part_of_day="morning", tasks=[other]
        )
    assert TechnicalDaySession.objects.count() == 0


def results_for(session, *, done=True):
    return {t.pk: techday.TaskResult(done=done, reason="" if done else "Thiếu lọc dầu") for t in session.tasks.all()}


def test_results_write_every_event_at_once_and_clear_the_board(world, day):
    session = plan_session(world, day)
    trucks = day["trucks"]
    before = Event.objects.count()
    techday.record_results(
        session, actor=world.officer, version=session.version, occurred_on=TODAY, results=results_for(session),
        readings={trucks["XE-QUA-HAN"].pk: {"km": "6.150"}},
    )  # fmt: skip
    session.refresh_from_db()
    assert session.state == SessionState.DONE and session.version == 2
    written = Event.objects.filter(pk__gt=0).order_by("-id")[: Event.objects.count() - before]
    assert sorted(e.kind for e in written) == ["maintenance_done", "maintenance_done", "meter_reading"]
    assert set(TechnicalDayLine.objects.filter(record=session).values_list("event_id", flat=True)) == {
        e.pk for e in written
    }
    rows = {r.item.serial: r.state for r in board.board_rows(world.officer, world.district_a1, {})}
    assert rows["XE-QUA-HAN"] == "ok" and rows["XE-SAP-HAN"] == "ok"
    assert trucks["XE-QUA-HAN"].meters.get(meter="km").value == Decimal("6150")
    assert proposed_serials(techday.propose(world.officer, world.district_a1)) == []


def test_one_bad_row_writes_nothing(world, day):
    session = plan_session(world, day)
    trucks = day["trucks"]
    before = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        techday.record_results(
            session, actor=world.officer, version=session.version, occurred_on=TODAY, results=results_for(session),
            readings={trucks["XE-QUA-HAN"].pk: {"km": "6200"}, trucks["XE-SAP-HAN"].pk: {"km": "50"}},
        )  # fmt: skip
    message = refused.value.message
    assert "XE-SAP-HAN" in message and "số km" in message and "100" in message  # the row, the meter, the previous
    assert refused.value.field == f"reading-{trucks['XE-SAP-HAN'].pk}-km"
    assert Event.objects.count() == before
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED and not session.lines.exists()
    assert set(session.tasks.values_list("done", flat=True)) == {None}


def test_refusals_name_the_row_and_field(world, day):
    session = plan_session(world, day)
    trucks = day["trucks"]
    with pytest.raises(DomainError) as refused:  # in the future
        techday.record_results(
            session, actor=world.officer, version=1, occurred_on=TODAY + timedelta(days=1), results=results_for(session)
        )
    assert refused.value.field == "occurred_on" and "XE-QUA-HAN" in refused.value.message
    with pytest.raises(DomainError) as refused:  # before the item's latest event
        techday.record_results(
            session, actor=world.officer, version=1, occurred_on=LONG_AGO - timedelta(days=1),
            results=results_for(session),
        )  # fmt: skip
    assert "trước sự kiện gần nhất" in refused.value.message
    with pytest.raises(DomainError) as refused:  # not done without a reason
        results = results_for(session)
        results[next(iter(results))].done = False
        techday.record_results(session, actor=world.officer, version=1, occurred_on=TODAY, results=results)
    assert refused.value.field.endswith("-reason") and "Dòng 1 (XE-QUA-HAN)" in refused.value.message
    services.record_loss(trucks["XE-SAP-HAN"], occurred_on=TODAY, actor=world.officer, reason="Mất khi làm nhiệm vụ")
    with pytest.raises(DomainError) as refused:  # maintenance of a lost item
        techday.record_results(session, actor=world.officer, version=1, occurred_on=TODAY, results=results_for(session))
    assert "XE-SAP-HAN" in refused.value.message and "mất" in refused.value.message
    assert not session.lines.exists()


def test_a_done_task_without_a_reading_is_allowed_and_replay_writes_nothing(world, day):
    session = plan_session(world, day)
    techday.record_results(session, actor=world.officer, version=1, occurred_on=TODAY, results=results_for(session))
    count = Event.objects.count()
    with pytest.raises(ConflictError):
        techday.record_results(session, actor=world.officer, version=1, occurred_on=TODAY, results=results_for(session))
    with pytest.raises(ConflictError):
        techday.record_results(session, actor=world.officer, version=2, occurred_on=TODAY, results=results_for(session))
    assert Event.objects.count() == count


def test_plan_parts_on_the_catalogue_page_name_the_row_and_field(client, world, day):
    client.force_login(world.officer)
    plan = day["plan"]
    url = f"/danh-muc/bao-duong/{plan.pk}/"
    form = {
        "name": plan.name, "every_km": "5.000", "every_days": "180", "tolerance_percent": "10", "soon_percent": "10",
        "soon_days": "14", "statuses": ["in_service"], "starts_on": LONG_AGO.strftime("%d/%m/%Y"), "parts-count": "3",
        "parts-1-type": str(day["oil"].pk), "parts-1-quantity": "8", "parts-2-type": str(day["filter"].pk),
        "parts-2-quantity": "hai",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 422
    assert "Phụ tùng dòng 2 – số lượng: phải là số nguyên" in response.content.decode()
    assert MaintenancePlanPart.objects.get(plan=plan, part_type=day["oil"]).quantity == 6  # nothing half-saved
    form["parts-2-quantity"] = "2"
    assert client.post(url, form).status_code == 302
    assert dict(plan.parts.values_list("part_type__code", "quantity")) == {"dau-dc": 8, "loc-dau": 2}
    assert (
        "Dầu động cơ" in client.get("/danh-muc/bao-duong/").content.decode()
        or "Dầu nhờn" in client.get("/danh-muc/bao-duong/").content.decode()
    )


def test_the_pages_plan_print_record_and_minute(client, world, day):
    client.force_login(world.officer)
    unit = world.district_a1.code
    html = client.get("/ngay-ky-thuat/", {"unit": unit}).content.decode()
    assert "XE-QUA-HAN" in html and "XE-SAP-HAN" in html and "XE-MOI" not in html and "XE-HUYEN-KHAC" not in html
    assert 'data-short="Dầu nhờn động cơ"' in html
    keys = re.findall(r'name="task-(\d+)-key" value="([\d:]+)"', html)
    form = {"task-count": str(len(keys)), "held_on": TODAY.strftime("%d/%m/%Y"), "part_of_day": "morning"}
    for n, key in keys:
        form[f"task-{n}-key"] = key
        form[f"task-{n}-staff"] = "Lò Văn Tư"
    form["task-1-keep"] = "1"  # the second is removed
    form.update({"add-1-serial": "XE-MOI", "add-1-plan": str(day["plan"].pk), "add-1-staff": "Giàng A Páo"})
    response = client.post(f"/ngay-ky-thuat/?unit={unit}", form)
    assert response.status_code == 302
    session = TechnicalDaySession.objects.get()
    assert sorted(t.item.serial for t in session.tasks.all()) == ["XE-MOI", "XE-QUA-HAN"]
    printed = client.get(f"/ngay-ky-thuat/{session.pk}/ban-in/").content.decode()
    assert "Kế hoạch ngày kỹ thuật" in printed and "XE-MOI" in printed and "Giàng A Páo" in printed
    assert client.get(f"/ngay-ky-thuat/{session.pk}/bien-ban/").status_code == 404  # no minute before results
    page = client.get(f"/ngay-ky-thuat/{session.pk}/ket-qua/").content.decode()
    tasks = re.findall(r'name="task-(\d+)-done"', page)
    truck = day["trucks"]["XE-QUA-HAN"]
    results = {"occurred_on": TODAY.strftime("%d/%m/%Y"), "version": "1", "idempotency_key": "khoa-ket-qua-1"}
    for task in tasks:
        results[f"task-{task}-done"] = "1"
    results[f"reading-{truck.pk}-km"] = "5.000"  # lower than 6.000: refused, nothing written
    before = Event.objects.count()
    refused = client.post(f"/ngay-ky-thuat/{session.pk}/ket-qua/", results)
    assert refused.status_code == 422
    assert "XE-QUA-HAN" in refused.content.decode() and "6.000" in refused.content.decode()
    assert Event.objects.count() == before
    results[f"reading-{truck.pk}-km"] = "6.300"
    assert client.post(f"/ngay-ky-thuat/{session.pk}/ket-qua/", results).status_code == 302
    written = Event.objects.count() - before
    assert written == 3
    again = client.post(f"/ngay-ky-thuat/{session.pk}/ket-qua/", results)  # the same form sent twice
    assert again.status_code in (302, 303, 200, 409)
    assert Event.objects.count() == before + written
    minute = client.get(f"/ngay-ky-thuat/{session.pk}/bien-ban/").content.decode()
    assert "Biên bản ngày kỹ thuật" in minute and "6.300" in minute and "Giàng A Páo" in minute
    assert "Đã thực hiện 2/2 công việc" in minute


def test_the_schedule_page_and_who_may_use_it(client, world, day):
    client.force_login(world.commander)
    assert client.get("/ngay-ky-thuat/lich/", {"unit": world.district_a2.code}).status_code == 403
    client.force_login(world.officer)
    response = client.post(
        f"/ngay-ky-thuat/lich/?unit={world.district_a2.code}",
        {"frequency": "monthly", "weekday": "5", "part_of_day": "afternoon"},
    )
    assert response.status_code == 422 and "tuần trong tháng" in response.content.decode()
    response = client.post(
        f"/ngay-ky-thuat/lich/?unit={world.district_a2.code}",
        {"frequency": "monthly", "weekday": "5", "week_of_month": "5", "part_of_day": "afternoon"},
    )
    assert response.status_code == 302
    assert (
        "Thứ Bảy tuần cuối hằng tháng, buổi chiều"
        in client.get("/ngay-ky-thuat/", {"unit": world.district_a2.code}).content.decode()
    )
    assert client.get("/ngay-ky-thuat/lich/", {"unit": world.post_b1.code}).status_code == 404


def test_the_api_proposes_plans_and_records_a_session(world, day):
    api = Api(world.officer)
    proposal = api.get("/maintenance/technical-day/proposal", unit=world.district_a1.code).json()
    assert proposal["held_on"] == day["held_on"].isoformat()
    assert sorted(t["serial"] for t in proposal["tasks"]) == ["XE-QUA-HAN", "XE-SAP-HAN"]
    assert {p["type"]: p["short"] for p in proposal["parts"]} == {"dau-dc": 2, "loc-dau": 2}
    body = {
        "unit": world.district_a1.code,
        "tasks": [{"item": t["item"], "plan": t["plan"]} for t in proposal["tasks"]],
    }
    created = api.post("/maintenance/technical-day/sessions", body)
    assert created.status_code == 200, created.content
    session = created.json()
    assert session["held_on"] == day["held_on"].isoformat() and session["state"] == "planned"
    assert api.get(f"/maintenance/technical-day/sessions/{session['id']}").json()["id"] == session["id"]
    stored = TechnicalDaySession.objects.get(pk=session["id"])
    stored.held_on = TODAY  # recorded today (the scheduled Friday may be ahead)
    stored.save()
    truck = day["trucks"]["XE-QUA-HAN"]
    results = {
        "version": 1,
        "occurred_on": TODAY.isoformat(),
        "results": [{"task": t["id"], "done": True} for t in session["tasks"]],
        "readings": [{"item": truck.pk, "meter": "km", "value": "5900"}],
    }
    refused = api.post(f"/maintenance/technical-day/sessions/{session['id']}/results", results)
    assert refused.status_code == 422 and "XE-QUA-HAN" in refused.json()["message"]
    results["readings"][0]["value"] = "6100"
    done = api.post(f"/maintenance/technical-day/sessions/{session['id']}/results", results)
    assert done.status_code == 200 and done.json()["state"] == "done" and len(done.json()["events"]) == 3
    assert api.post(f"/maintenance/technical-day/sessions/{session['id']}/results", results).status_code == 409
    outsider = Api(world.outsider)
    assert outsider.get(f"/maintenance/technical-day/sessions/{session['id']}").status_code == 404
    assert outsider.post("/maintenance/technical-day/sessions", body).status_code == 404
    commander = Api(world.commander)
    assert commander.post("/maintenance/technical-day/sessions", body).status_code == 403
