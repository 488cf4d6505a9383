"""The inspections API end to end through the HTTP client with a token: the reference data, a run
on a weapon room (its grid refused by name, finished once: events, a work order, readiness),
corrective actions, the readiness counts against their lists, and a sibling unit's 404s."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from materiel.equipment.models import Item
from materiel.inspections.models import ChecklistTemplate, DutyRow, InspectionLine, ItemReadiness, Result, Run
from materiel.ledger import services
from materiel.ledger.models import Event, EventKind
from materiel.ledger.verify import verify_ledger
from materiel.storage import services as storage
from materiel.storage.models import PlaceKind
from materiel.workorders.models import WorkOrder

from .test_api import Api, error

D = date(2021, 3, 1)
TODAY = timezone.localdate()

# A rifle checklist with a measure: its steps by position.
STEPS = [
    {"text": "Súng sạch, không han gỉ", "severity": "minor"},
    {
        "text": "Bộ phận cò, kim hỏa hoạt động tốt",
        "severity": "critical",
        "effect": "not_serviceable",
        "reason": "phat-hien-nghiem-trong",
    },
    {"text": "Nòng súng không nứt, không phình", "severity": "critical", "effect": "work_order"},
    {"text": "Khe hở khóa nòng", "severity": "major", "method": "measure", "measure_unit": "mm", "upper": "0,5"},
]


@pytest.fixture
def officer(world):
    return Api(world.officer)


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
        rifles.append(Item.objects.get(pk=item.pk))
    return place, rifles


@pytest.fixture
def run(officer, world, room):
    """A draft run of the weapon room with the measuring checklist, as opened through the API."""
    place, _rifles = room
    made = officer.post(
        "/inspections/templates", {"code": "sung-do", "name": "Súng, có đo", "kind": "regular", "steps": STEPS}
    )
    assert made.status_code == 200, made.content
    opened = officer.post(
        "/inspections/runs",
        {
            "unit": world.district_a1.code,
            "template": "sung-do",
            "inspector": "Đại úy Nguyễn Văn Hùng",
            "place": place.pk,
            # Three days ago: a corrective action's deadline may be before today, never before the run.
            "inspected_on": (TODAY - timedelta(days=3)).isoformat(),
        },
    )
    assert opened.status_code == 200, opened.content
    return opened.json()


def test_reference_data_and_a_template_saved_as_a_new_version(officer, world):
    assert {r["code"] for r in officer.get("/inspections/reasons").json()} >= {"cho-sua-chua", "cho-vat-tu"}
    templates = {t["code"]: t for t in officer.get("/inspections/templates").json()}
    rifle = templates["sung-bo-binh-thuong-xuyen"]
    assert rifle["version"] == 1 and len(rifle["steps"]) == 4 and rifle["steps"][1]["effect"] == "not_serviceable"
    assert templates["xe-dinh-ky"]["steps"][0] == {
        "position": 1, "text": "Áp suất lốp", "method": "measure", "measure_unit": "kPa", "lower": 200.0,
        "upper": 260.0, "severity": "major", "effect": "work_order", "reason": None,
    }  # fmt: skip
    saved = officer.post(
        "/inspections/templates",
        {"code": rifle["code"], "name": rifle["name"], "kind": "regular", "equipment_type": "ak47", "steps": STEPS},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2 and saved.json()["equipment_type"] == "ak47"
    assert saved.json()["steps"][3]["upper"] == 0.5
    old = officer.get(f"/inspections/templates/{rifle['id']}").json()
    assert old["version"] == 1 and old["is_current"] is False and len(old["steps"]) == 4
    current = {t["code"]: t["id"] for t in officer.get("/inspections/templates").json()}
    assert current[rifle["code"]] == saved.json()["id"]
    matrix = officer.get("/inspections/matrix").json()
    daily = next(row for row in matrix if row["place_kind"] == "phong-vu-khi" and row["frequency"] == "daily")
    assert daily["template"] == saved.json()["id"]  # the matrix uses the code's current version
    error(officer.get("/inspections/templates/999999"), 404, "not_found")


def test_template_refusals_name_the_field(officer, world):
    body = {"code": "moi", "name": "Mới", "kind": "regular"}
    bad = [*STEPS[:3], {**STEPS[3], "lower": "1", "upper": "0,5"}]
    refused = error(officer.post("/inspections/templates", {**body, "steps": bad}), 422, "invalid", "steps.3.lower")
    assert "Bước 4" in refused["message"]
    no_reason = [{**STEPS[1], "reason": None}]
    error(officer.post("/inspections/templates", {**body, "steps": no_reason}), 422, "invalid", "steps.0.reason")
    unknown = [{**STEPS[1], "reason": "khong-co"}]
    error(officer.post("/inspections/templates", {**body, "steps": unknown}), 422, "invalid", "steps.0.reason")
    error(officer.post("/inspections/templates", {**body, "steps": []}), 422, "invalid", "steps")
    error(officer.post("/inspections/templates", {**body, "code": "Mã có dấu", "steps": STEPS}), 422, "invalid", "code")
    error(officer.post("/inspections/templates", {**body, "kind": "x", "steps": STEPS}), 422, "invalid", "kind")
    error(Api(world.commander).post("/inspections/templates", {**body, "steps": STEPS}), 403, "forbidden")
    assert not ChecklistTemplate.objects.filter(code="moi").exists()


def test_a_run_on_a_weapon_room_is_refused_by_name_then_finished_once(officer, world, room, run):
    _place, rifles = room
    assert run["number"] == f"KT-{run['id']}" and run["state"] == "draft" and run["kind"] == "regular"
    assert [i["serial"] for i in run["items"]] == ["AK-0", "AK-1", "AK-2"] and len(run["steps"]) == 4
    bad, worn = rifles[0].pk, rifles[1].pk
    path = f"/inspections/runs/{run['id']}"
    cells = [
        {"item": bad, "step": 2, "passed": False},
        {"item": bad, "step": 3, "passed": False, "note": "Nòng nứt"},
        {"item": worn, "step": 4, "value": "nhiều"},
    ]
    refused = error(officer.post(f"{path}/results", {"cells": cells, "version": run["version"]}), 422, "invalid")
    assert refused["field"] == "cells.2.value"
    assert "Bước 4" in refused["message"] and "AK-1" in refused["message"]
    assert not Result.objects.filter(run_item__run_id=run["id"]).exists()  # nothing written
    error(officer.post(f"{path}/results", {"cells": [{"item": bad, "step": 9}]}), 422, "invalid", "cells.0.step")
    error(officer.post(f"{path}/results", {"cells": [{"item": 999999, "step": 1}]}), 422, "invalid", "cells.0.item")
    error(officer.post(f"{path}/results", {"cells": [{"item": bad, "step": 4}]}), 422, "invalid", "cells.0.value")
    error(
        officer.post(f"{path}/results", {"cells": [], "grades": [{"item": bad, "grade": 9}]}),
        422,
        "invalid",
        "grades.0.grade",
    )

    cells[2]["value"] = "0,7"  # above the upper limit: failed, a note only
    entered = officer.post(
        f"{path}/results", {"cells": cells, "grades": [{"item": bad, "grade": 4}], "version": run["version"]}
    )
    assert entered.status_code == 200, entered.content
    grid = entered.json()
    assert [(f["serial"], f["step"], f["severity"]) for f in grid["findings"]] == [
        ("AK-0", 2, "critical"), ("AK-0", 3, "critical"), ("AK-1", 4, "major"),
    ]  # fmt: skip
    assert grid["findings"][2]["value"] == 0.7 and grid["items"][0]["grade_proposed"] == 4
    error(officer.post(f"{path}/finish", {"version": run["version"]}), 409, "conflict")  # the grid moved it on

    finished = officer.post(f"{path}/finish", {"version": grid["version"]})
    assert finished.status_code == 200, finished.content
    done = finished.json()
    assert done["state"] == "finished" and done["finished_at"]
    kinds = sorted(Event.objects.filter(pk__in=done["events"]).values_list("kind", flat=True))
    assert kinds == sorted([EventKind.GRADE_CHANGE, "readiness"])
    assert set(done["events"]) == set(
        InspectionLine.objects.filter(record_id=run["id"]).values_list("event", flat=True)
    )
    assert Item.objects.get(pk=bad).grade == 4
    assert ItemReadiness.objects.get(item_id=bad).reason.code == "phat-hien-nghiem-trong"
    (order_id,) = done["work_orders"]
    order = WorkOrder.objects.get(pk=order_id)
    assert order.kind == "repair" and order.items.get().item_id == bad and "Nòng" in order.fault
    assert officer.get(f"/workorders/{order_id}").status_code == 200
    assert done["findings"][1]["work_order"] == order_id
    assert verify_ledger().ok

    # Finished once: a replay of the finish, or a new grid, is refused and writes nothing.
    events, orders = Event.objects.count(), WorkOrder.objects.count()
    again = error(officer.post(f"{path}/finish", {"version": done["version"]}), 422, "invalid", "state")
    assert "đã kết thúc" in again["message"]
    error(officer.post(f"{path}/results", {"cells": []}), 422, "invalid", "state")
    assert (Event.objects.count(), WorkOrder.objects.count()) == (events, orders)
    assert officer.get(path).json() == done


def test_a_replayed_finish_with_its_key_answers_the_first_answer(officer, world, room, run):
    path = f"/api/v1/inspections/runs/{run['id']}/finish"
    headers = {**officer.headers, "HTTP_IDEMPOTENCY_KEY": "kt-finish-0001"}
    first = officer.client.post(path, {"version": run["version"]}, content_type="application/json", **headers)
    events = Event.objects.count()
    second = officer.client.post(path, {"version": run["version"]}, content_type="application/json", **headers)
    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true" and second.content == first.content
    assert Event.objects.count() == events


def test_opening_a_run_by_ids_and_serials_and_its_refusals(officer, world, room):
    _place, rifles = room
    base = {"unit": world.district_a1.code, "template": "sung-bo-binh-thuong-xuyen", "inspector": "Thượng úy Lò Văn A"}
    opened = officer.post(
        "/inspections/runs", {**base, "items": [rifles[2].pk], "serials": ["AK-0"], "kind": "before_use"}
    )
    assert opened.status_code == 200, opened.content
    assert [i["serial"] for i in opened.json()["items"]] == ["AK-2", "AK-0"]
    assert opened.json()["kind"] == "before_use" and opened.json()["inspected_on"] == TODAY.isoformat()
    secret = services.record_receipt(
        equipment_type=world.rifle, serial="AK-B", unit=world.post_b1, grade=1, occurred_on=D, actor=world.outsider
    ).item
    hidden = error(officer.post("/inspections/runs", {**base, "items": [secret.pk]}), 422, "invalid", "items.0")
    assert "AK-B" not in hidden["message"]
    error(officer.post("/inspections/runs", {**base, "serials": ["AK-B"]}), 422, "invalid", "serials.0")
    error(
        officer.post("/inspections/runs", {**base, "template": "khong-co", "items": [rifles[0].pk]}),
        422,
        "invalid",
        "template",
    )
    error(officer.post("/inspections/runs", {**base, "items": [rifles[0].pk], "kind": "x"}), 422, "invalid", "kind")
    future = (TODAY + timedelta(days=1)).isoformat()
    error(
        officer.post("/inspections/runs", {**base, "items": [rifles[0].pk], "inspected_on": future}),
        422,
        "invalid",
        "inspected_on",
    )
    error(officer.post("/inspections/runs", {**base, "inspector": ""}), 422, "invalid", "inspector")
    error(officer.post("/inspections/runs", {**base, "unit": ""}), 422, "invalid", "unit")
    error(Api(world.commander).post("/inspections/runs", {**base, "items": [rifles[0].pk]}), 403, "forbidden")
    old = ChecklistTemplate.objects.get(code="sung-bo-binh-thuong-xuyen")
    officer.post("/inspections/templates", {"code": old.code, "name": old.name, "kind": "regular", "steps": STEPS})
    by_version = officer.post("/inspections/runs", {**base, "items": [rifles[0].pk], "template_version": 1})
    assert by_version.json()["template"]["version"] == 1 and len(by_version.json()["steps"]) == 4
    assert Run.objects.count() == 2
    # A run answering a matrix row: on a place of the row's kind only, and counted by compliance.
    place, _rifles = room
    weekly = DutyRow.objects.get(place_kind__code="phong-vu-khi", frequency="weekly")
    error(
        officer.post("/inspections/runs", {**base, "items": [rifles[0].pk], "duty": weekly.pk}), 422, "invalid", "place"
    )
    error(officer.post("/inspections/runs", {**base, "place": place.pk, "duty": 999999}), 422, "invalid", "duty")
    answered = officer.post("/inspections/runs", {**base, "place": place.pk, "duty": weekly.pk})
    assert answered.status_code == 200, answered.content
    assert answered.json()["duty"] == weekly.pk and Run.objects.filter(duty=weekly).count() == 1


def test_corrective_actions_are_added_and_closed_with_what_was_done(officer, world, room, run):
    _place, rifles = room
    path = f"/inspections/runs/{run['id']}"
    officer.post(f"{path}/results", {"cells": [{"item": rifles[0].pk, "step": 1, "passed": False}]})
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    body = {"text": "Lau chùi, bôi dầu", "responsible": "Trung sĩ Lò Văn Páo", "deadline": yesterday}
    added = officer.post(f"{path}/actions", {**body, "item": rifles[0].pk, "step": 1})
    assert added.status_code == 200, added.content
    action = added.json()
    assert action["overdue"] is True and (action["item"], action["step"]) == (rifles[0].pk, 1)
    error(officer.post(f"{path}/actions", {**body, "item": rifles[1].pk, "step": 1}), 422, "invalid", "step")
    error(officer.post(f"{path}/actions", {**body, "item": rifles[1].pk}), 422, "invalid", "step")
    error(officer.post(f"{path}/actions", {**body, "deadline": None}), 422, "invalid", "deadline")
    error(officer.post(f"{path}/actions", {**body, "responsible": ""}), 422, "invalid", "responsible")
    closing = f"/inspections/actions/{action['id']}/close"
    refused = error(officer.post(closing, {"done": " "}), 422, "invalid", "done")
    assert "Lau chùi" in refused["message"]
    closed = officer.post(closing, {"done": "Đã lau chùi, bôi dầu"}).json()
    assert closed["closed_on"] == TODAY.isoformat() and closed["overdue"] is False
    error(officer.post(closing, {"done": "Lần nữa"}), 422, "invalid", "done")
    assert officer.get(path).json()["actions"] == [closed]
    listed = officer.get("/inspections/runs").json()["results"][0]
    assert (listed["items"], listed["findings"], listed["open_actions"]) == (3, 1, 0)


def test_readiness_counts_equal_the_lists(officer, world, room, run):
    _place, rifles = room
    path = f"/inspections/runs/{run['id']}"
    cells = [{"item": r.pk, "step": 2, "passed": False} for r in rifles[:2]]
    officer.post(f"{path}/results", {"cells": cells})
    officer.post(f"{path}/finish", {})
    services.record("readiness", Item.objects.get(pk=rifles[2].pk), actor=world.officer, occurred_on=TODAY,
                    details={"reason": "cho-vat-tu"})  # fmt: skip
    in_a2 = services.record_receipt(
        equipment_type=world.rifle, serial="AK-A2", unit=world.district_a2, grade=1, occurred_on=D, actor=world.officer
    ).item
    services.record("readiness", in_a2, actor=world.officer, occurred_on=TODAY, details={"reason": "cho-vat-tu"})
    for unit, expected in ((world.province_a, {"phat-hien-nghiem-trong": 2, "cho-vat-tu": 2}),
                           (world.district_a1, {"phat-hien-nghiem-trong": 2, "cho-vat-tu": 1})):  # fmt: skip
        board = officer.get("/inspections/readiness", unit=unit.code).json()
        counts = {r["code"]: r["count"] for r in board["reasons"] if r["count"]}
        assert counts == expected and board["total"] == sum(expected.values()) and board["items"] == []
        for reason in board["reasons"]:
            listed, after = [], None
            while True:
                query = {"unit": unit.code, "reason": reason["code"], "limit": 1, **({"after": after} if after else {})}
                page = officer.get("/inspections/readiness", **query).json()
                listed += page["items"]
                after = page["next"]
                if after is None:
                    break
            assert len(listed) == reason["count"] and all(i["reason"] == reason["code"] for i in listed)
    error(officer.get("/inspections/readiness", reason="khong-co"), 422, "invalid", "reason")


def test_the_runs_list_filters_pages_and_keeps_its_query_count(officer, world, room, django_assert_max_num_queries):
    _place, rifles = room
    base = {"unit": world.district_a1.code, "template": "sung-bo-binh-thuong-xuyen", "inspector": "A"}
    ids = []
    for n in range(4):
        day = (TODAY - timedelta(days=n)).isoformat()
        ids.append(
            officer.post("/inspections/runs", {**base, "items": [rifles[n % 3].pk], "inspected_on": day}).json()["id"]
        )
    officer.post(f"/inspections/runs/{ids[0]}/finish", {})
    with django_assert_max_num_queries(12):
        rows = officer.get("/inspections/runs", unit=world.province_a.code).json()
    assert [r["id"] for r in rows["results"]] == ids and rows["next"] is None
    assert rows["results"][0]["items"] == 1 and rows["results"][0]["state"] == "finished"
    assert [r["id"] for r in officer.get("/inspections/runs", state="draft").json()["results"]] == ids[1:]
    since = (TODAY - timedelta(days=1)).isoformat()
    assert [r["id"] for r in officer.get("/inspections/runs", since=since).json()["results"]] == ids[:2]
    assert [r["id"] for r in officer.get("/inspections/runs", until=since).json()["results"]] == ids[1:]
    first = officer.get("/inspections/runs", limit=3).json()
    assert first["next"] == ids[2]
    assert [r["id"] for r in officer.get("/inspections/runs", after=first["next"]).json()["results"]] == ids[3:]
    assert officer.get("/inspections/runs", unit=world.district_a2.code).json()["results"] == []


def test_a_user_of_a_sibling_unit_gets_404(officer, world, room, run):
    _place, rifles = room
    path = f"/inspections/runs/{run['id']}"
    officer.post(f"{path}/results", {"cells": [{"item": rifles[0].pk, "step": 2, "passed": False}]})
    action = officer.post(f"{path}/actions", {"text": "Sửa", "responsible": "A", "deadline": TODAY.isoformat()}).json()
    outsider = Api(world.outsider)
    error(outsider.get(path), 404, "not_found")
    error(outsider.post(f"{path}/results", {"cells": []}), 404, "not_found")
    error(outsider.post(f"{path}/finish", {}), 404, "not_found")
    error(
        outsider.post(f"{path}/actions", {"text": "x", "responsible": "x", "deadline": TODAY.isoformat()}),
        404,
        "not_found",
    )
    error(outsider.post(f"/inspections/actions/{action['id']}/close", {"done": "x"}), 404, "not_found")
    error(outsider.get("/inspections/runs", unit=world.district_a1.code), 404, "not_found")
    error(outsider.get("/inspections/readiness", unit=world.district_a1.code), 404, "not_found")
    body = {"unit": world.district_a1.code, "template": "sung-do", "inspector": "X", "items": [rifles[0].pk]}
    error(outsider.post("/inspections/runs", body), 404, "not_found")
    assert outsider.get("/inspections/runs").json()["results"] == []
    assert Run.objects.get(pk=run["id"]).state == "draft" and Run.objects.count() == 1


def test_a_run_takes_the_kits_found_and_finishing_records_them(officer, world, room, run):
    from materiel.catalog.models import KitLine
    from materiel.equipment.models import Kit

    _place, rifles = room
    box = KitLine.objects.create(equipment_type=world.rifle, name="Hộp tiếp đạn", quantity=4)
    path = f"/inspections/runs/{run['id']}"
    too_many = {"kits": [{"item": rifles[0].pk, "shortages": [{"line": box.pk, "missing": 5}]}]}
    refused = error(officer.post(f"{path}/results", too_many), 422, "invalid", "kits.0.shortages.0")
    assert "AK-0" in refused["message"] and "Hộp tiếp đạn" in refused["message"]
    error(officer.post(f"{path}/results", {"kits": [{"item": 999999}]}), 422, "invalid", "kits.0.item")
    found = {"kits": [{"item": rifles[0].pk, "shortages": [{"line": box.pk, "missing": 1}]}]}
    entered = officer.post(f"{path}/results", found)
    assert entered.status_code == 200, entered.content
    assert entered.json()["items"][0]["kit"] == [{"line": box.pk, "missing": 1, "damaged": 0}]
    done = officer.post(f"{path}/finish", {"version": entered.json()["version"]}).json()
    assert "kit" in Event.objects.filter(pk__in=done["events"]).values_list("kind", flat=True)
    assert Item.objects.get(pk=rifles[0].pk).kit == Kit.MISSING
    assert verify_ledger().ok
