"""The count and grading campaign: a province launches it, each unit's sheet lists what it held on
the reference date, the count's discrepancies, the two approvals, the one batch of events written
at the final approval exactly once, and the refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from materiel.core.errors import ConflictError, DomainError
from materiel.core.records import AppendOnlyError
from materiel.counts import services as counts
from materiel.counts.discrepancies import summarise
from materiel.counts.models import CampaignState, CountLine, LineKind, Sheet, SheetState, Step
from materiel.equipment.models import Item, Lot, Status
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.ledger.verify import verify_ledger
from materiel.storage.models import PlaceKind, StoragePlace
from materiel.storage.services import relocate

from .factories import make_user

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=400)
REFERENCE = TODAY - timedelta(days=30)


@pytest.fixture
def stock(world):
    """District A1 holds three rifles (one in its depot K1), a lot of 500 rounds; the commune holds a
    rifle; a rifle received after the reference date is not listed; province B holds a rifle."""
    world.keeper = make_user("thukho-a1", world.district_a1, "depot_keeper")
    world.unit_commander = make_user("chihuy-a1", world.district_a1, "commander")
    depot = StoragePlace.objects.create(
        unit=world.district_a1, kind=PlaceKind.objects.get(code="kho"), code="K1", name="Kho K1"
    )
    made = {}
    for serial, unit in [
        ("KK-1", world.district_a1),
        ("KK-2", world.district_a1),
        ("KK-3", world.district_a1),
        ("KK-X1", world.commune_a1),
        ("KK-B1", world.province_b),
    ]:
        made[serial] = services.record_receipt(
            equipment_type=world.rifle, serial=serial, unit=unit, grade=2, occurred_on=RECEIVED, actor=world.admin
        ).item
    relocate(made["KK-1"], place=depot, occurred_on=RECEIVED + timedelta(days=1), actor=world.admin)
    services.record_receipt(
        equipment_type=world.rifle,
        serial="KK-LATE",
        unit=world.district_a1,
        grade=1,
        occurred_on=TODAY - timedelta(days=5),
        actor=world.admin,
    )
    services.record_lot_receipt(
        unit=world.district_a1,
        equipment_type=world.ammo,
        grade=1,
        quantity=500,
        lot_number="L1",
        occurred_on=RECEIVED,
        actor=world.admin,
    )
    world.items, world.depot = made, depot
    return world


def launch(world, **kw):
    return counts.launch(
        actor=world.officer,
        unit=world.province_a,
        title="Kiểm kê năm 2026",
        reference_date=REFERENCE,
        deadline=TODAY + timedelta(days=30),
        **kw,
    )


def sheet_of(campaign, unit):
    return Sheet.objects.get(campaign=campaign, unit=unit)


def fill(sheet, actor, **by_serial):
    """All found, then the exceptions: serial -> LineChange fields."""
    counts.mark_all_found(sheet, actor=actor)
    changes = [
        counts.LineChange(sheet.lines.get(serial_expected=serial).pk, **fields) for serial, fields in by_serial.items()
    ]
    if changes:
        counts.update_lines(sheet, changes, actor=actor)
    return Sheet.objects.get(pk=sheet.pk)


def through_unit(world, sheet):
    counts.submit(sheet, actor=world.keeper)
    return counts.approve_unit(sheet, actor=world.unit_commander)


def test_each_unit_gets_the_sheet_of_what_it_held_on_the_reference_date(stock):
    campaign = launch(stock)
    units = set(campaign.sheets.values_list("unit__code", flat=True))
    assert units == {"tinh-a", "huyen-a1", "huyen-a2", "xa-a1"}  # province B is not in the subtree
    a1 = sheet_of(campaign, stock.district_a1)
    lines = list(a1.lines.order_by("position"))
    # The depot's rifle first (by place), then the others, the lot last.
    assert [(line.kind, line.serial_expected) for line in lines] == [
        ("item", "KK-1"),
        ("item", "KK-2"),
        ("item", "KK-3"),
        ("lot", ""),
    ]
    assert lines[0].place == stock.depot and lines[1].place is None
    assert lines[3].quantity_expected == 500
    assert list(sheet_of(campaign, stock.commune_a1).lines.values_list("serial_expected", flat=True)) == ["KK-X1"]


def test_a_scope_of_categories_lists_only_them(stock):
    campaign = launch(stock, categories=[stock.ammo.category])
    assert [line.kind for line in sheet_of(campaign, stock.district_a1).lines.all()] == ["lot"]


def test_the_discrepancies_and_the_summary(stock):
    campaign = launch(stock)
    sheet = fill(
        sheet_of(campaign, stock.district_a1),
        stock.keeper,
        **{"KK-2": {"found": False}, "KK-3": {"grade_found": 4, "serial_read": "KK-3B"}},
    )
    counts.update_lines(
        sheet, [counts.LineChange(sheet.lines.get(kind="lot").pk, quantity_counted="480")], actor=stock.keeper
    )
    counts.add_surplus(sheet, actor=stock.keeper, equipment_type=stock.rifle, serial="KK-NEW", grade=3)
    figures = summarise(sheet)
    assert figures["missing"] == 1 and figures["grade"] == 1 and figures["serial"] == 1
    assert figures["quantity"] == 1 and figures["surplus"] == 1
    assert figures["items"] == 3 and figures["found"] == 2 and figures["lot_counted"] == 480
    assert figures["by_grade"] == {"1": 480, "2": 1, "3": 1, "4": 1}


def test_the_final_approval_writes_every_event_once_dated_the_reference_date(stock):
    campaign = launch(stock)
    sheet = fill(
        sheet_of(campaign, stock.district_a1), stock.keeper, **{"KK-2": {"found": False}, "KK-3": {"grade_found": 4}}
    )
    counts.update_lines(
        sheet, [counts.LineChange(sheet.lines.get(kind="lot").pk, quantity_counted=480)], actor=stock.keeper
    )
    counts.add_surplus(sheet, actor=stock.keeper, equipment_type=stock.rifle, serial="KK-NEW", grade=3)
    before = Event.objects.count()
    sheet = through_unit(stock, sheet)
    assert Event.objects.count() == before  # nothing written before the echelon's approval
    sheet = counts.approve(sheet, actor=stock.officer)
    events = list(Event.objects.filter(pk__in=CountLine.objects.filter(record=sheet).values("event")).order_by("id"))
    assert sorted(e.kind for e in events) == ["grade_change", "lose", "lot_issue", "receipt"]
    assert {e.occurred_on for e in events} == {REFERENCE}
    assert Item.objects.get(serial="KK-2").status == Status.LOST
    assert Item.objects.get(serial="KK-3").grade == 4
    assert Item.objects.get(serial="KK-NEW").unit == stock.district_a1
    assert Lot.objects.get(lot_number="L1").quantity == 480
    assert sheet.state == SheetState.APPROVED and sheet.summary["missing"] == 1
    written = Event.objects.count()
    # A second approval, a retry, a double submit: nothing more.
    counts.approve(sheet, actor=stock.officer)
    counts.approve(Sheet.objects.get(pk=sheet.pk), actor=stock.officer, version=1)
    counts.submit(sheet, actor=stock.keeper)
    assert Event.objects.count() == written and CountLine.objects.filter(record=sheet).count() == 4
    assert verify_ledger().ok


def test_the_approved_figures_are_frozen(stock):
    campaign = launch(stock)
    sheet = through_unit(stock, fill(sheet_of(campaign, stock.district_a1), stock.keeper))
    sheet = counts.approve(sheet, actor=stock.officer)
    frozen = dict(sheet.summary)
    services.record_receipt(
        equipment_type=stock.rifle,
        serial="KK-9",
        unit=stock.district_a1,
        grade=1,
        occurred_on=REFERENCE - timedelta(days=2),
        actor=stock.admin,
    )
    assert Sheet.objects.get(pk=sheet.pk).summary == frozen
    with pytest.raises(DomainError) as refused:
        counts.update_lines(sheet, [counts.LineChange(sheet.lines.first().pk, found=False)], actor=stock.keeper)
    assert refused.value.field == "state"


def test_one_refused_event_writes_none(stock):
    campaign = launch(stock)
    sheet = fill(
        sheet_of(campaign, stock.district_a1), stock.keeper, **{"KK-2": {"found": False}, "KK-3": {"grade_found": 4}}
    )
    sheet = through_unit(stock, sheet)
    # KK-3 was graded after the reference date: a grade change dated then would break its book's order.
    services.record_grade_change(
        Item.objects.get(serial="KK-3"), grade=3, reason="Sửa", occurred_on=TODAY, actor=stock.admin
    )
    before = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        counts.approve(sheet, actor=stock.officer)
    assert refused.value.field == "lines" and "KK-3" in refused.value.message
    assert Event.objects.count() == before and Item.objects.get(serial="KK-2").status == Status.IN_SERVICE
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.UNIT_APPROVED


def test_counting_an_item_twice_is_refused_by_field(stock):
    campaign = launch(stock)
    sheet = sheet_of(campaign, stock.district_a1)
    counts.mark_all_found(sheet, actor=stock.keeper)
    with pytest.raises(DomainError) as twice:
        counts.add_surplus(sheet, actor=stock.keeper, equipment_type=stock.rifle, serial="kk-2", grade=2)
    assert twice.value.field == "serial"
    line = sheet.lines.get(serial_expected="KK-3")
    with pytest.raises(DomainError) as read_twice:
        counts.update_lines(sheet, [counts.LineChange(line.pk, serial_read="KK-2")], actor=stock.keeper)
    assert read_twice.value.field == "serial_read"
    assert sheet.lines.get(pk=line.pk).serial_read == "KK-3"  # nothing half-written


def test_approving_or_submitting_with_unresolved_lines_is_refused(stock):
    campaign = launch(stock)
    sheet = sheet_of(campaign, stock.district_a1)
    counts.update_lines(
        sheet, [counts.LineChange(sheet.lines.get(serial_expected="KK-1").pk, found=True)], actor=stock.keeper
    )
    with pytest.raises(DomainError) as refused:
        counts.submit(sheet, actor=stock.keeper)
    assert refused.value.field == "lines" and "3" in refused.value.message
    with pytest.raises(DomainError):
        counts.approve_unit(sheet, actor=stock.unit_commander)


def test_bad_values_name_the_line_and_field(stock):
    sheet = sheet_of(launch(stock), stock.district_a1)
    lot = sheet.lines.get(kind=LineKind.LOT)
    with pytest.raises(DomainError) as refused:
        counts.update_lines(sheet, [counts.LineChange(lot.pk, quantity_counted="-3")], actor=stock.keeper)
    assert refused.value.field == "quantity_counted" and f"Dòng {lot.position}" in refused.value.message
    item = sheet.lines.get(serial_expected="KK-1")
    with pytest.raises(DomainError) as grade:
        counts.update_lines(sheet, [counts.LineChange(item.pk, found=True, grade_found=9)], actor=stock.keeper)
    assert grade.value.field == "grade_found"


def test_sending_back_and_the_step_log(stock):
    campaign = launch(stock)
    sheet = fill(sheet_of(campaign, stock.district_a1), stock.keeper)
    counts.submit(sheet, actor=stock.keeper)
    with pytest.raises(DomainError) as no_reason:
        counts.send_back(sheet, actor=stock.unit_commander, reason=" ")
    assert no_reason.value.field == "reason"
    counts.send_back(sheet, actor=stock.unit_commander, reason="Đếm lại kho K1")
    sheet = through_unit(stock, Sheet.objects.get(pk=sheet.pk))
    counts.send_back(sheet, actor=stock.officer, reason="Thiếu chữ ký")
    moves = list(Step.objects.filter(sheet=sheet).values_list("to_state", "note"))
    assert moves == [
        ("counting", ""),
        ("submitted", ""),
        ("returned", "Đếm lại kho K1"),
        ("submitted", ""),
        ("unit_approved", ""),
        ("returned", "Thiếu chữ ký"),
    ]
    with pytest.raises(AppendOnlyError):
        Step.objects.filter(sheet=sheet).delete()


def test_who_may_do_what(stock):
    campaign = launch(stock)
    sheet = fill(sheet_of(campaign, stock.district_a1), stock.keeper)
    with pytest.raises(DomainError):
        counts.launch(actor=stock.keeper, unit=stock.district_a1, title="x", reference_date=REFERENCE, deadline=TODAY)
    counts.submit(sheet, actor=stock.keeper)
    with pytest.raises(DomainError):  # a technical officer is not the commander
        counts.approve_unit(sheet, actor=stock.keeper)
    sheet = counts.approve_unit(sheet, actor=stock.unit_commander)
    with pytest.raises(DomainError):  # the keeper is not the launching echelon
        counts.approve(sheet, actor=stock.keeper)
    district_officer = make_user("tlkt-a1", stock.district_a1)
    with pytest.raises(DomainError):  # nor is the district's officer: the province launched it
        counts.approve(sheet, actor=district_officer)
    with pytest.raises(DomainError):
        counts.approve(sheet, actor=stock.outsider)


def test_a_stale_version_is_refused(stock):
    sheet = sheet_of(launch(stock), stock.district_a1)
    counts.mark_all_found(sheet, actor=stock.keeper, version=1)
    with pytest.raises(ConflictError):
        counts.mark_all_found(sheet, actor=stock.keeper, version=1)


def test_the_campaign_closes_when_every_sheet_is_approved(stock):
    campaign = launch(stock, unit_kinds=[stock.commune_a1.kind])
    sheet = through_unit(stock, fill(sheet_of(campaign, stock.commune_a1), stock.keeper))
    counts.approve(sheet, actor=stock.officer)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED


def test_a_lost_item_found_again_as_surplus(stock):
    lost = services.record_loss(
        stock.items["KK-X1"], reason="Mất", occurred_on=REFERENCE - timedelta(days=10), actor=stock.admin
    )
    campaign = launch(stock, unit_kinds=[stock.commune_a1.kind])
    sheet = sheet_of(campaign, stock.commune_a1)
    assert not sheet.lines.exists()
    counts.add_surplus(sheet, actor=stock.keeper, equipment_type=stock.rifle, serial="KK-X1", grade=2)
    counts.approve(through_unit(stock, sheet), actor=stock.officer)
    assert lost.item.__class__.objects.get(pk=lost.item_id).status == Status.IN_SERVICE


# ---- pages ----------------------------------------------------------------------------------------


def page(client, url, **data):
    response = client.get(url, data) if not data else client.post(url, data)
    return response, response.content.decode()


def test_the_pages_launch_fill_submit_and_approve(client, stock):
    from django.urls import reverse

    client.force_login(stock.officer)
    response = client.post(
        reverse("counts:create") + f"?unit={stock.province_a.code}",
        {"title": "Kiểm kê thử", "reference_date": REFERENCE.strftime("%d/%m/%Y"), "deadline": "x"},
    )
    assert response.status_code == 422 and "Hạn hoàn thành phải có dạng dd/mm/yyyy" in response.content.decode()
    response = client.post(
        reverse("counts:create") + f"?unit={stock.province_a.code}",
        {
            "title": "Kiểm kê thử",
            "reference_date": REFERENCE.strftime("%d/%m/%Y"),
            "deadline": TODAY.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    from materiel.counts.models import Campaign

    campaign = Campaign.objects.get(title="Kiểm kê thử")
    board = client.get(reverse("counts:detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="count-not_started">4<' in board
    # Each count opens exactly those units.
    listed = client.get(reverse("counts:detail", args=[campaign.pk]), {"state": "not_started"}).content.decode()
    assert listed.count("data-unit=") == 4
    sheet = sheet_of(campaign, stock.district_a1)
    client.force_login(stock.keeper)
    url = reverse("counts:sheet", args=[sheet.pk])
    assert client.post(url, {"action": "all_found", "version": sheet.version}).status_code == 302
    sheet.refresh_from_db()
    missing = sheet.lines.get(serial_expected="KK-2")
    regraded = sheet.lines.get(serial_expected="KK-3")
    form = {
        "action": "save",
        "version": sheet.version,
        f"f-{missing.pk}": "0",
        f"f-{regraded.pk}": "1",
        f"g-{regraded.pk}": "4",
    }
    assert client.post(url, form).status_code == 302
    bad = client.post(
        url, {"action": "save", "version": sheet.version + 1, f"g-{regraded.pk}": "9", f"f-{regraded.pk}": "1"}
    )
    assert bad.status_code == 422 and "grade_found" in bad.content.decode()
    assert client.post(url, {"action": "submit", "version": sheet.version + 1}).status_code == 302
    client.force_login(stock.unit_commander)
    sheet.refresh_from_db()
    assert client.post(url, {"action": "approve_unit", "version": sheet.version}).status_code == 302
    client.force_login(stock.officer)
    sheet.refresh_from_db()
    assert 'data-testid="approve-final"' in client.get(url).content.decode()
    assert client.post(url, {"action": "approve", "version": sheet.version}).status_code == 302
    assert Item.objects.get(serial="KK-2").status == Status.LOST and Item.objects.get(serial="KK-3").grade == 4
    minute = client.get(reverse("counts:minute", args=[campaign.pk])).content.decode()
    assert 'data-unit="huyen-a1"' in minute and 'data-testid="missing">1<' in minute
    printed = client.get(reverse("counts:sheet_print", args=[sheet.pk])).content.decode()
    assert "Phiếu kiểm kê vũ khí, trang bị kỹ thuật" in printed and "KK-3" in printed


def test_another_subtree_sees_no_campaign_nor_sheet(client, stock):
    from django.urls import reverse

    campaign = launch(stock)
    sheet = sheet_of(campaign, stock.district_a1)
    client.force_login(stock.outsider)
    assert client.get(reverse("counts:detail", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("counts:sheet", args=[sheet.pk])).status_code == 404
    assert client.get(reverse("counts:sheet_export", args=[sheet.pk])).status_code == 404
    assert "Kiểm kê năm 2026" not in client.get(reverse("counts:list")).content.decode()
    # A district sees the province's campaign, and only its own subtree's sheets on the board.
    client.force_login(stock.keeper)
    board = client.get(reverse("counts:detail", args=[campaign.pk])).content.decode()
    assert board.count("data-unit=") == 2 and 'data-testid="count-not_started">2<' in board
    listed = client.get(reverse("counts:list")).content.decode()
    assert 'data-testid="units">2<' in listed  # the units its board opens


# ---- XLSX -----------------------------------------------------------------------------------------


def _filled(data: bytes, **cells) -> bytes:
    """The exported workbook with cells changed: (serial or row number) -> {column index: value}."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    header = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Dòng")
    for key, values in cells.items():
        if key.startswith("new"):
            row = ws.max_row + 1
        elif key.startswith("label_"):
            label = {"label_unit": "Mã đơn vị", "label_campaign": "Đợt kiểm kê số"}[key]
            row = next(r for r in range(1, header) if str(ws.cell(r, 1).value).startswith(label))
            ws.cell(row, 1).value = f"{label}: {values}"
            continue
        else:
            row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 6).value == key)
        for column, value in values.items():
            ws.cell(row, column + 1).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_xlsx_round_trip(client, stock):
    from django.urls import reverse

    campaign = launch(stock)
    sheet = sheet_of(campaign, stock.district_a1)
    client.force_login(stock.keeper)
    exported = b"".join(client.get(reverse("counts:sheet_export", args=[sheet.pk])).streaming_content)
    filled = _filled(
        exported,
        **{
            "KK-1": {8: "C"},
            "KK-2": {8: "K", 13: "Không thấy trong kho"},
            "KK-3": {8: "c", 10: 4, 11: "Thiếu lưỡi lê"},
            "L1": {12: 490},
            "new1": {1: "Thừa", 3: "ak47", 9: "KK-THUA", 10: 3},
        },
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("counts:sheet", args=[sheet.pk])
    response = client.post(url, {"action": "import", "file": SimpleUploadedFile("p.xlsx", filled)})
    assert response.status_code == 302, response.content.decode()[:2000]
    lines = {line.serial_expected or line.serial_read: line for line in sheet.lines.all()}
    assert lines["KK-2"].found is False and lines["KK-2"].note == "Không thấy trong kho"
    assert lines["KK-3"].grade_found == 4 and lines["KK-3"].kit_missing == "Thiếu lưỡi lê"
    assert lines[""].quantity_counted == 490 and lines["KK-THUA"].kind == "surplus"
    assert counts.unresolved(Sheet.objects.get(pk=sheet.pk)) == []


def test_a_bad_file_names_every_bad_cell_and_writes_nothing(client, stock):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    campaign = launch(stock)
    sheet = sheet_of(campaign, stock.district_a1)
    client.force_login(stock.keeper)
    exported = b"".join(client.get(reverse("counts:sheet_export", args=[sheet.pk])).streaming_content)
    url = reverse("counts:sheet", args=[sheet.pk])
    bad = _filled(exported, **{"KK-1": {8: "C"}, "KK-2": {8: "có lẽ"}, "KK-3": {8: "C", 10: 7}, "L1": {12: "nhiều"}})
    response = client.post(url, {"action": "import", "file": SimpleUploadedFile("p.xlsx", bad)})
    text = response.content.decode()
    assert response.status_code == 422
    assert "cột I" in text and "cột K" in text and "cột M" in text
    assert not sheet.lines.filter(found__isnull=False).exists()
    other = _filled(exported, label_unit="huyen-a2")
    response = client.post(url, {"action": "import", "file": SimpleUploadedFile("p.xlsx", other)})
    assert response.status_code == 422 and 'data-field="unit"' in response.content.decode()
    another = _filled(exported, label_campaign="999")
    response = client.post(url, {"action": "import", "file": SimpleUploadedFile("p.xlsx", another)})
    assert response.status_code == 422 and 'data-field="campaign"' in response.content.decode()
    response = client.post(url, {"action": "import", "file": SimpleUploadedFile("p.xlsx", b"not a workbook")})
    assert response.status_code == 422 and 'data-field="file"' in response.content.decode()


# ---- API ------------------------------------------------------------------------------------------


def test_the_api_walks_a_sheet_from_launch_to_approval(stock):
    from .test_api import Api

    officer, keeper, commander = Api(stock.officer), Api(stock.keeper), Api(stock.unit_commander)
    body = {
        "unit": stock.province_a.code,
        "title": "Kiểm kê API",
        "reference_date": REFERENCE.isoformat(),
        "deadline": TODAY.isoformat(),
        "unit_kinds": [stock.district_a1.kind.code],
    }
    assert keeper.post("/counts/campaigns", body).status_code == 404  # the province is outside its subtree
    assert keeper.post("/counts/campaigns", body | {"unit": stock.district_a1.code}).status_code == 403
    response = officer.post("/counts/campaigns", body)
    assert response.status_code == 200, response.content
    campaign = response.json()
    assert campaign["progress"]["not_started"] == 2
    sheet_id = next(s["id"] for s in campaign["sheets"] if s["unit"] == "huyen-a1")
    sheet = keeper.post(f"/counts/sheets/{sheet_id}/all-found", {}).json()
    missing = next(line for line in sheet["lines"] if line["serial_expected"] == "KK-2")
    bad = keeper.post(f"/counts/sheets/{sheet_id}/lines", {"lines": [{"line": missing["id"], "quantity_counted": -1}]})
    assert bad.status_code == 422
    sheet = keeper.post(f"/counts/sheets/{sheet_id}/lines", {"lines": [{"line": missing["id"], "found": False}]}).json()
    assert sheet["figures"]["missing"] == 1
    assert keeper.post(f"/counts/sheets/{sheet_id}/submit", {}).json()["state"] == "submitted"
    assert keeper.post(f"/counts/sheets/{sheet_id}/unit-approval", {}).status_code == 403
    assert commander.post(f"/counts/sheets/{sheet_id}/unit-approval", {}).json()["state"] == "unit_approved"
    approved = officer.post(f"/counts/sheets/{sheet_id}/approval", {}).json()
    assert approved["state"] == "approved" and len(approved["events"]) == 1
    again = officer.post(f"/counts/sheets/{sheet_id}/approval", {}).json()
    assert again["events"] == approved["events"]
    outsider = Api(stock.outsider)
    assert outsider.get(f"/counts/sheets/{sheet_id}").status_code == 404
    assert outsider.get(f"/counts/campaigns/{campaign['id']}").status_code == 404


def test_the_board_and_the_list_read_a_fixed_number_of_queries(client, stock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    campaign = launch(stock)
    client.force_login(stock.officer)

    def queries(url):
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    board = reverse("counts:detail", args=[campaign.pk])
    queries(board)  # the first request reads what a session caches
    few = queries(board)
    for n in range(6):
        from materiel.ledger import reorganisation as reorg

        reorg.create_unit(
            code=f"xa-them-{n}", name=f"Xã thêm {n}", kind=stock.commune_a1.kind, parent=stock.district_a2,
            founded_on=REFERENCE - timedelta(days=900), actor=stock.admin,
        )  # fmt: skip
    more = launch(stock)
    assert more.sheets.count() == campaign.sheets.count() + 6
    assert queries(reverse("counts:detail", args=[more.pk])) == few
    queries(reverse("counts:list"))
    listed = queries(reverse("counts:list"))
    launch(stock)
    assert queries(reverse("counts:list")) == listed


def test_a_kit_found_short_is_read_against_the_types_kit_and_recorded_at_the_approval(stock):
    from materiel.catalog.models import KitLine
    from materiel.equipment.models import ItemKitShortage, Kit

    box = KitLine.objects.create(equipment_type=stock.rifle, name="Hộp tiếp đạn", quantity=4)
    campaign = launch(stock)
    sheet = sheet_of(campaign, stock.district_a1)
    counts.mark_all_found(sheet, actor=stock.keeper)
    line = sheet.lines.get(serial_expected="KK-1")
    with pytest.raises(DomainError) as refused:
        counts.update_lines(sheet, [counts.LineChange(line.pk, kit_missing="Báng súng thiếu 1")], actor=stock.keeper)
    assert refused.value.field == "kit_missing" and "Báng súng" in refused.value.message
    sheet = fill(Sheet.objects.get(pk=sheet.pk), stock.keeper, **{"KK-1": {"kit_missing": "hộp tiếp đạn thiếu 2"},
                                                                  "KK-2": {"kit_missing": "đủ"}})  # fmt: skip
    sheet = counts.approve(through_unit(stock, sheet), actor=stock.officer)
    kit_events = Event.objects.filter(pk__in=CountLine.objects.filter(record=sheet).values("event"), kind="kit")
    assert [e.item.serial for e in kit_events] == ["KK-1"]  # KK-2 was already whole: nothing to record
    assert Item.objects.get(serial="KK-1").kit == Kit.MISSING
    assert list(ItemKitShortage.objects.filter(item__serial="KK-1").values_list("line", "missing")) == [(box.pk, 2)]
    assert verify_ledger().ok
