"""Handover records, bulk actions on the register, print layouts, labels, dashboard charts and links,
and the reports index — through the services and Django's test client on a real database."""

import re
from datetime import date

import pytest
import segno
from django.urls import reverse

from materiel.accounts.models import Role
from materiel.core.errors import DomainError
from materiel.documents.letterhead import place_in, place_of
from materiel.documents.models import HandoverLine, HandoverRecord
from materiel.documents.numbering import propose_number
from materiel.documents.services import Parties, hand_over
from materiel.equipment.models import Item, Lot
from materiel.ledger import services
from materiel.ledger.models import Event, EventKind

from .factories import make_user

D = date(2021, 1, 1)
HANDED = date(2025, 2, 5)


@pytest.fixture
def rifles(world):
    """Five rifles in district A1 (grades 1, 2, 2, 3, 4) and a jeep in district A2."""
    items = [
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-{n:03d}",
            unit=world.district_a1,
            grade=grade,
            occurred_on=D,
            actor=world.officer,
        ).item
        for n, grade in enumerate([1, 2, 2, 3, 4], start=1)
    ]
    jeep = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-01", unit=world.district_a2, grade=2, occurred_on=D, actor=world.officer
    ).item
    return items, jeep


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def printed(response) -> str:
    """The register print, streamed: the whole body, joined."""
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode()


def count_on_page(html: str) -> int:
    return int(re.search(r'data-testid="count">\s*([\d.]+)', html).group(1).replace(".", ""))


def parties(number="7/BBBG", **extra):
    return Parties(number=number, handed_on=HANDED, **extra)


# ---- the service --------------------------------------------------------------------------------


def test_hand_over_writes_the_record_its_lines_and_the_events_together(world, rifles):
    items, _jeep = rifles
    record = hand_over(
        items=items[:3],
        to_unit=world.district_a2,
        parties=parties(giver_name="Đại úy Lò Văn Giao", receiver_name="Thượng úy Vàng A Nhận"),
        actor=world.officer,
    )
    assert (record.number, record.year, record.issuing_unit, record.from_unit) == (
        "7/BBBG",
        2025,
        world.district_a1,
        world.district_a1,
    )
    events = [line.event for line in record.lines.order_by("position")]
    assert [e.item.serial for e in events] == ["AK-001", "AK-002", "AK-003"]
    assert all(e.kind == EventKind.TRANSFER and e.document_number == "7/BBBG" for e in events)
    assert all(e.document_date == HANDED and e.to_unit == world.district_a2 for e in events)
    assert Item.objects.filter(unit=world.district_a2, serial__startswith="AK").count() == 3


def test_one_refused_item_rolls_back_the_whole_handover(world, rifles):
    items, _jeep = rifles
    services.record_issue(items[1], holder="Lò Văn Páo", occurred_on=date(2022, 1, 1), actor=world.officer)
    before = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        hand_over(items=items[:3], to_unit=world.district_a2, parties=parties(), actor=world.officer)
    assert "AK-002" in refused.value.message and "tình trạng trang bị" in refused.value.message
    assert "Lò Văn Páo" in refused.value.message
    assert Event.objects.count() == before
    assert not HandoverRecord.objects.exists() and not HandoverLine.objects.exists()
    assert Item.objects.get(pk=items[0].pk).unit == world.district_a1


def test_the_error_names_the_item_and_the_field(world, rifles):
    items, _jeep = rifles
    services.record_grade_change(
        items[2], grade=3, reason="Kiểm tra", occurred_on=date(2025, 3, 1), actor=world.officer
    )
    with pytest.raises(DomainError) as refused:
        hand_over(items=items[:3], to_unit=world.district_a2, parties=parties(), actor=world.officer)
    assert refused.value.field == "occurred_on"
    assert refused.value.message.startswith("Số hiệu AK-003 (Súng tiểu liên AK-47), mục “ngày bàn giao”:")


