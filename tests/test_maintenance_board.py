"""The due board: its counts per child unit equal the rows their links open, its filters, its XLSX
and its print, the same rows through the API, the plan pages and the maintenance form."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from materiel.accounts.models import User
from materiel.demo import seed as demo
from materiel.ledger import services
from materiel.ledger.verify import verify_ledger
from materiel.maintenance import board
from materiel.maintenance.models import DueState, MaintenancePlan
from materiel.maintenance.services import save_plan
from materiel.units.models import Unit

from .test_api import Api

TODAY = timezone.localdate()
LONG_AGO = TODAY - timedelta(days=400)


@pytest.fixture
def fleet(world):
    """Five trucks in three units of province A, one in province B; a level-1 plan by km or 180
    days and a yearly run-up of sealed vehicles. Meter readings make every state appear."""
    plan = save_plan(
        actor=world.officer, equipment_type=world.truck, name="Bảo dưỡng cấp 1", every_km=Decimal(5000),
        every_days=180, statuses=["in_service"], starts_on=TODAY - timedelta(days=170),
    )  # fmt: skip
    save_plan(
        actor=world.officer, equipment_type=world.truck, name="Nổ máy xe niêm cất", every_days=365,
        statuses=["sealed"], starts_on=LONG_AGO,
    )  # fmt: skip
    trucks = {}
    for serial, unit, km in [
        ("XE-A1-1", world.district_a1, 1000),  # ok by km; due soon by the calendar (170 of 180 days)
        ("XE-A1-2", world.district_a1, 5200),  # due by km
        ("XE-A2-1", world.district_a2, 6000),  # overdue by km (past 5 500)
        ("XE-XA-1", world.commune_a1, 300),
        ("XE-TINH", world.province_a, 4600),  # held by the province itself: due soon by km
        ("XE-B-1", world.post_b1, 9000),
    ]:
        actor = world.outsider if unit == world.post_b1 else world.officer
        item = services.record_receipt(
            equipment_type=world.truck, serial=serial, unit=unit, grade=2, occurred_on=LONG_AGO, actor=actor
        ).item
        services.record_meter_reading(item, meter="km", value=0, occurred_on=LONG_AGO, actor=actor)
        services.record_meter_reading(item, meter="km", value=km, occurred_on=TODAY, actor=actor)
        trucks[serial] = item
    return plan, trucks


def page_of(client, user, **query):
    client.force_login(user)
    return client.get("/bao-duong/", query)


def serials_on(html: str) -> list[str]:
    return sorted(set(re.findall(r"XE-[A-Z0-9-]+", html)))


def test_the_board_lists_every_state_of_the_subtree_and_nothing_of_another(client, world, fleet):
    response = page_of(client, world.officer)
    assert response.status_code == 200
    html = response.content.decode()
    assert "XE-B-1" not in html
    shown = {serial: state for state, serial in re.findall(
        r'<tr data-state="(\w+)"><td>[^<]*</td>\s*<td><a href="[^"]+">(XE-[A-Z0-9-]+)', html
    )}  # fmt: skip
    rows = {r.item.serial: r.state for r in board.board_rows(world.officer, world.province_a, {})}
    assert rows == {"XE-A1-1": "soon", "XE-A1-2": "due", "XE-A2-1": "overdue", "XE-XA-1": "soon", "XE-TINH": "soon"}
    assert shown == rows
    assert html.index("XE-A2-1") < html.index("XE-A1-2") < html.index("XE-TINH")  # the most urgent first


def test_every_count_links_to_exactly_the_rows_it_counts(client, world, fleet):
    html = unescape(page_of(client, world.officer).content.decode())
    table = html[
        html.index('data-testid="due-counts"') : html.index("</table>", html.index('data-testid="due-counts"'))
    ]
    links = re.findall(r'<a href="(\?[^"]+)" data-count="(\d+)"', table)
    assert len(links) >= 10
    for url, count in links:
        opened = client.get("/bao-duong/" + url).content.decode()
        shown = int(re.search(r'data-testid="count">(\d+)', opened).group(1))
        assert shown == int(count), url
        assert opened.count("<tr data-state=") == int(count), url
    assert "trực tiếp quản lý" in table  # the province's own truck has its row, so the rows add up


def test_the_filters_narrow_the_list(client, world, fleet):
    plan, _trucks = fleet
    assert serials_on(page_of(client, world.officer, state="overdue").content.decode()) == ["XE-A2-1"]
    only_a1 = page_of(client, world.officer, unit=world.district_a1.code, plan=plan.pk).content.decode()
    assert "XE-A1-1" in only_a1 and "XE-A1-2" in only_a1 and "XE-A2-1" not in only_a1
    assert "XE-A2" not in page_of(client, world.officer, category="xe", state="due").content.decode()
    assert page_of(client, world.officer, unit=world.province_b.code).status_code == 404


def test_sealing_a_truck_moves_it_to_the_run_up_plan(client, world, fleet):
    _plan, trucks = fleet
    services.record_seal(trucks["XE-XA-1"], occurred_on=TODAY, actor=world.officer)
    rows = board.board_rows(world.officer, world.commune_a1, {})
    assert [(r.item.serial, r.plan.name) for r in rows] == [("XE-XA-1", "Nổ máy xe niêm cất")]


def test_the_export_is_a_readable_workbook_of_the_same_rows(client, world, fleet):
    client.force_login(world.officer)
    response = client.get("/bao-duong/", {"format": "xlsx", "state": "soon"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.title == "Hạn bảo dưỡng"
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "BẢNG THEO DÕI HẠN BẢO DƯỠNG"
    header = next(i for i, row in enumerate(values) if row[0] == "TT")
    data = values[header + 1 :]
    assert sorted(r[3] for r in data) == ["XE-A1-1", "XE-TINH", "XE-XA-1"]
    assert {r[5] for r in data} == {"Sắp đến hạn"}
    assert any("Trạng thái: Sắp đến hạn" in str(row[0]) for row in values[:header])


def test_the_print_has_the_letterhead_and_every_row(client, world, fleet):
    client.force_login(world.officer)
    html = client.get("/bao-duong/ban-in/", {"state": "due"}).content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Bảng theo dõi hạn bảo dưỡng" in html
    assert serials_on(html) == ["XE-A1-2"] and "Cộng: 1 dòng" in html


def test_the_api_returns_the_boards_rows(world, fleet):
    api = Api(world.officer)
    response = api.get("/maintenance/due")
    assert response.status_code == 200
    got = {(r["serial"], r["state"]) for r in response.json()["results"]}
    expected = {(r.item.serial, r.state) for r in board.board_rows(world.officer, world.province_a, {})}
    assert got == expected and len(got) == 5
    overdue = api.get("/maintenance/due", state="overdue", unit=world.district_a2.code).json()["results"]
    assert [(r["serial"], r["trigger"]) for r in overdue] == [("XE-A2-1", "km")]
    assert api.get("/maintenance/due", unit=world.province_b.code).status_code == 404
    assert Api(world.outsider).get("/maintenance/due").json()["results"][0]["serial"] == "XE-B-1"
    plans = api.get("/maintenance/plans", type="uaz").json()
    assert [p["name"] for p in plans] == ["Bảo dưỡng cấp 1", "Nổ máy xe niêm cất"]


def test_recording_through_the_api_clears_the_row(world, fleet):
    plan, trucks = fleet
    api = Api(world.officer)
    item = trucks["XE-A2-1"]
    response = api.post(f"/items/{item.pk}/maintenance", {"plan": plan.pk, "occurred_on": TODAY.isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "maintenance_done" and response.json()["details"] == {"plan": plan.pk}
    row = next(r for r in api.get("/maintenance/due").json()["results"] if r["serial"] == "XE-A2-1")
    assert row["state"] == "ok" and row["last_done_on"] == TODAY.isoformat()
    assert Api(world.commander).post(
        f"/items/{item.pk}/maintenance", {"plan": plan.pk, "occurred_on": TODAY.isoformat()}
    ).status_code == 403  # fmt: skip
    assert Api(world.outsider).post(
        f"/items/{item.pk}/maintenance", {"plan": plan.pk, "occurred_on": TODAY.isoformat()}
    ).status_code == 404  # fmt: skip


def test_the_maintenance_form_records_and_returns_to_the_board(client, world, fleet):
    plan, trucks = fleet
    item = trucks["XE-A1-2"]
    client.force_login(world.officer)
    form = client.get(f"/bao-duong/trang-bi/{item.pk}/ghi/", {"plan": plan.pk})
    assert form.status_code == 200 and "Ghi bảo dưỡng xong" in form.content.decode()
    refused = client.post(
        f"/bao-duong/trang-bi/{item.pk}/ghi/",
        {"plan": plan.pk, "occurred_on": (TODAY + timedelta(days=3)).strftime("%d/%m/%Y")},
    )
    assert refused.status_code == 422 and "ở tương lai" in refused.content.decode()
    done = client.post(
        f"/bao-duong/trang-bi/{item.pk}/ghi/?back=%3Funit%3Dhuyen-a1",
        {"plan": plan.pk, "occurred_on": TODAY.strftime("%d/%m/%Y")},
    )
    assert done.status_code == 302 and done["Location"] == "/bao-duong/?unit=huyen-a1"
    item.refresh_from_db()
    assert set(DueState.objects.filter(item=item).values_list("item_version", flat=True)) == {item.version}
    rows = {r.item.serial: r.state for r in board.board_rows(world.officer, world.district_a1, {})}
    assert rows["XE-A1-2"] == "ok"
    client.force_login(world.commander)
    assert client.get(f"/bao-duong/trang-bi/{item.pk}/ghi/").status_code == 403


def test_plans_are_listed_for_all_and_edited_by_catalogue_managers(client, world, fleet):
    plan, _trucks = fleet
    client.force_login(world.commander)
    listing = client.get("/danh-muc/bao-duong/").content.decode()
    assert "Bảo dưỡng cấp 1" in listing and "5.000 km hoặc 180 ngày" in listing
    assert client.get("/danh-muc/bao-duong/them/").status_code == 403
    client.force_login(world.officer)
    created = client.post(
        "/danh-muc/bao-duong/them/",
        {
            "equipment_type": world.truck.pk,
            "name": "Bảo dưỡng cấp 2",
            "every_km": "20.000",
            "every_engine_hours": "",
            "every_rounds": "",
            "every_days": "730",
            "tolerance_percent": "10",
            "statuses": ["in_service"],
            "labour_hours": "16,5",
            "steps": "Thay dầu máy\nKiểm tra phanh",
            "starts_on": TODAY.strftime("%d/%m/%Y"),
        },
    )
    assert created.status_code == 302
    level2 = MaintenancePlan.objects.get(name="Bảo dưỡng cấp 2")
    assert level2.every_km == 20000 and level2.labour_hours == Decimal("16.5")
    assert level2.step_list() == ["Thay dầu máy", "Kiểm tra phanh"]
    refused = client.post(
        "/danh-muc/bao-duong/them/",
        {"equipment_type": world.rifle.pk, "name": "Sai", "every_km": "100", "statuses": ["in_service"],
         "tolerance_percent": "10", "starts_on": TODAY.strftime("%d/%m/%Y")},
    )  # fmt: skip
    assert refused.status_code == 422 and "không theo dõi số km" in refused.content.decode()
    edit = client.get(f"/danh-muc/bao-duong/{plan.pk}/")
    assert edit.status_code == 200 and 'value="5000"' in edit.content.decode()


def test_the_demo_has_example_plans_and_a_board_in_every_state(db):
    demo.seed(items=600, seed=5, progress=lambda _text: None, today=TODAY)
    assert MaintenancePlan.objects.filter(name="Nổ máy, chạy thử xe niêm cất").exists()
    root = Unit.objects.get(parent__isnull=True)
    admin = User.objects.create_superuser("qt-demo", password="mat-khau-thu-nghiem")
    states = {row.state for row in board.board_rows(admin, root, {})}
    assert {"ok", "soon", "overdue"} <= states
    assert DueState.objects.count() > 0
    assert verify_ledger().ok


def test_the_item_page_shows_its_plans_and_names_the_plan_in_its_history(client, world, fleet):
    plan, trucks = fleet
    item = trucks["XE-A2-1"]
    client.force_login(world.officer)
    html = client.get(f"/trang-bi/{item.pk}/").content.decode()
    section = html[html.index('data-testid="item-due"') :]
    assert "Bảo dưỡng cấp 1" in section and "Quá hạn" in section
    client.post(
        f"/bao-duong/trang-bi/{item.pk}/ghi/",
        {"plan": plan.pk, "occurred_on": TODAY.strftime("%d/%m/%Y"), "note": "Thay dầu, lọc dầu"},
    )
    html = client.get(f"/trang-bi/{item.pk}/").content.decode()
    history = html[html.index('data-testid="history"') :]
    assert "Bảo dưỡng xong" in history and "Bảo dưỡng cấp 1" in history and "Thay dầu, lọc dầu" in history
    assert "Bình thường" in html[html.index('data-testid="item-due"') :]


def test_the_board_reads_the_same_number_of_queries_for_more_rows(client, world, fleet):
    def queries() -> int:
        page_of(client, world.officer)  # rebuilds what is stale
        with CaptureQueriesContext(connection) as captured:
            assert page_of(client, world.officer).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        services.record_receipt(
            equipment_type=world.truck, serial=f"XE-THEM-{n}", unit=world.district_a2, grade=2, occurred_on=LONG_AGO,
            actor=world.officer,
        )  # fmt: skip
    assert queries() == few
