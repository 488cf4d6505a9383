"""Receiving equipment through the pages (tiếp nhận), serial ranges, and the lot movements."""

import re
from datetime import date

import pytest
from django.urls import reverse

from materiel.core.errors import DomainError
from materiel.core.serials import RANGE_LIMIT, expand_range, parse_serials
from materiel.documents.models import HandoverRecord
from materiel.equipment.models import Item, Lot
from materiel.ledger import services
from materiel.ledger.models import Event, EventKind
from materiel.ledger.verify import verify_ledger

D = date(2024, 5, 10)
DAY = "10/05/2024"


# ---- serial ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["AK-120345 … AK-120360", "AK-120345 - AK-120360", "AK-120345..AK-120360", "AK-120345...AK-120360"],
)
def test_each_written_form_of_a_range_expands_to_the_same_serials(text):
    serials = [s.serial for s in parse_serials(text)]
    assert len(serials) == 16
    assert serials[0] == "AK-120345" and serials[-1] == "AK-120360"
    assert serials[5] == "AK-120350"


def test_a_range_keeps_the_zero_padding_of_its_start():
    assert expand_range("A-0098", "A-0102") == ["A-0098", "A-0099", "A-0100", "A-0101", "A-0102"]
    assert expand_range("X7", "X10") == ["X7", "X8", "X9", "X10"]


def test_a_serial_with_hyphens_is_one_serial_not_a_range():
    assert [s.serial for s in parse_serials("AK-47-0001\nUAZ-469-01")] == ["AK-47-0001", "UAZ-469-01"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("AK-120345 … BK-120360", "khác phần chữ"),
        ("AK-120360 … AK-120345", "đứng trước đầu dải"),
        (f"AK-1 … AK-{RANGE_LIMIT + 1}", "quá giới hạn"),
        ("AK-A … AK-B", "không kết thúc bằng số"),
        ("A-01 … A-0100", "cùng số chữ số"),
    ],
)
def test_a_bad_range_is_refused_naming_its_line(text, words):
    with pytest.raises(DomainError) as refused:
        parse_serials(f"AK-1\n{text}")
    assert refused.value.message.startswith("Dòng 2:") and words in refused.value.message


def test_a_serial_typed_twice_is_refused_naming_both_lines():
    with pytest.raises(DomainError) as refused:
        parse_serials("AK-5\nAK-1 … AK-9")
    assert "AK-5" in refused.value.message and "dòng 1 và dòng 2" in refused.value.message


# ---- receiving serialised items ------------------------------------------------------------------


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def receipt_form(world, serials, **extra):
    return {
        "equipment_type": str(world.rifle.pk),
        "serials": serials,
        "grade": "1",
        "purpose": "in_use",
        "year_made": "2019",
        "origin": "Việt Nam",
        "to_unit": world.district_a1.code,
        "storage": "Kho K1",
        "source": "outside",
        "outside_party": "Kho K10 / Cục Kỹ thuật",
        "document_number": "45/BBGN",
        "occurred_on": DAY,
        "giver_name": "Đại úy Nguyễn Văn A",
        "receiver_name": "Thượng úy Lò Văn B",
        **extra,
    }


def test_one_item_is_received_with_its_record_naming_the_outside_party(officer_client, world):
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, "AK-990001"), "confirm": "1"})
    record = HandoverRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:handover", args=[record.pk])
    item = Item.objects.get(serial="AK-990001")
    assert (item.unit, item.grade, item.year_made, item.origin) == (world.district_a1, 1, 2019, "Việt Nam")
    assert item.note == "Nơi cất giữ: Kho K1"
    event = Event.objects.get(item=item)
    assert (event.kind, event.document_number, event.occurred_on) == (EventKind.RECEIPT, "45/BBGN", D)
    assert (record.outside_party, record.from_unit, record.to_unit, record.issuing_unit) == (
        "Kho K10 / Cục Kỹ thuật",
        None,
        world.district_a1,
        world.district_a1,
    )
    assert [line.event for line in record.lines.all()] == [event]
    page = officer_client.get(response["Location"]).content.decode()
    assert "Đã tiếp nhận trang bị AK-990001 vào Ban CHQS huyện Bát Xát, biên bản số 45/BBGN." in page
    assert "Biên bản giao nhận số 45/BBGN" in page and "Kho K10 / Cục Kỹ thuật" in page
    printed = officer_client.get(reverse("web:handover_print", args=[record.pk])).content.decode()
    assert "Biên bản giao nhận vũ khí, trang bị kỹ thuật" in printed
    assert "BÊN GIAO: Kho K10 / Cục Kỹ thuật" in printed and "AK-990001" in printed


