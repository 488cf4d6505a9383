"""The REST API: every route's success, validation error, permission refusal and scope; tokens; conflicts."""

import re
import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from materiel.accounts.models import Role
from materiel.api.models import ApiToken
from materiel.api.tokens import issue_token
from materiel.equipment.models import Item
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.ledger.verify import verify_ledger

from .factories import make_user

D = date(2021, 1, 1)


class Api:
    """A client carrying a personal token, with JSON helpers."""

    def __init__(self, user, client=None):
        self.client = client or Client()
        _token, plain = issue_token(user, name="thử nghiệm")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}

    def get(self, path, **query):
        return self.client.get("/api/v1" + path, query, **self.headers)

    def post(self, path, body):
        return self.client.post("/api/v1" + path, body, content_type="application/json", **self.headers)


@pytest.fixture
def stock(world):
    rifle = services.record_receipt(
        equipment_type=world.rifle,
        serial="AK-0001",
        unit=world.district_a1,
        grade=2,
        occurred_on=D,
        actor=world.officer,
    ).item
    truck = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-01", unit=world.district_a2, grade=1, occurred_on=D, actor=world.officer
    ).item
    lot = services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=world.district_a1,
        grade=1,
        quantity=900,
        occurred_on=D,
        actor=world.officer,
        lot_number="L1",
    ).lot
    secret = services.record_receipt(
        equipment_type=world.rifle, serial="AK-B", unit=world.post_b1, grade=1, occurred_on=D, actor=world.outsider
    ).item
    return rifle, truck, lot, secret


@pytest.fixture
def officer(world):
    return Api(world.officer)


@pytest.fixture
def commander(world):
    return Api(world.commander)


def error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"], body
    if field:
        assert body["field"] == field, body
    return body


def test_without_a_token_the_api_answers_401_and_a_revoked_or_expired_token_too(world, stock):
    error(Client().get("/api/v1/items"), 401, "unauthenticated")
    error(Client().get("/api/v1/items", HTTP_AUTHORIZATION="Bearer mat_abcd_wrong"), 401, "unauthenticated")
    token, plain = issue_token(world.officer, name="tạm")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert Client().get("/api/v1/items", **headers).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    error(Client().get("/api/v1/items", **headers), 401, "unauthenticated")
    ApiToken.objects.filter(pk=token.pk).update(expires_on=None, revoked_at=timezone.now())
    error(Client().get("/api/v1/items", **headers), 401, "unauthenticated")


def test_tokens_are_stored_hashed_and_shown_once_on_the_page(client, world):
    client.force_login(world.officer)
    response = client.post("/khoa-api/", {"name": "Hệ thống hậu cần"})
    plain = response.context["plain"]
    assert plain.startswith("mat_") and plain in response.content.decode()
    token = ApiToken.objects.get()
    assert plain not in (token.digest, token.prefix) and len(token.digest) == 64
    assert plain not in client.get("/khoa-api/").content.decode()
    client.post(f"/khoa-api/{token.pk}/thu-hoi/")
    assert ApiToken.objects.get().revoked_at is not None


def test_the_browser_session_works_and_writes_need_the_csrf_token(world, stock):
    rifle = stock[0]
    session = Client(enforce_csrf_checks=True)
    session.force_login(world.officer)
    assert session.get("/api/v1/items").status_code == 200
    body = {"occurred_on": "2025-02-05", "version": rifle.version, "holder": "Lò Văn Páo"}
    response = session.post(f"/api/v1/items/{rifle.pk}/issue", body, content_type="application/json")
    assert response.status_code in (401, 403)


def test_units_and_catalogue(officer, stock, world):
    codes = [u["code"] for u in officer.get("/units").json()]
    assert codes == ["tinh-a", "huyen-a1", "xa-a1", "huyen-a2"]
    assert officer.get("/units/huyen-a1").json()["parent"] == "tinh-a"
    error(officer.get("/units/tinh-b"), 404, "not_found")
    assert [u["code"] for u in officer.get("/units", under="huyen-a1").json()] == ["huyen-a1", "xa-a1"]
    assert {c["code"] for c in officer.get("/categories").json()} == {"vkbb", "xe", "dan"}
    assert officer.get("/types", category="xe").json()[0]["meters"] == ["km", "engine_hours"]
    assert officer.get("/authorized-holdings").status_code == 200
    error(officer.get("/authorized-holdings", unit="don-b1"), 404, "not_found")