def test_numbers_are_proposed_per_issuing_unit_and_year_and_never_reused(world, rifles):
    items, jeep = rifles
    assert propose_number(world.district_a1, 2025) == "1/BBBG"
    hand_over(items=[items[0]], to_unit=world.district_a2, parties=parties("12/BBBG"), actor=world.officer)
    assert propose_number(world.district_a1, 2025) == "13/BBBG"
    assert propose_number(world.district_a1, 2024) == "1/BBBG"
    assert propose_number(world.district_a2, 2025) == "1/BBBG"
    with pytest.raises(DomainError) as refused:
        hand_over(items=[items[1]], to_unit=world.district_a2, parties=parties("12/BBBG"), actor=world.officer)
    assert refused.value.field == "document_number" and "đã dùng" in refused.value.message
    # The same number in another unit, or another year, is another document.
    hand_over(items=[jeep], to_unit=world.district_a1, parties=parties("12/BBBG"), actor=world.officer)
    # A number written on a transfer recorded without a record (API, import) is not proposed again.
    services.record_transfer(
        items[1], to_unit=world.commune_a1, occurred_on=HANDED, actor=world.officer, document_number="20/BBBG"
    )
    assert propose_number(world.district_a1, 2025) == "21/BBBG"


def test_a_record_has_one_giving_unit(world, rifles):
    items, jeep = rifles
    with pytest.raises(DomainError) as refused:
        hand_over(items=[items[0], jeep], to_unit=world.commune_a1, parties=parties(), actor=world.officer)
    assert "UAZ-01" in refused.value.message and "một bên giao" in refused.value.message
    assert not HandoverRecord.objects.exists()


def test_lots_are_handed_over_with_their_outgoing_event(world):
    lot = services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=1000, occurred_on=D, actor=world.officer
    ).lot
    record = hand_over(lots=[(lot, 300)], to_unit=world.district_a2, parties=parties(), actor=world.officer)
    (line,) = record.lines.all()
    assert line.event.kind == EventKind.LOT_TRANSFER and line.event.quantity == -300
    assert Lot.objects.get(unit=world.district_a2).quantity == 300


def test_only_roles_that_transfer_may_hand_over(world, rifles):
    from materiel.accounts.scoping import PermissionDenied

    items, _jeep = rifles
    with pytest.raises(PermissionDenied):
        hand_over(items=[items[0]], to_unit=world.district_a2, parties=parties(), actor=world.commander)
    assert not HandoverRecord.objects.exists()


def test_place_is_read_from_the_unit_name_or_its_ancestors(world):
    assert place_in("Ban CHQS huyện Bát Xát") == "Bát Xát"
    assert place_in("Ban Chỉ huy Quân sự thị xã Sa Pa") == "Sa Pa"
    assert place_in("Bộ Tư lệnh Quân khu 2") == ""
    assert place_of(world.post_b1) == "Lai Châu"


# ---- pages of a handover record -------------------------------------------------------------------


def test_a_transfer_on_the_item_page_draws_up_a_record_linked_from_the_history(officer_client, world, rifles):
    item = rifles[0][0]
    page = officer_client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert 'id="action-transfer"' in page and 'value="1/BBBG"' not in page  # the form loads when opened
    address = reverse("web:item_action", args=[item.pk, "transfer"])
    assert f'<a href="{address}">Mở biểu mẫu</a>' in page  # and, without scripts, through a link
    form = officer_client.get(reverse("web:item_action", args=[item.pk, "transfer"]), headers={"HX-Request": "1"})
    assert 'value="1/BBBG"' in form.content.decode()  # the proposed number, editable
    # Followed without scripts, the same address is the item page with that form open.
    page = officer_client.get(reverse("web:item_action", args=[item.pk, "transfer"])).content.decode()
    assert '<details id="action-transfer" open>' in page and 'value="1/BBBG"' in page
    response = officer_client.post(
        reverse("web:item_action", args=[item.pk, "transfer"]),
        {
            "transfer-occurred_on": "05/02/2025",
            "transfer-to_unit": world.district_a2.code,
            "transfer-document_number": "1/BBBG",
            "transfer-giver_name": "Lò Văn Giao",
            "transfer-receiver_title": "Trợ lý quân khí",
        },
    )
    assert response.status_code == 302
    record = HandoverRecord.objects.get()
    assert record.giver_name == "Lò Văn Giao" and record.receiver_title == "Trợ lý quân khí"
    assert record.lines.get().event == Event.objects.get(item=item, kind=EventKind.TRANSFER)
    history = officer_client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "Đã ghi: Điều chuyển, biên bản bàn giao số 1/BBBG." in history
    assert f'href="{reverse("web:handover", args=[record.pk])}">1/BBBG</a>' in history


