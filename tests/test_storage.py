"""Storage places: the relocation kind, the item places it keeps (and loses on a transfer), verify,
the register's place filter, the pages, the print and the API."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.db import transaction
from django.utils import timezone

from materiel.core.errors import DomainError
from materiel.equipment.models import Item
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.ledger.verify import verify_ledger
from materiel.reports.register import filtered_items
from materiel.storage import services as storage
from materiel.storage.models import ItemPlace, PlaceKind

from .test_api import Api

D = date(2021, 3, 1)
TODAY = timezone.localdate()


def fresh(item):
    return Item.objects.get(pk=item.pk)


@pytest.fixture
def depot(world):
    """District A1 keeps two places, district A2 one; three rifles in A1."""
    kinds = {k.code: k for k in PlaceKind.objects.all()}
    place = {}
    for code, unit, kind, name in [
        ("K1", world.district_a1, "kho", "Kho vũ khí K1"),
        ("PVK", world.district_a1, "phong-vu-khi", "Phòng vũ khí đại đội 1"),
        ("K2", world.district_a2, "kho", "Kho K2"),
    ]:
        place[code] = storage.save_place(actor=world.officer, unit=unit, kind=kinds[kind], code=code, name=name)
    rifles = [
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-K{n}",
            unit=world.district_a1,
            grade=2,
            occurred_on=D,
            actor=world.officer,
        ).item  # fmt: skip
        for n in range(3)
    ]
    return place, rifles


def refused(field, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


def test_the_shipped_kinds_of_place_are_editable_examples(db):
    assert {"kho", "phong-vu-khi", "tu-sung", "nha-xe"} <= set(PlaceKind.objects.values_list("code", flat=True))


def test_a_relocation_puts_the_item_in_the_place_and_the_history(world, depot):
    place, (rifle, *_rest) = depot
    event = storage.relocate(rifle, place=place["K1"], occurred_on=D + timedelta(days=1), actor=world.officer)
    assert event.kind == "relocation" and event.details == {"place": place["K1"].pk}
    row = ItemPlace.objects.get(item=rifle)
    assert (row.place, row.since) == (place["K1"], D + timedelta(days=1))
    storage.relocate(
        fresh(rifle), place=place["PVK"], occurred_on=D + timedelta(days=2), actor=world.officer, note="Trực sẵn sàng"
    )
    assert ItemPlace.objects.get(item=rifle).place == place["PVK"]
    assert fresh(rifle).version == 3  # receipt, two moves
    assert verify_ledger().ok


def test_bad_relocations_are_refused_naming_the_field(world, depot):
    place, (rifle, other, third) = depot
    assert "không thuộc đơn vị" in refused(
        "place", storage.relocate, rifle, place=place["K2"], occurred_on=D, actor=world.officer
    )
    storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.officer)
    assert "đã ở Kho vũ khí K1" in refused(
        "place", storage.relocate, fresh(rifle), place=place["K1"], occurred_on=D, actor=world.officer
    )
    assert "tương lai" in refused(
        "occurred_on",
        storage.relocate,
        other,
        place=place["K1"],
        occurred_on=TODAY + timedelta(days=1),
        actor=world.officer,
    )
    services.record_loss(third, occurred_on=D, actor=world.officer, reason="Mất khi hành quân")
    refused("item", storage.relocate, fresh(third), place=place["K1"], occurred_on=D, actor=world.officer)
    assert ItemPlace.objects.filter(item__in=[other, third]).count() == 0


def test_the_commander_and_the_other_province_may_not_move_items(world, depot):
    from materiel.accounts.scoping import PermissionDenied

    place, (rifle, *_rest) = depot
    with pytest.raises(PermissionDenied):
        storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.commander)
    with pytest.raises(PermissionDenied):
        storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.outsider)
    with pytest.raises(PermissionDenied):
        storage.save_place(
            actor=world.outsider, unit=world.district_a1, kind=PlaceKind.objects.first(), code="X", name="X"
        )


def test_a_transfer_takes_the_item_out_of_its_place_and_its_reversal_puts_it_back(world, depot):
    place, (rifle, *_rest) = depot
    storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.officer)
    transfer = services.record_transfer(
        fresh(rifle),
        to_unit=world.district_a2,
        occurred_on=D + timedelta(days=3),
        actor=world.officer,
        document_number="7/BBBG",
    )
    assert not ItemPlace.objects.filter(item=rifle).exists()
    assert verify_ledger().ok
    services.reverse_event(transfer, reason="Ghi nhầm đơn vị", actor=world.officer)
    assert ItemPlace.objects.get(item=rifle).place == place["K1"]
    assert verify_ledger().ok


def test_reversing_a_relocation_brings_back_the_place_before(world, depot):
    place, (rifle, *_rest) = depot
    storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.officer)
    second = storage.relocate(fresh(rifle), place=place["PVK"], occurred_on=D, actor=world.officer)
    services.reverse_event(second, reason="Ghi nhầm", actor=world.officer)
    assert ItemPlace.objects.get(item=rifle).place == place["K1"]
    first = Event.objects.filter(item=rifle, kind="relocation").effective().get()
    services.reverse_event(first, reason="Ghi nhầm", actor=world.officer)
    assert not ItemPlace.objects.filter(item=rifle).exists()
    assert verify_ledger().ok


def test_a_handover_of_many_items_clears_their_places_in_one_batch(world, depot):
    place, rifles = depot
    for rifle in rifles:
        storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.officer)
    with transaction.atomic():
        many = services.ManyItems([fresh(r) for r in rifles], actor=world.officer)
        for item in many.items:
            many.transfer(item, to_unit=world.district_a2, occurred_on=D, document_number="8/BBBG")
        many.save()
    assert not ItemPlace.objects.filter(item__in=rifles).exists()
    assert verify_ledger().ok


def test_verify_names_a_tampered_place(world, depot):
    place, (rifle, other, _third) = depot
    storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.officer)
    ItemPlace.objects.filter(item=rifle).update(place=place["PVK"])
    ItemPlace.objects.create(item=other, place=place["K1"], since=D)
    problems = verify_ledger().problems
    assert any(f"trang bị #{rifle.pk}: lưu nơi #{place['PVK'].pk}" in p for p in problems), problems
    assert any(f"trang bị #{other.pk}: lưu nơi" in p for p in problems), problems


def test_a_place_with_items_cannot_be_closed_and_codes_are_unique_per_unit(world, depot):
    place, (rifle, *_rest) = depot
    storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.officer)
    k1 = place["K1"]
    assert "Còn 1 trang bị" in refused(
        "closed_on", storage.save_place, actor=world.officer, unit=k1.unit, kind=k1.kind, code="K1", name=k1.name,
        closed_on=TODAY, place=k1,
    )  # fmt: skip
    refused(
        "code", storage.save_place, actor=world.officer, unit=world.district_a1, kind=k1.kind, code="K1", name="Khác"
    )
    refused(
        "capacity",
        storage.save_place,
        actor=world.officer,
        unit=world.district_a1,
        kind=k1.kind,
        code="K9",
        name="K9",
        capacity=0,
    )
    # The same code in another unit is another place.
    storage.save_place(actor=world.officer, unit=world.district_a2, kind=k1.kind, code="K1", name="Kho K1 của A2")


def test_the_register_filters_by_place_and_the_counts_open_what_they_count(client, world, depot):
    place, rifles = depot
    for rifle in rifles[:2]:
        storage.relocate(rifle, place=place["K1"], occurred_on=D, actor=world.officer)
    kept = filtered_items(world.officer, world.province_a, None, {"place": str(place["K1"].pk)})
    assert sorted(kept.values_list("serial", flat=True)) == ["AK-K0", "AK-K1"]
    client.force_login(world.officer)
    listing = unescape(client.get("/kho/", {"unit": world.province_a.code}).content.decode())
    assert "Kho vũ khí K1" in listing and "Kho K2" in listing
    opened = client.get(f"/kho/{place['K1'].pk}/danh-sach/").content.decode()
    assert opened.count("AK-K") == 2 and 'data-testid="count">2 trang bị' in opened
    register = client.get("/trang-bi/", {"unit": world.province_a.code, "place": place["K1"].pk}).content.decode()
    assert "AK-K0" in register and "AK-K1" in register and "AK-K2" not in register
    printed = client.get(f"/kho/{place['K1'].pk}/ban-in/").content.decode()
    assert "Danh sách trang bị trong kho" in printed and "Cộng: 2 trang bị" in printed
    item_page = client.get(f"/trang-bi/{rifles[0].pk}/").content.decode()
    assert "K1 – Kho vũ khí K1" in item_page and "Chuyển nơi cất giữ" in item_page
    client.force_login(world.outsider)
    assert client.get(f"/kho/{place['K1'].pk}/danh-sach/").status_code == 404
    assert "Kho vũ khí K1" not in client.get("/kho/").content.decode()


def test_the_relocation_form_moves_once_and_names_bad_input(client, world, depot):
    place, (rifle, *_rest) = depot
    client.force_login(world.officer)
    url = f"/trang-bi/{rifle.pk}/noi-cat-giu/"
    form = client.get(url).content.decode()
    assert "Kho vũ khí K1" in form and "Kho K2" not in form  # only the item's unit's places
    bad = client.post(url, {"place": place["K1"].pk, "occurred_on": "01/01/2099", "version": 1})
    assert bad.status_code == 422 and "tương lai" in bad.content.decode()
    body = {
        "place": place["K1"].pk,
        "occurred_on": D.strftime("%d/%m/%Y"),
        "version": 1,
        "idempotency_key": "k-relocate-0001",
    }
    first = client.post(url, body)
    again = client.post(url, body)
    assert first.status_code == 302 and again.status_code == 302
    assert Event.objects.filter(item=rifle, kind="relocation").count() == 1
    stale = client.post(url, {"place": place["PVK"].pk, "occurred_on": D.strftime("%d/%m/%Y"), "version": 1})
    assert stale.status_code == 422 and "người khác cập nhật" in stale.content.decode()
    client.force_login(world.commander)
    assert client.get(url).status_code == 403


def test_the_api_lists_places_with_what_they_hold_and_moves_items(world, depot):
    place, (rifle, other, _third) = depot
    api = Api(world.officer)
    moved = api.post(f"/items/{rifle.pk}/relocation", {"place": place["K1"].pk, "occurred_on": D.isoformat()})
    assert moved.status_code == 200, moved.content
    assert moved.json()["kind"] == "relocation"
    listed = {p["code"]: p["held"] for p in api.get("/storage/places", unit=world.district_a1.code).json()}
    assert listed == {"K1": 1, "PVK": 0}
    items = api.get(f"/storage/places/{place['K1'].pk}/items").json()
    assert [i["serial"] for i in items] == ["AK-K0"]
    assert [i["serial"] for i in api.get("/items", place=place["K1"].pk).json()["results"]] == ["AK-K0"]
    wrong = api.post(f"/items/{other.pk}/relocation", {"place": place["K2"].pk, "occurred_on": D.isoformat()})
    assert wrong.status_code == 422 and "không thuộc đơn vị" in wrong.json()["message"]
    outsider = Api(world.outsider)
    assert outsider.get(f"/storage/places/{place['K1'].pk}/items").status_code == 404
    assert (
        outsider.post(
            f"/items/{rifle.pk}/relocation", {"place": place["K1"].pk, "occurred_on": D.isoformat()}
        ).status_code
        == 404
    )
