"""Depot condition logs (sổ theo dõi kho): lines checked against the thresholds of the place's kind,
the alarms they raise on the dashboard until acknowledged, a month typed in from the paper book (all
of it or nothing), the print, the API, and who may see and write what."""

from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from materiel.core.errors import DomainError
from materiel.core.records import AppendOnlyError
from materiel.storage import depot_log
from materiel.storage import services as storage
from materiel.storage.models import Acknowledgement, ConditionThreshold, DepotReading, PlaceKind

from .test_api import Api

NOW = timezone.localtime()
# Last month: every day of it is in the past, whatever today is.
MONTH = (NOW.date().replace(day=1) - timedelta(days=1)).replace(day=1)


def at(day, hour=7, minute=30):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def stores(world):
    """An optics store (with the example thresholds) in district A1, a weapon room (no thresholds)
    in A1, and a store in district A2."""
    kinds = {k.code: k for k in PlaceKind.objects.all()}
    made = {}
    for code, unit, kind in [
        ("QH", world.district_a1, "kho-quang-dien-tu"),
        ("PVK", world.district_a1, "phong-vu-khi"),
        ("K2", world.district_a2, "kho"),
    ]:
        made[code] = storage.save_place(
            actor=world.officer,
            unit=unit,
            kind=kinds[kind],
            code=code,
            name=f"Nơi {code}",
            responsible="Thượng sĩ Lò Văn A",
        )
    return made


def line(day, **values):
    return depot_log.Line(taken_at=at(day, values.pop("hour", 7)), checked_by=values.pop("by", "Lò Văn A"), **values)


def test_the_example_thresholds_are_data_labelled_as_an_example(db):
    rows = {t.measure: t for t in ConditionThreshold.objects.filter(kind__code="kho-quang-dien-tu")}
    assert (rows["temperature"].low, rows["temperature"].high) == (Decimal(20), Decimal(25))
    assert (rows["humidity"].low, rows["humidity"].high) == (Decimal(45), Decimal(85))
    assert rows["temperature"].note.startswith("Ví dụ")