def test_a_record_is_seen_by_either_party_and_by_nobody_else(client, world, rifles):
    items, _jeep = rifles
    record = hand_over(items=items[:2], to_unit=world.district_a2, parties=parties(), actor=world.officer)
    giver = make_user("tlkt-a1", world.district_a1)
    receiver = make_user("tlkt-a2", world.district_a2, Role.COMMANDER)
    below = make_user("tlkt-xa", world.commune_a1)
    for user in (giver, receiver, world.officer):
        client.force_login(user)
        for name in ("web:handover", "web:handover_print"):
            html = client.get(reverse(name, args=[record.pk])).content.decode()
            assert "AK-001" in html and "AK-002" in html and "7/BBBG" in html, (user, name)
        listed = client.get(reverse("web:handovers")).content.decode()
        assert "7/BBBG" in listed
    # The giver no longer holds the items: their serials are shown but not linked.
    client.force_login(giver)
    html = client.get(reverse("web:handover", args=[record.pk])).content.decode()
    assert reverse("web:item", args=[items[0].pk]) not in html
    for user in (below, world.outsider):
        client.force_login(user)
        assert client.get(reverse("web:handover", args=[record.pk])).status_code == 404
        assert client.get(reverse("web:handover_print", args=[record.pk])).status_code == 404
        assert "7/BBBG" not in client.get(reverse("web:handovers")).content.decode()


def test_the_record_list_speaks_of_the_chosen_subtree(officer_client, world, rifles):
    items, jeep = rifles
    hand_over(items=[items[0]], to_unit=world.commune_a1, parties=parties("3/BBBG"), actor=world.officer)
    hand_over(items=[jeep], to_unit=world.province_a, parties=parties("4/BBBG"), actor=world.officer)
    in_a1 = officer_client.get(reverse("web:handovers"), {"unit": "huyen-a1"}).content.decode()
    assert "3/BBBG" in in_a1 and "4/BBBG" not in in_a1
    everything = officer_client.get(reverse("web:handovers")).content.decode()
    assert "3/BBBG" in everything and "4/BBBG" in everything


# ---- bulk actions on the register ----------------------------------------------------------------


def bulk(client, action, items, query="", confirm=True, **fields):
    data = {"action": action, "items": [i.pk for i in items]}
    if confirm:
        data["confirm"] = "1"
    data.update({f"bulk-{action}-{key}": value for key, value in fields.items()})
    return client.post(reverse("web:register_bulk") + query, data)


def test_register_offers_checkboxes_and_the_actions_the_role_allows(client, world, rifles):
    client.force_login(world.officer)
    html = client.get(reverse("web:register")).content.decode()
    assert 'name="items"' in html and "data-select-all" in html
    assert 'name="action" value="transfer"' in html and 'name="action" value="grade"' in html
    client.force_login(world.commander)
    html = client.get(reverse("web:register")).content.decode()
    assert 'name="items"' not in html
    inspector = make_user("kiemtra-a", world.province_a, Role.INSPECTOR)
    client.force_login(inspector)
    html = client.get(reverse("web:register")).content.decode()
    assert 'value="grade"' in html and 'value="transfer"' not in html
    # A past day is read-only.
    client.force_login(world.officer)
    assert 'name="items"' not in client.get(reverse("web:register"), {"on": "01/06/2022"}).content.decode()


def test_bulk_transfer_shows_the_items_then_makes_one_record(officer_client, world, rifles):
    items, _jeep = rifles
    step = bulk(officer_client, "transfer", items[:4], "?unit=huyen-a1", confirm=False)
    assert step.status_code == 200
    html = step.content.decode()
    assert all(f'<input type="hidden" name="items" value="{i.pk}">' in html for i in items[:4])
    assert 'data-testid="giving-unit">Ban CHQS huyện Bát Xát<' in html
    assert 'value="1/BBBG"' in html  # the giving unit's next number, editable
    assert not Event.objects.filter(kind=EventKind.TRANSFER).exists()
    response = bulk(
        officer_client,
        "transfer",
        items[:4],
        "?unit=huyen-a1",
        occurred_on="05/02/2025",
        to_unit=world.district_a2.code,
        document_number="1/BBBG",
        giver_name="Lò Văn Giao",
    )
    record = HandoverRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:handover", args=[record.pk])
    assert record.number == "1/BBBG" and record.giver_name == "Lò Văn Giao"
    assert record.lines.count() == 4
    page = officer_client.get(response["Location"]).content.decode()
    assert "Đã điều chuyển 4 trang bị, biên bản số 1/BBBG." in page
    assert count_on_page(officer_client.get(reverse("web:register"), {"unit": "huyen-a2"}).content.decode()) == 5
    assert count_on_page(officer_client.get(reverse("web:register"), {"unit": "huyen-a1"}).content.decode()) == 1