def test_items_list_filters_search_and_keyset_pages(officer, stock, world):
    rows = officer.get("/items").json()
    assert {i["serial"] for i in rows["results"]} == {"AK-0001", "UAZ-01"} and rows["next"] is None
    assert [i["serial"] for i in officer.get("/items", q="xe uoat").json()["results"]] == ["UAZ-01"]
    assert [i["serial"] for i in officer.get("/items", grade=2).json()["results"]] == ["AK-0001"]
    assert officer.get("/items", unit="huyen-a2").json()["results"][0]["unit"] == "huyen-a2"
    first = officer.get("/items", limit=1).json()
    second = officer.get("/items", limit=1, after=first["next"]).json()
    assert first["next"] and second["next"] is None
    assert {first["results"][0]["serial"], second["results"][0]["serial"]} == {"AK-0001", "UAZ-01"}
    assert error(officer.get("/items", grade="cao"), 422, "invalid", "grade")["message"].endswith("phải là số nguyên.")
    error(officer.get("/items", unit="tinh-b"), 404, "not_found")


def test_item_detail_history_and_past_day(officer, stock, world):
    rifle = stock[0]
    services.record_grade_change(rifle, grade=4, reason="KT", occurred_on=date(2023, 1, 1), actor=world.officer)
    detail = officer.get(f"/items/{rifle.pk}").json()
    assert detail["grade"] == 4 and detail["version"] == 2
    history = officer.get(f"/items/{rifle.pk}/history").json()
    assert [e["kind"] for e in history] == ["receipt", "grade_change"] and history[1]["recorded_by"] == "tlkt-a"
    past = officer.get("/items", on="2022-01-01", grade=2).json()["results"]
    assert [(i["serial"], i["grade"]) for i in past] == [("AK-0001", 2)]
    error(officer.get(f"/items/{stock[3].pk}"), 404, "not_found")


