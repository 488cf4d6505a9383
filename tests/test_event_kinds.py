"""The event-kind registry: a kind declared by an app outside the ledger (tests.kindapp) is recorded,
refused with Vietnamese messages naming the field, reversed, replayed by `materiel verify`, listed
on the events page and by the API, and written in bulk — with no change to the ledger app."""

from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client

from materiel.core.errors import DomainError
from materiel.equipment.models import Item
from materiel.ledger import kinds, services
from materiel.ledger.models import Event, Rollup
from materiel.ledger.verify import verify_ledger
from tests.kindapp.kinds import CALIBRATION
from tests.kindapp.models import CalibrationLine, CalibrationRun

from .test_api import Api

D = date(2021, 3, 1)
LEDGER = Path(__file__).resolve().parent.parent / "materiel" / "ledger"


def calibrate(item, actor, **details):
    return services.record(CALIBRATION, item, actor=actor, occurred_on=D, details=details)


def rollups():
    return sorted(
        Rollup.objects.exclude(quantity=0).values_list("unit_id", "equipment_type_id", "grade", "status", "quantity")
    )


def test_the_kind_is_declared_by_its_own_app_and_the_ledger_does_not_name_it():
    kind = kinds.get(CALIBRATION)
    assert kind.app == "kindapp" and str(kind.label) == "Hiệu chuẩn"
    assert (CALIBRATION, "Hiệu chuẩn") in [(v, str(label)) for v, label in kinds.choices()]
    named = [p.name for p in LEDGER.rglob("*.py") if CALIBRATION in p.read_text(encoding="utf-8")]
    assert named == []


def test_recorded_with_typed_details_reversed_and_replayed(world, rifle_in_a1):
    before = rollups()
    event = calibrate(rifle_in_a1, world.officer, instrument=" Bộ chuẩn QK-2 ", deviation="0.25")
    assert event.pk and event.kind == CALIBRATION
    stored = Event.objects.get(pk=event.pk)
    assert stored.details == {"instrument": "Bộ chuẩn QK-2", "deviation": "0.25"}
    assert stored.get_kind_display() == "Hiệu chuẩn"
    item = Item.objects.get(pk=rifle_in_a1.pk)
    assert (item.version, item.last_event_on, item.chain_head) == (rifle_in_a1.version + 1, D, stored.hash)
    assert rollups() == before  # a calibration moves no count
    assert verify_ledger().ok

    (reversal,) = services.reverse_event(stored, reason="Ghi nhầm thiết bị", actor=world.officer)
    assert reversal.reverses_id == stored.pk and reversal.details == {"reversed_kind": CALIBRATION}
    assert Event.objects.filter(item=item).effective().filter(kind=CALIBRATION).count() == 0
    report = verify_ledger()
    assert report.ok, report.problems


def test_bad_details_are_refused_in_vietnamese_naming_the_field(world, rifle_in_a1):
    with pytest.raises(DomainError) as missing:
        calibrate(rifle_in_a1, world.officer, deviation="0.1")
    assert (missing.value.field, missing.value.message) == ("instrument", "Chưa nhập thiết bị chuẩn.")
    with pytest.raises(DomainError) as wrong:
        calibrate(rifle_in_a1, world.officer, instrument="Bộ chuẩn", deviation="nhiều")
    assert (wrong.value.field, wrong.value.message) == ("deviation", "Độ lệch không hợp lệ.")
    with pytest.raises(DomainError) as extra:
        calibrate(rifle_in_a1, world.officer, instrument="Bộ chuẩn", deviation="1", colour="đỏ")
    assert extra.value.field == "colour"
    with pytest.raises(DomainError) as rule:
        calibrate(rifle_in_a1, world.officer, instrument="Bộ chuẩn", deviation="7")
    assert rule.value.field == "deviation"
    assert not Event.objects.filter(kind=CALIBRATION).exists()  # nothing half-written


def test_the_kinds_permission_and_scope_are_checked(world, rifle_in_a1):
    with pytest.raises(DomainError):
        calibrate(rifle_in_a1, world.commander, instrument="Bộ chuẩn", deviation="0")  # reads, does not record
    with pytest.raises(DomainError):
        calibrate(rifle_in_a1, world.outsider, instrument="Bộ chuẩn", deviation="0")  # another province
    with pytest.raises(DomainError) as unknown:
        services.record("no_such_kind", rifle_in_a1, actor=world.officer, occurred_on=D)
    assert unknown.value.field == "kind"
    assert not Event.objects.filter(kind=CALIBRATION).exists()


def test_many_items_at_once_through_the_writer(world, rifle_in_a1):
    second = services.record_receipt(
        equipment_type=world.rifle, serial="AK-2", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    with transaction.atomic():
        writer = services.Writer([rifle_in_a1, second], actor=world.officer)
        for item in writer.items:
            writer.record(item, CALIBRATION, occurred_on=D, details={"instrument": "Bộ chuẩn", "deviation": "0"})
        events = writer.save()
    assert [e.item_id for e in events] == [rifle_in_a1.pk, second.pk] and all(e.pk for e in events)
    assert verify_ledger().ok


def test_listed_on_the_events_page_and_by_the_api(world, rifle_in_a1):
    event = calibrate(rifle_in_a1, world.officer, instrument="Bộ chuẩn", deviation="0.5")
    client = Client()
    client.force_login(world.officer)
    page = client.get("/su-kien/", {"kind": CALIBRATION})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{CALIBRATION}" selected>Hiệu chuẩn</option>' in html  # offered in the kind filter
    assert html.count("Hiệu chuẩn") >= 2 and rifle_in_a1.serial in html  # and its row listed

    body = Api(world.officer).get("/events", kind=CALIBRATION).json()
    assert [(r["id"], r["kind"], r["kind_label"]) for r in body["results"]] == [(event.pk, CALIBRATION, "Hiệu chuẩn")]
    assert body["results"][0]["details"] == {"instrument": "Bộ chuẩn", "deviation": "0.5"}


@transaction.atomic
def calibration_run(number, items, actor, deviations):
    """A domain service as a domain app writes one: the record, its events and its lines together."""
    run = CalibrationRun.objects.create(number=number, unit=items[0].unit)
    writer = services.Writer(items, actor=actor)
    for item, deviation in zip(writer.items, deviations, strict=True):
        details = {"instrument": "Bộ chuẩn", "deviation": deviation}
        writer.record(item, CALIBRATION, occurred_on=D, document_number=number, details=details)
    CalibrationLine.link(run, writer.save())
    return run


def test_a_domain_record_links_the_events_it_wrote_in_one_transaction(world, rifle_in_a1):
    second = services.record_receipt(
        equipment_type=world.rifle, serial="AK-3", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    run = calibration_run("01/HC", [rifle_in_a1, second], world.officer, ["0.1", "0.2"])
    lines = list(run.lines.select_related("event"))
    assert [(line.position, line.event.item_id, line.event.document_number) for line in lines] == [
        (1, rifle_in_a1.pk, "01/HC"),
        (2, second.pk, "01/HC"),
    ]
    assert all(line.event.kind == CALIBRATION for line in lines)

    # A refusal on the second item leaves neither the record, nor its lines, nor the first event.
    with pytest.raises(DomainError):
        calibration_run("02/HC", [rifle_in_a1, second], world.officer, ["0.1", "9"])
    assert not CalibrationRun.objects.filter(number="02/HC").exists()
    assert Event.objects.filter(kind=CALIBRATION).count() == 2 and CalibrationLine.objects.count() == 2
    with pytest.raises(ValueError):
        CalibrationLine.link(run, [Event(kind=CALIBRATION)])  # an event not written yet
