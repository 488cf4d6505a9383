"""A replayed form or API call answers with its first result and writes nothing (core.idempotency)."""

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from materiel.core import idempotency
from materiel.core.models import Submission
from materiel.equipment.models import ItemMeter, Lot
from materiel.ledger import services
from materiel.ledger.models import Event, EventKind

from .test_api import Api
from .test_browser import sign_in

D = date(2021, 1, 1)
TEMPLATES = Path(__file__).resolve().parent.parent / "materiel"
# Forms that write nothing a replay could double: signing in and out, the language, the second factor.
WITHOUT_KEY = {"login.html", "base.html", "otp_verify.html"}


@pytest.fixture
def truck(world):
    return services.record_receipt(
        equipment_type=world.truck, serial="UAZ-01", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item


def meter_post(client, item, value="1700.5", key="k-meter-0001"):
    data = {"meter-occurred_on": "05/02/2025", "meter-meter": "km", "meter-value": value}
    if key:
        data[idempotency.FIELD] = key
    return client.post(reverse("web:item_action", args=[item.pk, "meter"]), data)


def readings(item) -> int:
    return Event.objects.filter(item=item, kind=EventKind.METER_READING).count()


def test_every_write_form_carries_a_key():
    forms = 0
    for template in TEMPLATES.rglob("templates/**/*.html"):
        if template.name in WITHOUT_KEY:
            continue
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", template.read_text(), re.S | re.I):
            if "data-opens-form" in form.split(">", 1)[0]:
                continue  # it writes nothing: it opens the form that writes (the bulk bar's choice)
            forms += 1
            assert "{% idempotency_key" in form, f"{template.name}: a write form without its key"
    assert forms > 15


def test_the_item_page_form_carries_a_key_that_changes_with_the_item(client, world, truck):
    client.force_login(world.officer)
    url = reverse("web:item_action", args=[truck.pk, "meter"])
    first = re.search(r'name="idempotency_key" value="(\w+)"', client.get(url).content.decode()).group(1)
    again = re.search(r'name="idempotency_key" value="(\w+)"', client.get(url).content.decode()).group(1)
    assert first == again  # drawn again before anything changed (Back, a second tab): the same key
    assert meter_post(client, truck, key=first).status_code == 302
    after = re.search(r'name="idempotency_key" value="(\w+)"', client.get(url).content.decode()).group(1)
    assert after != first  # the next reading is a new submission


def test_a_replayed_meter_reading_is_recorded_once(client, world, truck):
    client.force_login(world.officer)
    first = meter_post(client, truck)
    assert first.status_code == 302 and readings(truck) == 1
    replay = meter_post(client, truck)
    assert replay.status_code == 302 and replay["Location"] == first["Location"]
    assert replay["Idempotent-Replayed"] == "true"
    assert readings(truck) == 1
    page = client.get(replay["Location"]).content.decode()
    assert "Biểu mẫu này đã được gửi trước đó; không ghi lại lần nữa." in page
    # Without a key (an old page, a script) the form is not a replay; the same reading of the same
    # day is still refused by the ledger's rule, naming it.
    again = meter_post(client, truck, key="")
    assert again.status_code == 422 and "Chỉ số 1.700,5 ngày 05/02/2025 đã được ghi." in again.content.decode()
    assert readings(truck) == 1
    assert meter_post(client, truck, value="1800", key="").status_code == 302 and readings(truck) == 2


def test_a_refused_submission_releases_its_key_for_the_corrected_one(client, world, truck):
    client.force_login(world.officer)
    assert meter_post(client, truck, value="abc").status_code == 422
    assert readings(truck) == 0 and not Submission.objects.exists()
    assert meter_post(client, truck, value="12").status_code == 302
    assert readings(truck) == 1


def test_a_form_changed_under_its_key_is_a_new_submission(client, world, truck):
    client.force_login(world.officer)
    meter_post(client, truck, value="100")
    assert meter_post(client, truck, value="100")["Idempotent-Replayed"] == "true"
    changed = meter_post(client, truck, value="200")  # Back, another value typed: meant as new
    assert changed.status_code == 302 and not changed.has_header("Idempotent-Replayed")
    assert ItemMeter.objects.get(item=truck, meter="km").value == 200 and readings(truck) == 2


def test_keys_belong_to_their_user(client, world, truck):
    other = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-02", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    client.force_login(world.officer)
    meter_post(client, truck)
    second = Client()
    second.force_login(world.admin)
    # The same key from another person is their own: not a replay of the first one's reading (the
    # ledger then finds the reading already recorded, and says so).
    response = meter_post(second, truck)
    assert response.status_code == 422 and not response.has_header("Idempotent-Replayed")
    assert meter_post(second, truck, value="1800").status_code == 302
    assert readings(truck) == 2 and readings(other) == 0


def test_a_replay_while_the_first_is_still_answered_waits_then_says_so(client, world, truck, monkeypatch):
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    client.force_login(world.officer)
    url = reverse("web:item_action", args=[truck.pk, "meter"])
    data = {"meter-occurred_on": "05/02/2025", "meter-meter": "km", "meter-value": "1700.5"}
    # The first request with this key is still being answered: its claim is there, not its answer.
    first = RequestFactory().post(url, data)
    fingerprint = idempotency.fingerprint_of(first)
    key = "f" + hashlib.sha256(f"k-pending-01 {fingerprint}".encode()).hexdigest()[:40]
    Submission.objects.create(principal=f"u{world.officer.pk}", key=key, fingerprint=fingerprint)
    replay = client.post(url, {**data, idempotency.FIELD: "k-pending-01"})
    assert replay.status_code == 409
    assert "không ghi lại lần nữa" in replay.content.decode()
    assert readings(truck) == 0


def test_a_bad_key_is_refused_in_vietnamese(client, world, truck):
    client.force_login(world.officer)
    response = meter_post(client, truck, key="x")
    assert response.status_code == 400 and "không hợp lệ" in response.content.decode()
    assert readings(truck) == 0


def test_a_replayed_api_lot_receipt_takes_the_stock_in_once(world):
    api = Api(world.officer)
    body = {"type": "ammo", "unit": "huyen-a1", "grade": 1, "quantity": 500, "occurred_on": "2025-02-05"}
    body["type"] = world.ammo.code

    def post(key):
        return api.client.post(
            "/api/v1/lots", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **api.headers
        )

    first = post("api-key-0001")
    assert first.status_code in (200, 201), first.content
    replay = post("api-key-0001")
    assert replay.status_code == first.status_code and replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Lot.objects.get(unit=world.district_a1, equipment_type=world.ammo).quantity == 500
    changed = api.client.post(
        "/api/v1/lots",
        {**body, "quantity": 7},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="api-key-0001",
        **api.headers,
    )
    assert changed.status_code == 422 and changed.json()["field"] == "Idempotency-Key"
    assert post("api-key-0002").status_code == first.status_code  # a new key: a new receipt
    assert Lot.objects.get(unit=world.district_a1, equipment_type=world.ammo).quantity == 1000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reading_sent_again_from_a_second_tab_or_after_back_is_recorded_once(page, world, truck):
    sign_in(page)
    second = page.context.new_page()
    form_url = reverse("web:item_action", args=[truck.pk, "meter"])
    for tab in (page, second):  # the form, opened in two tabs before either is sent
        tab.goto(form_url)
        form = tab.locator("#action-meter")
        form.get_by_label("Ngày phát sinh").fill("05/02/2025")
        form.get_by_label("Đồng hồ").select_option("km")
        form.get_by_label("Chỉ số").fill("1700,5")
    page.locator("#action-meter").get_by_role("button", name="Ghi").click()
    expect(page.locator("body")).to_contain_text("Đã ghi: Ghi chỉ số đồng hồ.")
    second.locator("#action-meter").get_by_role("button", name="Ghi").click()
    expect(second.locator("body")).to_contain_text("Biểu mẫu này đã được gửi trước đó; không ghi lại lần nữa.")
    assert readings(truck) == 1
    # Back re-fetches the form page (pages are never cached) and the browser refills the form, the
    # key included: sending it again is a replay too.
    page.go_back()
    form = page.locator("#action-meter")
    expect(form.get_by_label("Chỉ số")).to_have_value("1700,5")
    form.get_by_role("button", name="Ghi").click()
    expect(page.locator("body")).to_contain_text("Biểu mẫu này đã được gửi trước đó; không ghi lại lần nữa.")
    assert readings(truck) == 1
    second.close()


def test_a_page_that_shows_a_secret_once_does_not_show_it_again_on_replay(client, world):
    client.force_login(world.officer)
    data = {"name": "Máy chủ báo cáo", idempotency.FIELD: "k-token-0001"}
    first = client.post(reverse("apikeys:tokens"), data)
    assert first.status_code == 200
    secret = re.search(r"mat_[A-Za-z0-9_-]+", first.content.decode()).group(0)
    replay = client.post(reverse("apikeys:tokens"), data)
    assert replay.status_code == 409 and secret not in replay.content.decode()
    assert "không ghi lại lần nữa" in replay.content.decode()
    assert secret.encode() not in b"".join(bytes(s.body) for s in Submission.objects.all())