def test_many_serials_one_per_line_and_a_range_are_received_together(officer_client, world):
    serials = "AK-1\nAK-2\nB-0098 … B-0102\n"
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, serials), "confirm": "1"})
    assert response.status_code == 302, re.findall(r'role="alert">([^<]*)', response.content.decode())
    received = set(Item.objects.values_list("serial", flat=True))
    assert received == {"AK-1", "AK-2", "B-0098", "B-0099", "B-0100", "B-0101", "B-0102"}
    record = HandoverRecord.objects.get()
    assert record.lines.count() == 7
    assert set(Event.objects.filter(kind=EventKind.RECEIPT).values_list("document_number", flat=True)) == {"45/BBGN"}
    assert verify_ledger().ok  # the batch wrote what a replay of the events gives, rollups included


def test_a_year_made_after_the_receipt_is_shown_on_its_field_and_nothing_is_written(officer_client, world):
    form = {**receipt_form(world, "AK-1\nAK-2"), "year_made": "2025", "confirm": "1"}
    response = officer_client.post(reverse("web:receive"), form)
    assert response.status_code == 422
    assert response.context["form"].errors["year_made"] == [
        "Số hiệu AK-1 (Súng tiểu liên AK-47), mục “năm sản xuất”: Năm sản xuất 2025 không hợp lệ."
    ]
    assert not Item.objects.exists() and not HandoverRecord.objects.exists()


def test_the_receipt_page_and_its_refusals_answer_in_english(officer_client, world, settings):
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = officer_client.get(reverse("web:receive")).content.decode()
    assert "Receive equipment" in page and "One serial number per line, or a range" in page
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, "AK-9 … AK-1"), "preview": "1"})
    assert "Line 1: the end of the range “AK-1” comes before its start “AK-9”." in response.content.decode()
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, "AK-1 … AK-3"), "preview": "1"})
    assert "3 serial numbers" in response.content.decode()


def test_the_preview_shows_the_count_and_the_ends_of_the_range_and_writes_nothing(officer_client, world):
    response = officer_client.post(
        reverse("web:receive"), {**receipt_form(world, "AK-120345 … AK-120360"), "preview": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "16 số hiệu" in page and "AK-120345 … AK-120360" in page and 'name="confirm"' in page
    assert not Item.objects.exists() and not HandoverRecord.objects.exists()


def test_a_serial_already_in_the_register_refuses_the_whole_receipt_naming_it_and_its_line(
    officer_client, world, rifle_in_a1
):
    before = Event.objects.count()
    serials = "AK123450 … AK123455\nAK123456"
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, serials), "confirm": "1"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Dòng 2: Số hiệu AK123456 (Súng tiểu liên AK-47)" in page and "đã có trong sổ" in page
    assert Event.objects.count() == before and Item.objects.count() == 1
    assert not HandoverRecord.objects.exists()


def test_a_bad_range_is_shown_on_the_serials_field_and_nothing_is_written(officer_client, world):
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, "AK-9 … AK-1"), "confirm": "1"})
    assert response.status_code == 422
    assert "Dòng 1: cuối dải “AK-1” đứng trước đầu dải “AK-9”." in response.content.decode()
    assert not Item.objects.exists()


def test_an_outside_receipt_needs_the_name_of_the_outside_party(officer_client, world):
    response = officer_client.post(
        reverse("web:receive"), {**receipt_form(world, "AK-1"), "outside_party": " ", "confirm": "1"}
    )
    assert response.status_code == 422
    assert "Chưa nhập tên bên giao" in response.content.decode()
    assert not Item.objects.exists()


def test_the_same_document_of_the_same_party_is_not_received_twice(officer_client, world):
    officer_client.post(reverse("web:receive"), {**receipt_form(world, "AK-1"), "confirm": "1"})
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, "AK-2"), "confirm": "1"})
    assert response.status_code == 422
    assert "Biên bản số 45/BBGN năm 2024 của Kho K10 / Cục Kỹ thuật đã được tiếp nhận" in response.content.decode()
    assert list(Item.objects.values_list("serial", flat=True)) == ["AK-1"]
    # Another party may well have used the same number.
    response = officer_client.post(
        reverse("web:receive"), {**receipt_form(world, "AK-2"), "outside_party": "Nhà máy Z111", "confirm": "1"}
    )
    assert response.status_code == 302 and HandoverRecord.objects.count() == 2


