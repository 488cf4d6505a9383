"""Issue #12, handover records: military wording of the signatories, numbers from the unit's real count."""

from datetime import date

import pytest
from django.urls import reverse

from materiel.documents.numbering import propose_number
from materiel.documents.services import Parties, hand_over
from materiel.documents.signatories import signatory
from materiel.ledger import services

D = date(2021, 1, 1)
HANDED = date(2025, 2, 5)


@pytest.fixture
def rifles(world):
    return [
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-{n:03d}",
            unit=world.district_a1,
            grade=2,
            occurred_on=D,
            actor=world.officer,
        ).item
        for n in range(1, 6)
    ]


def test_the_rank_is_read_from_the_front_of_rank_and_position():
    assert signatory("Lò Văn Giao", "Đại úy, Trợ lý quân khí").full_name == "Đại úy Lò Văn Giao"
    assert signatory("Lò Văn Giao", "Đại úy, Trợ lý quân khí").position == "Trợ lý quân khí"
    assert signatory("Vàng A Nhận", "thượng uý - Nhân viên kho").rank == "Thượng úy"
    assert signatory("Hà Thị Mai", "Trung úy QNCN, Thủ kho").full_name == "Trung úy QNCN Hà Thị Mai"
    # No rank written: nothing is guessed, the text is the position.
    assert signatory("Lò Văn Giao", "Trợ lý quân khí") == signatory("Lò Văn Giao", "Trợ lý quân khí")
    assert signatory("Lò Văn Giao", "Trợ lý quân khí").full_name == "Lò Văn Giao"
    assert signatory("Lò Văn Giao", "Đại đội trưởng").rank == ""  # "Đại" alone is no rank
    # The rank typed with the name already is not written twice.
    assert signatory("Đại úy Lò Văn Giao", "Đại úy, Trợ lý").full_name == "Đại úy Lò Văn Giao"


def test_the_printed_record_names_each_signatory_comrade_with_the_rank_before_the_name(client, world, rifles):
    record = hand_over(
        items=rifles[:1],
        to_unit=world.district_a2,
        parties=Parties(
            number="7/BBBG",
            handed_on=HANDED,
            giver_name="Lò Văn Giao",
            giver_title="Đại úy, Trợ lý quân khí",
            receiver_name="Vàng A Nhận",
            receiver_title="Nhân viên kho",
        ),
        actor=world.officer,
    )
    client.force_login(world.officer)
    html = client.get(reverse("web:handover_print", args=[record.pk])).content.decode()
    parties = html[html.index('data-testid="parties"') : html.index("</dl>", html.index('data-testid="parties"'))]
    assert "Ông (bà)" not in html
    assert "Đồng chí Đại úy Lò Văn Giao – Chức vụ: Trợ lý quân khí" in parties
    assert "Đồng chí Vàng A Nhận – Cấp bậc, chức vụ: Nhân viên kho" in parties
    signatures = html[html.index('data-testid="signatures"') :]
    assert '<p class="signer">Đại úy Lò Văn Giao</p>' in signatures
    assert '<p class="signer">Vàng A Nhận</p>' in signatures


def test_a_record_without_signatories_leaves_dots_to_fill_in(client, world, rifles):
    record = hand_over(
        items=rifles[:1],
        to_unit=world.district_a2,
        parties=Parties(number="8/BBBG", handed_on=HANDED),
        actor=world.officer,
    )
    client.force_login(world.officer)
    html = client.get(reverse("web:handover_print", args=[record.pk])).content.decode()
    assert html.count("Đồng chí …………………………") == 2


def test_the_next_number_is_the_units_own_not_the_seeds_or_another_documents(world, rifles):
    # The demo seed and imports write other numbers on transfers: "845/BBBG-2025", decisions, reorganisations.
    for item, number in zip(
        rifles[:3], ["845/BBBG-2025", "1234/QĐ-BQP", "Tổ chức lại đơn vị ngày 01/07/2025"], strict=True
    ):
        services.record_transfer(
            item, to_unit=world.commune_a1, occurred_on=HANDED, actor=world.officer, document_number=number
        )
    assert propose_number(world.district_a1, 2025) == "1/BBBG"
    hand_over(
        items=[rifles[3]],
        to_unit=world.district_a2,
        parties=Parties(number="3/BBBG", handed_on=HANDED),
        actor=world.officer,
    )
    # A transfer recorded without a record (API, import) in the unit's series counts, in any spacing.
    services.record_transfer(
        rifles[4], to_unit=world.commune_a1, occurred_on=HANDED, actor=world.officer, document_number="4 / bbbg"
    )
    assert propose_number(world.district_a1, 2025) == "5/BBBG"
    assert propose_number(world.district_a1, 2024) == "1/BBBG"


def test_the_records_export_puts_the_rank_before_the_name_too(client, world, rifles):
    import io

    import openpyxl

    hand_over(
        items=rifles[:1],
        to_unit=world.district_a2,
        parties=Parties(number="7/BBBG", handed_on=HANDED, giver_name="Lò Văn Giao", giver_title="Đại úy, Trợ lý"),
        actor=world.officer,
    )
    client.force_login(world.officer)
    response = client.get(reverse("web:handovers"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Đại úy Lò Văn Giao – Trợ lý" in values, values
