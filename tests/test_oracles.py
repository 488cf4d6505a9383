"""A sibling province must not learn what another holds: a receipt of a serial held elsewhere, the
importer's duplicate check and "this file was already imported" answer without saying it exists there."""

import io
from datetime import date

import pytest

from materiel.core.errors import DomainError
from materiel.imports import steps
from materiel.imports.models import JobState
from materiel.ledger import services

from .test_imports import HEADER, xlsx

D = date(2021, 1, 1)


@pytest.fixture
def held_in_b(world):
    """Province B holds the AK-47 "B-777"."""
    return services.record_receipt(
        equipment_type=world.rifle, serial="B-777", unit=world.post_b1, grade=1, occurred_on=D, actor=world.outsider
    ).item


def refusal(world, serial) -> str:
    with pytest.raises(DomainError) as caught:
        services.record_receipt(
            equipment_type=world.rifle,
            serial=serial,
            unit=world.district_a1,
            grade=1,
            occurred_on=D,
            actor=world.officer,
        )
    return caught.value.message


def test_a_receipt_of_a_serial_held_in_another_province_says_only_that_it_cannot_be_used(world, held_in_b):
    message = refusal(world, "B-777")
    assert "đã có" not in message and "Lai Châu" not in message and "Ma Lù Thàng" not in message
    assert "không dùng được" in message
    # The same wording as a serial refused for its own sake (control characters, too long).
    tail = message.split("”")[1]
    assert refusal(world, "B-\x07").split("”")[1] == tail
    assert refusal(world, "B" * 81).split("”")[1] == tail
    # A serial of one's own scope is named as such: the user can see that item anyway.
    services.record_receipt(
        equipment_type=world.rifle, serial="A-1", unit=world.district_a2, grade=1, occurred_on=D, actor=world.officer
    )
    assert "đã có trong sổ" in refusal(world, "A-1")


def register_file(*rows) -> bytes:
    return xlsx([HEADER, *rows], title=False)


def test_the_importer_marks_as_duplicates_only_serials_of_ones_own_scope(world, held_in_b):
    services.record_receipt(
        equipment_type=world.rifle, serial="A-1", unit=world.district_a2, grade=1, occurred_on=D, actor=world.officer
    )
    data = register_file(
        [1, "A-1", "Súng tiểu liên AK-47", "Cấp 1", 2015, D, None, "", ""],
        [2, "B-777", "Súng tiểu liên AK-47", "Cấp 1", 2015, D, None, "", ""],
    )
    job = steps.create_job(world.officer, world.province_a, "a.xlsx", data)
    issues = {i["value"]: i for i in job.summary["issues"]}
    assert issues["A-1"]["duplicate"] is True
    other = issues["B-777"]
    assert other["duplicate"] is False and "không dùng được" in other["message"]
    assert "trùng" not in other["message"] and "đã có" not in other["message"]
    # Skipping duplicates does not make the out-of-scope row go away silently: nothing is written.
    steps.start_commit(job, force=False, skip_duplicates=True)
    assert job.state == JobState.REVIEW and job.batch is None


LOTS = register_file([1, "", "Đạn 7,62mm K56", 2, None, "2021", "1.234", "", "lô 2021"])


def upload(client, unit, data=LOTS):
    file = io.BytesIO(data)
    file.name = "dan.xlsx"
    response = client.post(f"/nhap-xuat/tai-len/?unit={unit}", {"file": file})
    assert response.status_code == 302
    return response["Location"]


def test_a_file_imported_by_another_province_is_not_mentioned(client, world):
    outsider = steps.create_job(world.outsider, world.province_b, "dan.xlsx", LOTS)
    steps.start_commit(outsider, force=False, skip_duplicates=False)
    assert outsider.state == JobState.DONE
    client.force_login(world.officer)
    page = client.get(upload(client, "tinh-a")).content.decode()
    assert "đã được nhập" not in page and "Tôi biết, vẫn nhập lại" not in page
    job = steps.create_job(world.officer, world.province_a, "dan.xlsx", LOTS)
    steps.start_commit(job, force=False, skip_duplicates=False)
    assert job.state == JobState.DONE, job.message
    # Within one's own scope the second import of the same file is still caught.
    again = steps.create_job(world.officer, world.province_a, "dan.xlsx", LOTS)
    assert "đã được nhập" in client.get(f"/nhap-xuat/nhap/{again.pk}/").content.decode()
    steps.start_commit(again, force=False, skip_duplicates=False)
    assert again.state == JobState.FAILED and "đã được nhập" in again.message