def test_a_receipt_from_a_unit_of_the_tree_is_a_transfer_of_the_givers_items(officer_client, world):
    for serial in ("AK-01", "AK-02", "AK-03"):
        services.record_receipt(
            equipment_type=world.rifle,
            serial=serial,
            unit=world.district_a2,
            grade=2,
            occurred_on=date(2020, 1, 1),
            actor=world.officer,
        )
    form = {**receipt_form(world, "AK-01 … AK-03"), "source": "unit", "from_unit": world.district_a2.code}
    response = officer_client.post(reverse("web:receive"), {**form, "confirm": "1"})
    assert response.status_code == 302
    record = HandoverRecord.objects.get()
    assert (record.from_unit, record.to_unit, record.outside_party) == (world.district_a2, world.district_a1, "")
    assert set(Item.objects.values_list("unit", "grade")) == {(world.district_a1.pk, 2)}  # grade kept
    assert Event.objects.filter(kind=EventKind.TRANSFER).count() == 3
    assert not Event.objects.filter(kind=EventKind.RECEIPT, occurred_on=D).exists()


def test_a_receipt_from_a_unit_that_does_not_hold_the_serial_is_refused_naming_it(officer_client, world):
    form = {**receipt_form(world, "AK-77"), "source": "unit", "from_unit": world.district_a2.code}
    response = officer_client.post(reverse("web:receive"), {**form, "confirm": "1"})
    assert response.status_code == 422
    assert "Dòng 1: Số hiệu AK-77 (Súng tiểu liên AK-47)" in response.content.decode()
    assert "Không có trong sổ của Ban CHQS huyện Sa Pa" in response.content.decode()
    assert not Item.objects.exists() and not HandoverRecord.objects.exists()


def test_a_receiving_unit_outside_the_scope_is_not_accepted(officer_client, world):
    form = {**receipt_form(world, "AK-1"), "to_unit": world.post_b1.code, "confirm": "1"}
    response = officer_client.post(reverse("web:receive"), form)
    assert response.status_code == 422 and not Item.objects.exists()


def test_a_read_only_commander_is_not_offered_receipts_and_is_refused_on_post(client, world):
    client.force_login(world.commander)
    for url in (reverse("web:register"), reverse("web:dashboard"), reverse("web:register") + "?kind=lots"):
        page = client.get(url).content.decode()
        assert reverse("web:receive") not in page and reverse("web:receive_lot") not in page
    assert client.get(reverse("web:receive")).status_code == 403
    response = client.post(reverse("web:receive"), {**receipt_form(world, "AK-1"), "confirm": "1"})
    assert response.status_code == 403 and not Item.objects.exists()
    response = client.post(reverse("web:receive_lot"), {**lot_form(world), "confirm": "1"})
    assert response.status_code == 403 and not Lot.objects.exists()


def test_the_officer_is_offered_receipts_on_the_register_and_the_dashboard(officer_client, world):
    for url in (reverse("web:register"), reverse("web:dashboard")):
        assert reverse("web:receive") in officer_client.get(url).content.decode()
    # A past day is read-only.
    assert reverse("web:receive") not in officer_client.get(reverse("web:register") + "?on=01/01/2022").content.decode()


# ---- lots ----------------------------------------------------------------------------------------


def lot_form(world, **extra):
    return {
        "equipment_type": str(world.ammo.pk),
        "lot_number": "L-2024-01",
        "grade": "1",
        "quantity": "12.000",
        "to_unit": world.district_a1.code,
        "source": "outside",
        "outside_party": "Kho K10 / Cục Kỹ thuật",
        "document_number": "46/BBGN",
        "occurred_on": DAY,
        **extra,
    }


def test_a_lot_is_received_with_its_record(officer_client, world):
    response = officer_client.post(reverse("web:receive_lot"), {**lot_form(world), "confirm": "1"})
    assert response.status_code == 302
    lot = Lot.objects.get()
    assert (lot.unit, lot.lot_number, lot.grade, lot.quantity) == (world.district_a1, "L-2024-01", 1, 12000)
    record = HandoverRecord.objects.get()
    assert record.outside_party == "Kho K10 / Cục Kỹ thuật"
    assert record.lines.get().event.kind == EventKind.LOT_RECEIPT
    page = officer_client.get(response["Location"]).content.decode()
    assert "Đã nhập 12.000 viên Đạn 7,62mm K56 vào Ban CHQS huyện Bát Xát, biên bản số 46/BBGN." in page
    assert "12.000" in page and "-12" not in page  # the line's quantity, positive