def test_bulk_transfer_is_all_or_nothing_with_the_item_named(officer_client, world, rifles):
    items, _jeep = rifles
    services.record_repair_start(items[2], occurred_on=date(2022, 1, 1), actor=world.officer)
    response = bulk(
        officer_client,
        "transfer",
        items[:4],
        "?unit=huyen-a1&grade=2",
        occurred_on="05/02/2025",
        to_unit=world.district_a2.code,
        document_number="5/BBBG",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Số hiệu AK-003 (Súng tiểu liên AK-47), mục “tình trạng trang bị”" in html
    assert "đang sửa chữa" in html
    assert not HandoverRecord.objects.exists()
    assert not Event.objects.filter(kind=EventKind.TRANSFER).exists()
    # The same items and values come back, and the way back keeps the register's filters.
    assert all(f'name="items" value="{i.pk}"' in html for i in items[:4])
    assert 'value="5/BBBG"' in html and 'href="/trang-bi/?unit=huyen-a1&amp;grade=2"' in html
    blank = bulk(officer_client, "transfer", items[:2], occurred_on="05/02/2025", to_unit=world.district_a2.code)
    assert blank.status_code == 422 and "Điều chuyển phải có số biên bản bàn giao." in blank.content.decode()


def test_bulk_transfer_of_items_from_two_units_is_refused_before_anything(officer_client, world, rifles):
    items, jeep = rifles
    html = bulk(officer_client, "transfer", [items[0], jeep], confirm=False).content.decode()
    assert "một bên giao" in html and 'name="confirm"' not in html


def test_bulk_grade_change_in_one_action(officer_client, world, rifles):
    items, _jeep = rifles
    response = bulk(
        officer_client, "grade", items[:3], "?unit=huyen-a1", occurred_on="05/02/2025", grade=4, reason="Kiểm kê 2025"
    )
    assert response.status_code == 302 and response["Location"] == "/trang-bi/?unit=huyen-a1"
    assert [Item.objects.get(pk=i.pk).grade for i in items[:3]] == [4, 4, 4]
    assert Event.objects.filter(kind=EventKind.GRADE_CHANGE, reason="Kiểm kê 2025").count() == 3


def test_bulk_grade_change_refuses_all_when_one_item_cannot(officer_client, world, rifles):
    items, _jeep = rifles
    response = bulk(officer_client, "grade", items[:4], occurred_on="05/02/2025", grade=3, reason="Kiểm kê")
    assert response.status_code == 422
    message = "Số hiệu AK-004 (Súng tiểu liên AK-47), mục “cấp chất lượng”: Trang bị đã ở cấp 3."
    assert message in response.content.decode()
    assert [Item.objects.get(pk=i.pk).grade for i in items[:4]] == [1, 2, 2, 3]
    missing_reason = bulk(officer_client, "grade", items[:2], occurred_on="05/02/2025", grade=3, reason="")
    assert missing_reason.status_code == 422 and "Phân cấp lại phải ghi lý do." in missing_reason.content.decode()


def test_bulk_actions_respect_scope_and_role(client, world, rifles):
    items, _jeep = rifles
    secret = services.record_receipt(
        equipment_type=world.rifle, serial="BIMAT-1", unit=world.post_b1, grade=1, occurred_on=D, actor=world.outsider
    ).item
    client.force_login(world.officer)
    fields = {"occurred_on": "05/02/2025", "to_unit": world.district_a2.code, "document_number": "9/BBBG"}
    assert bulk(client, "transfer", [items[0], secret], **fields).status_code == 404
    assert bulk(client, "transfer", [items[0], secret], confirm=False).status_code == 404
    client.force_login(world.commander)
    refused = bulk(client, "transfer", [items[0]], **fields)
    assert refused.status_code == 403 and "không được phép" in refused.content.decode()
    assert bulk(client, "grade", [items[0]], occurred_on="05/02/2025", grade=3, reason="x").status_code == 403
    assert not Event.objects.filter(kind__in=[EventKind.TRANSFER, EventKind.GRADE_CHANGE]).exists()
    client.force_login(world.officer)
    nothing = bulk(client, "transfer", [], "?unit=huyen-a1", **fields)
    assert nothing.status_code == 302 and nothing["Location"] == "/trang-bi/?unit=huyen-a1"
    assert "Chưa chọn trang bị nào." in client.get(nothing["Location"]).content.decode()


# ---- print layouts --------------------------------------------------------------------------------

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def assert_document(html: str, *, superior: str, unit: str, title: str, signers: list[str]):
    issuer = html[html.index('data-testid="issuer"') : html.index('data-testid="motto"')]
    assert superior in issuer and unit in issuer
    for line in MOTTO:
        assert line in html
    assert re.search(r'data-testid="place-date">[^<]*, ngày \d\d tháng \d\d năm \d{4}<', html)
    assert f'<h1 class="doc-title">{title}</h1>' in html
    blocks = html[html.index('data-testid="signatures"') :]
    for signer in signers:
        assert signer in blocks
    assert "documents/print.css" in html


def test_register_extract_prints_the_filtered_rows(officer_client, world, rifles):
    html = printed(officer_client.get(reverse("web:register_print"), {"unit": "huyen-a1", "grade": "2"}))
    assert_document(
        html,
        superior="Bộ CHQS tỉnh Lào Cai",
        unit="Ban CHQS huyện Bát Xát",
        title="Trích sổ đăng ký vũ khí, trang bị kỹ thuật",
        signers=["Người lập biểu", "Thủ trưởng đơn vị", "Tlkt-a"],
    )
    assert "Bát Xát, ngày" in html
    rows = html[html.index('data-testid="print-rows"') :]
    assert "AK-002" in rows and "AK-003" in rows and "AK-001" not in rows and "UAZ-01" not in rows
    assert "Cộng: 2 trang bị" in rows and "Cấp chất lượng: 2" in html


def test_register_extract_follows_every_register_filter(officer_client, world, rifles):
    items, _jeep = rifles
    services.record_issue(items[1], holder="Lò Văn Páo", occurred_on=date(2022, 1, 1), actor=world.officer)
    query = {"holder": "Páo", "purpose": "in_use", "sort": "-serial"}
    html = printed(officer_client.get(reverse("web:register_print"), query))
    rows = html[html.index('data-testid="print-rows"') :]
    assert "AK-002" in rows and "Cộng: 1 trang bị" in rows
    assert "Người giữ: Páo" in html and "Mục đích: Sử dụng thường xuyên" in html
    everything = printed(officer_client.get(reverse("web:register_print"), {"sort": "-serial"}))
    assert everything.index("UAZ-01") < everything.index("AK-005") < everything.index("AK-001")


def test_register_extract_on_a_past_day(officer_client, world, rifles):
    items, _jeep = rifles
    services.record_grade_change(items[0], grade=4, reason="x", occurred_on=date(2023, 1, 1), actor=world.officer)
    html = printed(officer_client.get(reverse("web:register_print"), {"on": "01/06/2022", "grade": "1"}))
    rows = html[html.index('data-testid="print-rows"') :]
    assert "AK-001" in rows and "Cộng: 1 trang bị" in rows


def test_item_history_prints_with_its_events(officer_client, world, rifles):
    item = rifles[0][0]
    services.record_grade_change(
        item, grade=3, reason="Hỏng bộ phận cò", occurred_on=date(2022, 5, 1), actor=world.officer
    )
    html = officer_client.get(reverse("web:item_print", args=[item.pk])).content.decode()
    assert_document(
        html,
        superior="Bộ CHQS tỉnh Lào Cai",
        unit="Ban CHQS huyện Bát Xát",
        title="Lý lịch vũ khí, trang bị kỹ thuật",
        signers=["Người lập biểu", "Thủ trưởng đơn vị"],
    )
    history = html[html.index('data-testid="print-history"') :]
    assert history.index("Tiếp nhận") < history.index("Phân cấp chất lượng")
    assert "Cấp 1 → cấp 3" in history and "Hỏng bộ phận cò" in history


def test_handover_record_prints_parties_items_and_signatures(officer_client, world, rifles):
    items, _jeep = rifles
    record = hand_over(
        items=items[:2],
        to_unit=world.district_a2,
        parties=parties(
            "15/BBBG",
            giver_name="Lò Văn Giao",
            giver_title="Đại úy, Trợ lý quân khí",
            receiver_name="Vàng A Nhận",
            reason="Quyết định 123/QĐ-BCH",
        ),
        actor=world.officer,
    )
    html = officer_client.get(reverse("web:handover_print", args=[record.pk])).content.decode()
    assert_document(
        html,
        superior="Bộ CHQS tỉnh Lào Cai",
        unit="Ban CHQS huyện Bát Xát",
        title="Biên bản bàn giao vũ khí, trang bị kỹ thuật",
        signers=["Đại diện bên giao", "Đại diện bên nhận", "Lò Văn Giao", "Vàng A Nhận"],
    )
    assert "Số: 15/BBBG" in html and "Bát Xát, ngày 05 tháng 02 năm 2025" in html
    assert "BÊN GIAO: Ban CHQS huyện Bát Xát" in html and "BÊN NHẬN: Ban CHQS huyện Sa Pa" in html
    assert "Đồng chí Đại úy Lò Văn Giao – Chức vụ: Trợ lý quân khí" in html and "Quyết định 123/QĐ-BCH" in html
    lines = html[html.index('data-testid="handover-lines"') :]
    assert lines.index("AK-001") < lines.index("AK-002") and "UAZ" not in lines


def test_print_stylesheet_sets_a4_and_hides_the_page_chrome():
    from pathlib import Path

    import materiel.documents

    css = (Path(materiel.documents.__file__).parent / "static" / "documents" / "print.css").read_text()
    assert re.search(r"@page\s*{\s*size:\s*A4", css)
    assert re.search(r"@media print\s*{[^}]*header\.top, nav", css)


# ---- label with QR code -------------------------------------------------------------------------


def qr_of(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, omitsize=True, svgclass="qr-code")


def test_item_label_carries_a_qr_code_of_the_item_page(officer_client, world, rifles):
    item = rifles[0][0]
    for name in ("web:item", "web:item_label"):
        html = officer_client.get(reverse(name, args=[item.pk])).content.decode()
        label = html[html.index('data-testid="label"') :]
        assert qr_of(f"http://testserver/trang-bi/{item.pk}/") in label
        assert "Ban CHQS huyện Bát Xát" in label and "Súng tiểu liên AK-47" in label and "AK-001" in label


def test_label_uses_the_configured_base_url(officer_client, world, rifles, settings):
    settings.MATERIEL_BASE_URL = "https://materiel.qk2.mil/"
    item = rifles[0][0]
    html = officer_client.get(reverse("web:item_label", args=[item.pk])).content.decode()
    assert qr_of(f"https://materiel.qk2.mil/trang-bi/{item.pk}/") in html


# ---- dashboard ------------------------------------------------------------------------------------


def test_every_number_on_the_dashboard_leads_to_exactly_its_items(officer_client, world, rifles):
    items, jeep = rifles
    services.record_repair_start(items[3], occurred_on=date(2022, 1, 1), actor=world.officer)
    services.record_seal(items[4], occurred_on=date(2022, 1, 1), actor=world.officer)
    services.record_await_disposal(jeep, occurred_on=date(2022, 1, 1), actor=world.officer)
    html = officer_client.get(reverse("web:dashboard")).content.decode()
    links = re.findall(r'<a href="(/trang-bi/\?[^"]+)">([\d.]+)</a>', html)
    assert len(links) >= 15
    for url, number in links:
        listed = officer_client.get(url.replace("&amp;", "&")).content.decode()
        assert count_on_page(listed) == int(number.replace(".", "")), url
    # The fill rate is no set of items (each type counts up to its authorisation): it opens the holdings.
    assert 'href="/danh-muc/bien-che/?unit=tinh-a" data-testid="fill-rate"' in html
    parts = html[html.index('data-testid="coefficient-parts"') :]
    assert re.match(r'data-testid="coefficient-parts"><a href="[^"]*grade=1%2C2[^"]*">4</a>', parts)


def test_dashboard_lists_items_in_repair_sealed_and_awaiting_disposal(officer_client, world, rifles):
    items, jeep = rifles
    services.record_repair_start(items[3], occurred_on=date(2022, 1, 1), actor=world.officer)
    services.record_seal(items[4], occurred_on=date(2022, 1, 1), actor=world.officer)
    services.record_await_disposal(jeep, occurred_on=date(2022, 1, 1), actor=world.officer)
    html = officer_client.get(reverse("web:dashboard")).content.decode()
    watch = html[html.index('data-testid="watch"') :]
    for heading, serial in (("Đang sửa chữa", "AK-004"), ("Niêm cất", "AK-005"), ("Chờ thanh lý", "UAZ-01")):
        block = watch[watch.index(heading) :]
        assert serial in block[: block.index("</div>")], heading
    assert "Sự kiện gần đây" in html


def test_dashboard_charts_are_server_drawn_svg_with_links(officer_client, world, rifles):
    html = officer_client.get(reverse("web:dashboard")).content.decode()
    chart = html[html.index('data-testid="grade-chart"') : html.index("</figure>")]
    assert "<svg" in chart and "<script" not in html.split("</head>")[1]
    # Category "Vũ khí bộ binh": grades 1, 2, 3, 4 with 1, 2, 1, 1 rifles, each segment a link.
    assert (
        len(re.findall(r'<a href="/trang-bi/[^"]*"><rect x=[^>]*class="g[1-5]"', chart)) == 5
    )  # 4 rifle grades + the jeep's
    assert "grade=2" in chart and "Cấp 2: 2 (40" in chart
    ranking = html[html.index('data-testid="ranking-chart"') :]
    assert "Ban CHQS huyện Bát Xát" in ranking and "Ban CHQS huyện Sa Pa" in ranking
    # Ranked: Sa Pa (100 %) before Bát Xát (60 %).
    assert ranking.index("Sa Pa") < ranking.index("Bát Xát")
    assert 'style="' not in chart


def test_register_takes_several_grades_now_and_on_a_past_day(officer_client, world, rifles):
    assert count_on_page(officer_client.get(reverse("web:register"), {"grade": "1,2"}).content.decode()) == 4
    past = officer_client.get(reverse("web:register"), {"grade": "1,2", "on": "01/06/2022"}).content.decode()
    assert count_on_page(past) == 4


# ---- reports index -----------------------------------------------------------------------------


def test_reports_index_lists_the_printable_views_and_exports_of_the_subtree(officer_client, world):
    html = officer_client.get(reverse("web:reports"), {"unit": "huyen-a1"}).content.decode()
    for path in ("/trang-bi/in/?unit=huyen-a1", "/bien-ban/?unit=huyen-a1", "format=xlsx", "kind=lots&amp;format=xlsx"):
        assert path in html
    assert 'href="/bao-cao/?unit=huyen-a1"' in html  # the menu entry keeps the subtree
    for link in re.findall(r'<th scope="row"><a href="([^"]+)"', html):
        response = officer_client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link


@pytest.mark.django_db(transaction=True)
def test_two_officers_taking_the_same_number_at_once_one_wins_the_other_is_told(world):
    """The unique (issuing unit, year, number) constraint settles a race the check alone cannot."""
    import threading

    from django.db import connection

    first, second = (
        services.record_receipt(
            equipment_type=world.rifle,
            serial=serial,
            unit=world.district_a1,
            grade=2,
            occurred_on=D,
            actor=world.officer,
        ).item
        for serial in ("AK-RACE-1", "AK-RACE-2")
    )
    start = threading.Barrier(2)
    outcomes = []

    def hand(item):
        start.wait()
        try:
            hand_over(items=[item], to_unit=world.district_a2, parties=parties("30/BBBG"), actor=world.officer)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.field)
        except Exception as exc:  # noqa: BLE001 - reported below, a thread cannot raise into the test
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=hand, args=(item,)) for item in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["document_number", "ok"]
    record = HandoverRecord.objects.get()
    assert Event.objects.filter(kind=EventKind.TRANSFER).count() == 1
    assert record.lines.get().event.document_number == "30/BBBG"