def test_a_line_out_of_range_carries_its_alarm_and_one_in_range_none(world, stores):
    ok, hot = depot_log.record(
        stores["QH"],
        [
            line(MONTH, temperature=Decimal("22.0"), humidity=Decimal("60"), fire_ok=True, seals_ok=True),
            line(MONTH, hour=15, temperature=Decimal("27.5"), humidity=Decimal("90"), seals_ok=False),
        ],
        actor=world.officer,
    )
    assert ok.alarm == ""
    assert hot.alarm == (
        "Nhiệt độ 27,5 °C ngoài ngưỡng 20,0–25,0 °C; Độ ẩm 90,0 % ngoài ngưỡng 45,0–85,0 %; Khóa, niêm phong không đạt"
    )
    # A weapon room has no temperature range: only the checks raise alarms there.
    (room,) = depot_log.record(stores["PVK"], [line(MONTH, temperature=Decimal("35"))], actor=world.officer)
    assert room.alarm == ""
    # A later change of the thresholds does not rewrite what the log said.
    ConditionThreshold.objects.filter(kind__code="kho-quang-dien-tu", measure="temperature").update(high=30)
    assert DepotReading.objects.get(pk=hot.pk).alarm.startswith("Nhiệt độ 27,5")


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"temperature": Decimal("500")}, "temperature", "Nhiệt độ (°C) 500,0 không hợp lệ"),
        ({"humidity": Decimal("101")}, "humidity", "Độ ẩm (%) 101,0 không hợp lệ"),
        ({"by": " ", "temperature": Decimal("20")}, "checked_by", "Chưa nhập người kiểm tra"),
        ({}, "temperature", "Chưa ghi chỉ tiêu nào"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(world, stores, values, field, words):
    with pytest.raises(DomainError) as caught:
        depot_log.record(stores["QH"], [line(MONTH, **values)], actor=world.officer)
    assert caught.value.field == field and words in caught.value.message
    assert not DepotReading.objects.exists()


def test_a_month_is_written_whole_or_not_at_all(world, stores):
    first = [line(MONTH + timedelta(days=n), temperature=Decimal("21")) for n in range(3)]
    bad = [
        *first,
        depot_log.Line(taken_at=at(MONTH + timedelta(days=3)), checked_by="A", temperature=Decimal(500), row="Ngày 04"),
    ]
    with pytest.raises(DomainError) as caught:
        depot_log.record(stores["QH"], bad, actor=world.officer)
    assert caught.value.message.startswith("Ngày 04: ")
    assert not DepotReading.objects.exists()
    depot_log.record(stores["QH"], first, actor=world.officer)
    with pytest.raises(DomainError) as caught:
        depot_log.record(stores["QH"], first[:1], actor=world.officer)
    assert "đã có lần kiểm tra lúc 07:30" in caught.value.message and caught.value.field == "taken_at"
    assert DepotReading.objects.count() == 3


def test_a_future_moment_is_refused(world, stores):
    with pytest.raises(DomainError) as caught:
        depot_log.record(
            stores["QH"],
            [depot_log.Line(taken_at=timezone.now() + timedelta(hours=2), checked_by="A", fire_ok=True)],
            actor=world.officer,
        )
    assert caught.value.field == "taken_at" and "tương lai" in caught.value.message


def test_lines_and_acknowledgements_are_append_only(world, stores):
    (hot,) = depot_log.record(stores["QH"], [line(MONTH, temperature=Decimal("30"))], actor=world.officer)
    with pytest.raises(AppendOnlyError):
        hot.save()
    with pytest.raises(AppendOnlyError):
        DepotReading.objects.filter(pk=hot.pk).update(alarm="")
    ack = depot_log.acknowledge(hot, action="Mở cửa thông gió, bật máy hút ẩm", actor=world.officer)
    with pytest.raises(AppendOnlyError):
        ack.delete()
    with pytest.raises(DomainError) as caught:
        depot_log.acknowledge(hot, action="lần nữa", actor=world.officer)
    assert "đã được xác nhận" in caught.value.message


def test_only_the_places_unit_writes_and_acknowledges(world, stores):
    with pytest.raises(DomainError):
        depot_log.record(stores["QH"], [line(MONTH, fire_ok=True)], actor=world.commander)
    with pytest.raises(DomainError):
        depot_log.record(stores["QH"], [line(MONTH, fire_ok=True)], actor=world.outsider)
    (hot,) = depot_log.record(stores["QH"], [line(MONTH, fire_ok=False)], actor=world.officer)
    with pytest.raises(DomainError) as caught:
        depot_log.acknowledge(hot, action="x", actor=world.outsider)
    assert "ngoài phạm vi" in caught.value.message
    with pytest.raises(DomainError) as caught:
        depot_log.acknowledge(hot, action=" ", actor=world.officer)
    assert caught.value.field == "action"


def test_the_dashboard_counts_the_open_alarms_and_its_link_opens_exactly_them(client, world, stores):
    depot_log.record(
        stores["QH"], [line(MONTH, temperature=Decimal("30")), line(MONTH, hour=16, fire_ok=False)], actor=world.officer
    )
    depot_log.record(
        stores["K2"], [line(MONTH, seals_ok=False), line(MONTH, hour=9, seals_ok=True)], actor=world.officer
    )
    client.force_login(world.officer)
    page = unescape(client.get("/", {"unit": world.province_a.code}).content.decode())
    assert "3 cảnh báo kho chưa xác nhận" in page
    listing = unescape(client.get("/kho/canh-bao/", {"unit": world.province_a.code}).content.decode())
    assert listing.count('<tr data-reading="') == 3
    only_a1 = unescape(client.get("/", {"unit": world.district_a1.code}).content.decode())
    assert "2 cảnh báo kho chưa xác nhận" in only_a1
    # Answered, an alarm leaves the dashboard; the log keeps it with what was done.
    hot = DepotReading.objects.get(place=stores["K2"], seals_ok=False)
    back = f"/kho/canh-bao/?unit={world.province_a.code}"
    body = {"action": "Thay niêm phong mới", "next": back, "idempotency_key": "k-ack-0000001"}
    assert client.post(f"/kho/canh-bao/{hot.pk}/xac-nhan/", body).url == back
    assert client.post(f"/kho/canh-bao/{hot.pk}/xac-nhan/", body).status_code == 302  # a replay: no second row
    assert Acknowledgement.objects.count() == 1
    assert "2 cảnh báo kho chưa xác nhận" in unescape(client.get("/", {"unit": world.province_a.code}).content.decode())
    log = unescape(client.get(f"/kho/{stores['K2'].pk}/so-theo-doi/", {"thang": f"{MONTH:%Y-%m}"}).content.decode())
    assert "Đã xác nhận: Thay niêm phong mới" in log
    # Outside the subtree nothing is counted or opened.
    client.force_login(world.outsider)
    assert "cảnh báo kho" not in unescape(client.get("/").content.decode())
    assert client.get(f"/kho/{stores['QH'].pk}/so-theo-doi/").status_code == 404
    assert client.post(f"/kho/canh-bao/{hot.pk}/xac-nhan/", {"action": "x"}).status_code == 404


def test_the_month_grid_writes_the_filled_days_once_and_names_a_bad_cell(client, world, stores):
    client.force_login(world.officer)
    url = f"/kho/{stores['QH'].pk}/so-theo-doi/nhap-thang/?thang={MONTH:%Y-%m}"
    grid = client.get(url)
    assert grid.status_code == 200 and 'name="d1-temperature"' in grid.content.decode()
    body = {
        "checked_by": "Thượng sĩ Lò Văn A",
        "d1-temperature": "21,5",
        "d1-humidity": "60",
        "d1-fire_ok": "1",
        "d2-temperature": "abc",
        "d3-temperature": "26",
        "d3-seals_ok": "0",
        "d3-time": "14:00",
        "d3-checked_by": "Trung sĩ Giàng A Páo",
        "idempotency_key": "k-month-000001",
    }
    bad = client.post(url, body)
    page = unescape(bad.content.decode())
    assert bad.status_code == 422 and "Ngày 02/" in page and "Nhiệt độ “abc” không phải là số" in page
    assert 'value="21,5"' in page  # what was typed is kept
    assert not DepotReading.objects.exists()
    body["d2-temperature"] = ""
    body["idempotency_key"] = "k-month-000002"
    good = client.post(url, body)
    assert good.status_code == 302
    assert client.post(url, body).status_code == 302  # a replay writes nothing twice
    rows = list(DepotReading.objects.order_by("taken_at"))
    assert [(r.temperature, r.checked_by) for r in rows] == [
        (Decimal("21.5"), "Thượng sĩ Lò Văn A"),
        (Decimal("26.0"), "Trung sĩ Giàng A Páo"),
    ]
    assert timezone.localtime(rows[1].taken_at).hour == 14 and rows[1].alarm.startswith("Nhiệt độ 26,0")
    printed = unescape(
        client.get(f"/kho/{stores['QH'].pk}/so-theo-doi/ban-in/", {"thang": f"{MONTH:%Y-%m}"}).content.decode()
    )
    assert "2 lần kiểm tra" in printed and "Trung sĩ Giàng A Páo" in printed
    client.force_login(world.commander)
    assert client.get(url).status_code == 403


def test_the_api_reads_and_writes_the_log_and_acknowledges(world, stores):
    api = Api(world.officer)
    place = stores["QH"]
    moment = at(MONTH).isoformat()
    written = api.post(
        f"/storage/places/{place.pk}/readings",
        {"lines": [{"taken_at": moment, "checked_by": "Lò Văn A", "temperature": 28.04, "humidity": 50}]},
    )
    assert written.status_code == 200, written.content
    (row,) = written.json()
    assert row["temperature"] == "28.0" or float(row["temperature"]) == 28.0
    assert row["alarm"].startswith("Nhiệt độ 28,0") and not row["acknowledged"]
    twice = api.post(
        f"/storage/places/{place.pk}/readings", {"lines": [{"taken_at": moment, "checked_by": "A", "fire_ok": True}]}
    )
    assert twice.status_code == 422 and twice.json()["field"] == "taken_at"
    hot = api.post(
        f"/storage/places/{place.pk}/readings",
        {"lines": [{"taken_at": at(MONTH, 9).isoformat(), "checked_by": "A", "temperature": 500}]},
    )
    assert hot.status_code == 422
    listed = api.get(f"/storage/places/{place.pk}/readings", month=f"{MONTH:%Y-%m}").json()
    assert [r["id"] for r in listed] == [row["id"]]
    alarms = api.get("/storage/alarms", unit=world.province_a.code).json()
    assert [a["id"] for a in alarms] == [row["id"]]
    answered = api.post(f"/storage/readings/{row['id']}/acknowledgement", {"action": "Bật điều hòa"})
    assert answered.status_code == 200 and answered.json()["action"] == "Bật điều hòa"
    assert api.get("/storage/alarms", unit=world.province_a.code).json() == []
    outsider = Api(world.outsider)
    assert outsider.get(f"/storage/places/{place.pk}/readings").status_code == 404
    assert outsider.post(f"/storage/readings/{row['id']}/acknowledgement", {"action": "x"}).status_code == 404