def test_a_lot_receipt_with_a_bad_quantity_names_the_field_and_writes_nothing(officer_client, world):
    response = officer_client.post(reverse("web:receive_lot"), {**lot_form(world, quantity="abc"), "confirm": "1"})
    assert response.status_code == 422 and "Số lượng phải là số nguyên." in response.content.decode()
    assert not Lot.objects.exists() and not HandoverRecord.objects.exists()


@pytest.fixture
def ammo_lot(world):
    services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=world.district_a1,
        grade=1,
        quantity=5000,
        occurred_on=date(2024, 1, 5),
        actor=world.officer,
        lot_number="L-01",
    )
    return Lot.objects.get()


def test_the_lots_page_rows_lead_to_issue_and_transfer(officer_client, world, ammo_lot):
    page = officer_client.get(reverse("web:register") + "?kind=lots").content.decode()
    assert reverse("web:lot_issue", args=[ammo_lot.pk]) in page
    assert reverse("web:lot_transfer", args=[ammo_lot.pk]) in page
    assert reverse("web:receive_lot") in page


def test_a_lot_issue_to_consumption_needs_its_reason(officer_client, world, ammo_lot):
    url = reverse("web:lot_issue", args=[ammo_lot.pk])
    form = {"issue-occurred_on": DAY, "issue-quantity": "1.200", "issue-reason": ""}
    response = officer_client.post(url, form)
    assert response.status_code == 422 and "Phải ghi lý do xuất." in response.content.decode()
    response = officer_client.post(url, {**form, "issue-reason": "Bắn đạn thật huấn luyện"})
    assert response.status_code == 302
    ammo_lot.refresh_from_db()
    assert ammo_lot.quantity == 3800
    event = Event.objects.get(kind=EventKind.LOT_ISSUE)
    assert (event.quantity, event.reason) == (-1200, "Bắn đạn thật huấn luyện")


def test_a_lot_issue_beyond_the_balance_is_refused(officer_client, world, ammo_lot):
    form = {"issue-occurred_on": DAY, "issue-quantity": "6000", "issue-reason": "Huấn luyện"}
    response = officer_client.post(reverse("web:lot_issue", args=[ammo_lot.pk]), form)
    assert response.status_code == 422 and "Lô chỉ còn 5.000" in response.content.decode()
    assert not Event.objects.filter(kind=EventKind.LOT_ISSUE).exists()


def test_a_lot_transfer_draws_up_its_handover_record(officer_client, world, ammo_lot):
    url = reverse("web:lot_transfer", args=[ammo_lot.pk])
    assert "1/BBBG" in officer_client.get(url).content.decode()  # the proposed number
    form = {
        "transfer-occurred_on": DAY,
        "transfer-quantity": "2.000",
        "transfer-to_unit": world.district_a2.code,
        "transfer-document_number": "1/BBBG",
    }
    response = officer_client.post(url, form)
    record = HandoverRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:handover", args=[record.pk])
    assert (record.from_unit, record.to_unit, record.number) == (world.district_a1, world.district_a2, "1/BBBG")
    quantities = dict(Lot.objects.values_list("unit__code", "quantity"))
    assert quantities == {"huyen-a1": 3000, "huyen-a2": 2000}


def test_lot_forms_of_another_subtree_are_not_found(client, world, ammo_lot):
    client.force_login(world.outsider)
    assert client.get(reverse("web:lot_issue", args=[ammo_lot.pk])).status_code == 404
    assert client.post(reverse("web:lot_transfer", args=[ammo_lot.pk]), {}).status_code == 404


def test_a_commander_is_refused_the_lot_movements(client, world, ammo_lot):
    client.force_login(world.commander)
    page = client.get(reverse("web:register") + "?kind=lots").content.decode()
    assert reverse("web:lot_issue", args=[ammo_lot.pk]) not in page
    form = {"issue-occurred_on": DAY, "issue-quantity": "10", "issue-reason": "Huấn luyện"}
    assert client.post(reverse("web:lot_issue", args=[ammo_lot.pk]), form).status_code == 403
    assert client.post(reverse("web:lot_transfer", args=[ammo_lot.pk]), {}).status_code == 403
    ammo_lot.refresh_from_db()
    assert ammo_lot.quantity == 5000