def test_a_several_grade_filter_shows_in_the_grade_choice(officer_client, rifles):
    html = officer_client.get(reverse("web:register"), {"grade": "1,2"}).content.decode()
    assert '<option value="1,2" selected>Cấp 1,2</option>' in html


def test_a_register_longer_than_a_chunk_prints_every_row_numbered_on(officer_client, rifles, monkeypatch):
    from materiel.web import printing

    monkeypatch.setattr(printing, "CHUNK_ROWS", 4)
    html = printed(officer_client.get(reverse("web:register_print")))
    assert "Chỉ in" not in html and "Sẽ in đủ 6 trang bị" in html and "Cộng: 6 trang bị" in html
    numbers = re.findall(r'<tr><td class="center">([\d.]+)</td>', html)
    assert numbers == ["1", "2", "3", "4", "5", "6"]


def test_every_new_page_answers_in_english_too(officer_client, world, rifles, settings):
    items, _jeep = rifles
    record = hand_over(items=[items[0]], to_unit=world.district_a2, parties=parties(), actor=world.officer)
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = [
        reverse("web:dashboard"),
        reverse("web:register"),
        reverse("web:register_print"),
        reverse("web:item_print", args=[items[1].pk]),
        reverse("web:item_label", args=[items[1].pk]),
        reverse("web:handovers"),
        reverse("web:handover", args=[record.pk]),
        reverse("web:handover_print", args=[record.pk]),
        reverse("web:reports"),
    ]
    for url in pages:
        response = officer_client.get(url)
        assert response.status_code == 200 and response["Content-Language"] == "en", url
    step = bulk(officer_client, "grade", items[1:3], confirm=False)
    assert step.status_code == 200 and step["Content-Language"] == "en"