def test_recording_each_item_event_kind(officer, stock, world):
    rifle, truck = stock[0], stock[1]
    created = officer.post(
        "/items", {"type": "ak47", "serial": "AK-NEW", "unit": "huyen-a1", "grade": 1, "occurred_on": "2024-05-01"}
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    day = "2025-02-05"
    v = rifle.version
    r = officer.post(f"/items/{rifle.pk}/issue", {"occurred_on": day, "version": v, "holder": "Lò Văn Páo"}).json()
    r = officer.post(f"/items/{rifle.pk}/return", {"occurred_on": day, "version": r["version"]}).json()
    r = officer.post(
        f"/items/{rifle.pk}/grade", {"occurred_on": day, "version": r["version"], "grade": 3, "reason": "Kiểm tra"}
    ).json()
    r = officer.post(
        f"/items/{rifle.pk}/status", {"occurred_on": day, "version": r["version"], "kind": "repair_start"}
    ).json()
    r = officer.post(
        f"/items/{rifle.pk}/status", {"occurred_on": day, "version": r["version"], "kind": "repair_end", "grade": 2}
    ).json()
    r = officer.post(
        f"/items/{rifle.pk}/transfer",
        {"occurred_on": day, "version": r["version"], "to_unit": "huyen-a2", "document_number": "7/BBBG"},
    ).json()
    assert (r["unit"], r["grade"], r["status"]) == ("huyen-a2", 2, "in_service")
    t = officer.post(
        f"/items/{truck.pk}/meter", {"occurred_on": day, "version": truck.version, "meter": "km", "value": "12.500"}
    ).json()
    assert t["meters"] == {"km": "12500.0"}
    assert verify_ledger().ok


def test_item_write_errors_have_a_code_a_vietnamese_message_and_a_field(officer, commander, stock, world):
    rifle = stock[0]
    day = "2025-02-05"
    body = {"occurred_on": day, "version": rifle.version, "to_unit": "huyen-a2", "document_number": ""}
    assert (
        "biên bản"
        in error(officer.post(f"/items/{rifle.pk}/transfer", body), 422, "invalid", "document_number")["message"]
    )
    error(officer.post(f"/items/{rifle.pk}/transfer", {"occurred_on": day}), 422, "invalid", "version")
    error(officer.post(f"/items/{rifle.pk}/transfer", {**body, "document_number": "1", "version": 99}), 409, "conflict")
    # Outside the scope and the handover policy: refused with the reason, the same for a code that
    # names no unit at all (the answer does not confirm what exists outside the scope).
    for code in ("don-b1", "khong-co"):
        refused = error(
            officer.post(f"/items/{rifle.pk}/transfer", {**body, "document_number": "1", "to_unit": code}),
            403,
            "forbidden",
        )
        assert f"không được bàn giao cho đơn vị “{code}”" in refused["message"]
    grade = {"occurred_on": day, "version": rifle.version, "grade": 3, "reason": "KT"}
    assert "không được phép" in error(commander.post(f"/items/{rifle.pk}/grade", grade), 403, "forbidden")["message"]
    error(
        officer.post(
            "/items", {"type": "ak47", "serial": "AK-0001", "unit": "huyen-a1", "grade": 1, "occurred_on": "2024-01-01"}
        ),
        422,
        "invalid",
        "serial",
    )
    bad_json = officer.client.post("/api/v1/items", "{not json", content_type="application/json", **officer.headers)
    assert bad_json.status_code in (400, 422) and bad_json.json()["code"] in ("bad_request", "invalid")
    assert Item.objects.get(pk=rifle.pk).version == rifle.version


def test_lots_and_their_events(officer, commander, stock, world):
    lot = stock[2]
    assert officer.get("/lots").json()["results"][0]["quantity"] == 900
    assert officer.get(f"/lots/{lot.pk}").json()["lot_number"] == "L1"
    created = officer.post(
        "/lots", {"type": "dan762", "unit": "huyen-a2", "grade": 1, "quantity": 100, "occurred_on": "2024-01-01"}
    )
    assert created.status_code == 201
    day = "2025-02-05"
    r = officer.post(
        f"/lots/{lot.pk}/issue", {"occurred_on": day, "version": lot.version, "quantity": 100, "reason": "Bắn đạn thật"}
    ).json()
    r = officer.post(
        f"/lots/{lot.pk}/transfer",
        {
            "occurred_on": day,
            "version": r["version"],
            "quantity": 300,
            "to_unit": "huyen-a2",
            "document_number": "3/BB",
        },
    ).json()
    r = officer.post(
        f"/lots/{lot.pk}/regrade",
        {"occurred_on": day, "version": r["version"], "quantity": 50, "grade": 3, "reason": "KT"},
    ).json()
    assert r["quantity"] == 450
    error(
        officer.post(
            f"/lots/{lot.pk}/issue", {"occurred_on": day, "version": r["version"], "quantity": 5000, "reason": "x"}
        ),
        422,
        "invalid",
        "quantity",
    )
    error(
        officer.post(f"/lots/{lot.pk}/issue", {"occurred_on": day, "version": 1, "quantity": 1, "reason": "x"}),
        409,
        "conflict",
    )
    error(
        commander.post(
            f"/lots/{lot.pk}/issue", {"occurred_on": day, "version": r["version"], "quantity": 1, "reason": "x"}
        ),
        403,
        "forbidden",
    )
    assert verify_ledger().ok


def test_events_listing_detail_and_reversal(officer, commander, stock, world):
    rifle = stock[0]
    events = officer.get("/events", kind="receipt").json()["results"]
    assert {e["kind"] for e in events} == {"receipt"} and len(events) == 2
    assert len(officer.get("/events").json()["results"]) == 3  # two receipts and a lot receipt in province A
    receipt = Event.objects.get(item=rifle)
    assert officer.get(f"/events/{receipt.pk}").json()["item"] == rifle.pk
    error(commander.post(f"/events/{receipt.pk}/reverse", {"reason": "nhầm"}), 403, "forbidden")
    error(officer.post(f"/events/{receipt.pk}/reverse", {"reason": ""}), 422, "invalid", "reason")
    reversal = officer.post(f"/events/{receipt.pk}/reverse", {"reason": "Nhập trùng"}).json()
    assert reversal[0]["kind"] == "reversal" and reversal[0]["reverses"] == receipt.pk
    assert officer.get(f"/events/{receipt.pk}").json()["reversed"] is True
    error(officer.get(f"/events/{Event.objects.get(item=stock[3]).pk}"), 404, "not_found")


def test_coefficients_and_rollups_now_and_on_a_past_day(officer, stock, world):
    now = officer.get("/coefficients").json()
    assert now["unit"] == "tinh-a" and now["grades"]["1"] == 1 and now["grades"]["2"] == 1
    assert now["coefficient"] == "100.0" and {c["unit"] for c in now["children"]} == {"huyen-a1", "huyen-a2"}
    assert officer.get("/coefficients", on="2020-01-01").json()["grades"]["2"] == 0
    cells = officer.get("/rollups", unit="huyen-a1").json()
    assert {
        "type": "dan762",
        "grade": 1,
        "status": "in_service",
        "quantity": 900,
        "kit_damaged": 0,
        "kit_missing": 0,
    } in cells
    assert officer.get("/rollups", unit="huyen-a1", on="2020-06-01").json() == []
    error(officer.get("/coefficients", unit="tinh-b"), 404, "not_found")
    error(officer.get("/coefficients", on="hôm qua"), 422, "invalid", "on")


def test_docs_and_schema_are_served_locally_to_signed_in_users(client, world):
    assert client.get("/api/v1/docs").status_code == 302
    client.force_login(world.officer)
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    # Every asset from this server: no address with a host of its own (the word "cdn" alone can
    # turn up inside the page's random CSRF token, as it once did in CI).
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/items/{item_id}/transfer" in schema["paths"]


@pytest.mark.django_db(transaction=True)
def test_two_clients_recording_conflicting_changes_one_wins_the_other_gets_409(world):
    rifle = services.record_receipt(
        equipment_type=world.rifle,
        serial="AK-RACE",
        unit=world.district_a1,
        grade=2,
        occurred_on=D,
        actor=world.officer,
    ).item
    second_officer = make_user("tlkt-a-2", world.province_a, Role.TECHNICAL_OFFICER)
    clients = [Api(world.officer), Api(second_officer)]
    bodies = [
        ("/transfer", {"to_unit": "huyen-a2", "document_number": "1/BB"}),
        ("/grade", {"grade": 4, "reason": "Kiểm tra"}),
    ]
    start = threading.Barrier(2)
    statuses = []

    def record(api, suffix, extra):
        start.wait()
        try:
            response = api.post(
                f"/items/{rifle.pk}{suffix}", {"occurred_on": "2025-02-05", "version": rifle.version, **extra}
            )
            statuses.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported below, a thread cannot raise into the test
            statuses.append(repr(exc))
        finally:
            connection.close()  # each thread's own connection; left open it blocks dropping the test database

    threads = [threading.Thread(target=record, args=(api, *body)) for api, body in zip(clients, bodies, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [200, 409]
    assert Item.objects.get(pk=rifle.pk).version == rifle.version + 1
    assert verify_ledger().ok


def test_a_nul_character_in_a_json_body_is_refused_with_400(officer, stock):
    raw = '{"type": "ak\\u0000", "serial": "X", "unit": "huyen-a1", "grade": 1, "occurred_on": "2024-01-01"}'
    response = officer.client.post("/api/v1/items", raw, content_type="application/json", **officer.headers)
    error(response, 400, "bad_request")


def test_a_body_over_the_upload_limit_is_refused_as_json_not_an_html_page(officer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = '{"cells": [' + ",".join(['{"item": 1, "step": 1, "passed": false}'] * 100) + "]}"
    response = officer.client.post(
        "/api/v1/inspections/runs/1/results", raw, content_type="application/json", **officer.headers
    )
    assert response["Content-Type"] == "application/json"
    assert error(response, 400, "bad_request")["field"] == "body"


def _schema_classes(base):
    for cls in base.__subclasses__():
        yield cls
        yield from _schema_classes(cls)


def test_every_api_schema_has_its_own_name():
    """The OpenAPI components are keyed by class name: two routers with a `ProposalOut` each would
    publish one of them under both, and a client validating against the schema would be told lies."""
    import importlib
    import pkgutil

    from ninja import Schema

    import materiel.api.routers

    for module in pkgutil.iter_modules(materiel.api.routers.__path__):
        importlib.import_module(f"materiel.api.routers.{module.name}")
    names: dict[str, list[str]] = {}
    for cls in set(_schema_classes(Schema)):
        if cls.__module__.startswith("materiel."):
            names.setdefault(cls.__name__, []).append(cls.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