def test_the_receipt_record_is_listed_linked_from_the_history_and_hidden_from_other_subtrees(
    officer_client, client, world
):
    officer_client.post(reverse("web:receive"), {**receipt_form(world, "AK-1"), "confirm": "1"})
    record = HandoverRecord.objects.get()
    listing = officer_client.get(reverse("web:handovers") + "?unit=huyen-a1").content.decode()
    assert "45/BBGN" in listing and "Kho K10 / Cục Kỹ thuật" in listing
    history = officer_client.get(reverse("web:item", args=[Item.objects.get().pk])).content.decode()
    assert f'href="{reverse("web:handover", args=[record.pk])}"' in history
    client.force_login(world.outsider)
    assert client.get(reverse("web:handover", args=[record.pk])).status_code == 404
    assert "45/BBGN" not in client.get(reverse("web:handovers")).content.decode()


def test_the_live_preview_counts_the_serials_as_they_are_typed(officer_client, world):
    url = reverse("web:serial_preview")
    answer = officer_client.get(url, {"serials": "AK-120345 … AK-120354"}).content.decode()
    assert answer == "10 số hiệu: AK-120345 … AK-120354"
    answer = officer_client.get(url, {"serials": "AK-9 - AK-1"}).content.decode()
    assert "Dòng 1: cuối dải “AK-1” đứng trước đầu dải “AK-9”." in answer
    assert 'hx-get="/trang-bi/tiep-nhan/so-hieu/"' in officer_client.get(reverse("web:receive")).content.decode()


def test_a_range_of_serials_with_spaces_inside_them():
    assert [s.serial for s in parse_serials("SN 01 - SN 03")] == ["SN 01", "SN 02", "SN 03"]


def test_a_lot_received_from_a_unit_of_the_tree_is_a_transfer_of_its_lot(officer_client, world, ammo_lot):
    form = {
        **lot_form(world, lot_number="L-01", quantity="1.500", to_unit=world.district_a2.code),
        "source": "unit",
        "from_unit": world.district_a1.code,
    }
    response = officer_client.post(reverse("web:receive_lot"), {**form, "confirm": "1"})
    assert response.status_code == 302
    record = HandoverRecord.objects.get()
    assert (record.from_unit, record.to_unit) == (world.district_a1, world.district_a2)
    assert dict(Lot.objects.values_list("unit__code", "quantity")) == {"huyen-a1": 3500, "huyen-a2": 1500}
    assert record.lines.get().event.kind == EventKind.LOT_TRANSFER


def test_a_lot_received_from_a_unit_without_that_lot_is_refused_on_the_lot_number(officer_client, world, ammo_lot):
    form = {**lot_form(world, lot_number="L-99"), "source": "unit", "from_unit": world.district_a2.code}
    response = officer_client.post(reverse("web:receive_lot"), {**form, "confirm": "1"})
    assert response.status_code == 422
    assert response.context["form"].errors["lot_number"] == [
        "Ban CHQS huyện Sa Pa không có lô L-99 cấp 1 của Đạn 7,62mm K56: hãy kiểm tra, "
        "hoặc chọn bên giao ngoài hệ thống."
    ]
    assert not HandoverRecord.objects.exists() and Lot.objects.get().quantity == 5000


def test_a_receipt_sent_twice_with_its_key_is_written_once(officer_client, world):
    form = {**receipt_form(world, "AK-1 … AK-5"), "confirm": "1", "idempotency_key": "k-receipt-0001"}
    first = officer_client.post(reverse("web:receive"), form)
    again = officer_client.post(reverse("web:receive"), form)
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert Item.objects.count() == 5 and HandoverRecord.objects.count() == 1


def test_the_preview_finds_what_the_write_would_refuse_and_writes_nothing(officer_client, world, rifle_in_a1):
    """The preview is the write, rolled back: a serial already in the register is named there, not
    only after *Ghi tiếp nhận*."""
    before = Event.objects.count()
    serials = "AK123450 … AK123455\nAK123456"
    response = officer_client.post(reverse("web:receive"), {**receipt_form(world, serials), "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 422 and 'name="confirm"' not in page
    assert "Dòng 2: Số hiệu AK123456 (Súng tiểu liên AK-47)" in page and "đã có trong sổ" in page
    assert Event.objects.count() == before and Item.objects.count() == 1
    assert not HandoverRecord.objects.exists()