def test_a_reversed_transfer_stays_on_its_record_marked_cancelled(officer_client, world, rifles):
    items, _jeep = rifles
    record = hand_over(items=items[:2], to_unit=world.district_a2, parties=parties(), actor=world.officer)
    event = Event.objects.get(item=items[1], kind=EventKind.TRANSFER)
    services.reverse_event(event, reason="Ghi nhầm số hiệu", actor=world.officer)
    html = officer_client.get(reverse("web:handover_print", args=[record.pk])).content.decode()
    lines = html[html.index('data-testid="handover-lines"') :]
    assert lines.count('<tr class="reversed">') == 1 and "Đã hủy (ghi nhầm)" in lines
    assert re.search(r'<th colspan="4">Cộng</th><td class="num">1</td>', lines)
    assert record.lines.count() == 2


def test_lots_are_handed_over_from_the_lots_page_with_the_quantities_typed(officer_client, world):
    first, second = (
        services.record_lot_receipt(
            equipment_type=world.ammo,
            unit=world.district_a1,
            grade=grade,
            quantity=1000,
            occurred_on=D,
            actor=world.officer,
            lot_number=number,
        ).lot
        for number, grade in (("L1", 1), ("L2", 2))
    )
    page = officer_client.get(reverse("web:register"), {"kind": "lots", "unit": "huyen-a1"}).content.decode()
    assert f'name="lots" value="{first.pk}"' in page and 'name="action" value="transfer"' in page
    query = "?kind=lots&unit=huyen-a1"
    step = officer_client.post(
        reverse("web:register_bulk") + query, {"action": "transfer", "lots": [first.pk, second.pk]}
    ).content.decode()
    assert f'name="quantity-{first.pk}" value="1000"' in step and 'value="1/BBBG"' in step
    fields = {
        "action": "transfer",
        "confirm": "1",
        "lots": [first.pk, second.pk],
        f"quantity-{first.pk}": "1.200",
        f"quantity-{second.pk}": "250",
        "bulk-transfer-occurred_on": "05/02/2025",
        "bulk-transfer-to_unit": world.district_a2.code,
        "bulk-transfer-document_number": "1/BBBG",
    }
    refused = officer_client.post(reverse("web:register_bulk") + query, fields)
    assert refused.status_code == 422
    assert "Lô L1 (Đạn 7,62mm K56), mục “số lượng”: Lô chỉ còn 1.000, không thể xuất 1.200." in refused.content.decode()
    assert not HandoverRecord.objects.exists() and Lot.objects.filter(unit=world.district_a2).count() == 0
    done = officer_client.post(reverse("web:register_bulk") + query, {**fields, f"quantity-{first.pk}": "1.000"})
    record = HandoverRecord.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("web:handover", args=[record.pk])
    assert sorted(-line.event.quantity for line in record.lines.all()) == [250, 1000]
    assert sorted(Lot.objects.filter(unit=world.district_a2).values_list("quantity", flat=True)) == [250, 1000]
    html = officer_client.get(done["Location"]).content.decode()
    assert "Đã điều chuyển 2 lô, biên bản số 1/BBBG." in html and "L2" in html
