"""Only the actions the role and the item's state allow are offered: item page, bulk bar, API docs."""

import re
from datetime import date

import pytest
from django.urls import reverse

from materiel.accounts.models import Role
from materiel.ledger import services
from materiel.ledger.models import Event

from .factories import make_user

D = date(2021, 1, 1)


@pytest.fixture
def rifle(world):
    return services.record_receipt(
        equipment_type=world.rifle, serial="AK-R01", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item


def offered(client, item) -> set[str]:
    page = client.get(reverse("web:item", args=[item.pk])).content.decode()
    return set(re.findall(r'<details id="action-([a-z_]+)"', page))


def test_the_commander_who_reads_is_offered_no_action(client, world, rifle):
    client.force_login(world.commander)
    page = client.get(reverse("web:item", args=[rifle.pk])).content.decode()
    assert offered(client, rifle) == set()
    assert 'data-testid="actions"' not in page and "Hủy (ghi nhầm)" not in page
    assert client.get(reverse("web:item_action", args=[rifle.pk, "grade"])).status_code == 403
    response = client.post(reverse("web:item_action", args=[rifle.pk, "grade"]), {"grade-grade": 1})
    assert response.status_code == 403 and "Vai trò của bạn không được phép" in response.content.decode()
    register = client.get(reverse("web:register"), {"unit": world.district_a1.code}).content.decode()
    assert 'id="bulk"' not in register  # no bulk bar


def test_each_role_is_offered_what_it_may_record(client, world, rifle):
    client.force_login(world.officer)
    officer = offered(client, rifle)
    assert {"transfer", "grade", "issue", "repair_start", "seal"} <= officer
    assert "return" not in officer  # the state: nobody holds it
    assert "meter" in officer  # the rifle's type counts rounds
    keeper = make_user("thukho", world.province_a, Role.DEPOT_KEEPER)
    client.force_login(keeper)
    kept = offered(client, rifle)
    assert "transfer" not in kept and "grade" not in kept and "issue" in kept
    inspector = make_user("kiemtra", world.province_a, Role.INSPECTOR)
    client.force_login(inspector)
    assert offered(client, rifle) == {"grade"}


def test_a_type_without_meters_offers_no_reading(client, world):
    world.truck.meters = []
    world.truck.save()
    truck = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-9", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    client.force_login(world.officer)
    assert "meter" not in offered(client, truck)


def test_the_api_docs_list_what_the_reader_may_call(client, world):
    client.force_login(world.officer)
    schema = client.get("/api/v1/openapi.json").json()
    transfer = schema["paths"]["/api/v1/items/{item_id}/transfer"]["post"]
    assert "Vai trò được phép: Trợ lý kỹ thuật, Quản trị hệ thống." in transfer["description"]
    client.force_login(world.commander)
    schema = client.get("/api/v1/openapi.json").json()
    writes = [(path, method) for path, ops in schema["paths"].items() for method in ops if method != "get"]
    # The commander writes nothing but the approval of a unit's count sheet (or sending it back).
    assert writes == [
        ("/api/v1/counts/sheets/{sheet_id}/unit-approval", "post"),
        ("/api/v1/counts/sheets/{sheet_id}/unit-return", "post"),
    ]
    assert "/api/v1/items" in schema["paths"] and "get" in schema["paths"]["/api/v1/items"]
    inspector = make_user("kiemtra", world.province_a, Role.INSPECTOR)
    client.force_login(inspector)
    schema = client.get("/api/v1/openapi.json").json()
    writes = {path for path, ops in schema["paths"].items() for method in ops if method != "get"}
    # The higher technical organ grades and inspects: its writes are grading and the inspections.
    inspecting = {path for path in writes if path.startswith("/api/v1/inspections/")}
    assert writes - inspecting == {"/api/v1/items/{item_id}/grade", "/api/v1/lots/{lot_id}/regrade"}
    assert {"/api/v1/inspections/runs", "/api/v1/inspections/runs/{run_id}/finish"} <= inspecting
    assert Event.objects.count() == 0
