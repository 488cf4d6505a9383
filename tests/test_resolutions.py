"""Resolutions: the chain of documents, targets measured by the indicator catalogue year by year on
the tree of each year (and "not measured" where a domain is missing), by-hand targets with evidence,
tasks done, late and open, the pages, the API, and who reads what."""

from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from materiel.core.errors import DomainError
from materiel.ledger import coefficients, services
from materiel.resolutions import services as res
from materiel.resolutions.models import Kind, TaskNote
from materiel.resolutions.progress import progress

from .test_api import Api

TODAY = timezone.localdate()
START = date(TODAY.year - 2, 1, 10)


@pytest.fixture
def documents(world):
    above = res.save_resolution(
        actor=world.admin, number="1656-NQ/QUTW", issued_on=START, issuer="Quân ủy Trung ương",
        title="Về lãnh đạo công tác kỹ thuật", kind=Kind.RESOLUTION, starts_on=START,
    )  # fmt: skip
    programme = res.save_resolution(
        actor=world.officer, number="15-CTr/ĐU", issued_on=START + timedelta(days=30), issuer="Đảng ủy Bộ CHQS tỉnh",
        title="Chương trình hành động tỉnh A", kind=Kind.PROGRAMME, starts_on=START + timedelta(days=30),
        unit=world.province_a, implements=above,
    )  # fmt: skip
    return above, programme


def rifle(world, serial, on, grade=1):
    return services.record_receipt(
        equipment_type=world.rifle, serial=serial, unit=world.district_a1, grade=grade, occurred_on=on,
        actor=world.officer,
    ).item  # fmt: skip


def test_targets_are_measured_each_year_on_the_data_of_that_year(world, documents):
    _above, programme = documents
    coefficient = res.add_target(programme, actor=world.officer, text="Hệ số kỹ thuật ≥ 90%",
                                 indicator="technical_coefficient", goal="90")  # fmt: skip
    trained = res.add_target(programme, actor=world.officer, text="Bồi dưỡng 100%", indicator="staff_trained", goal=100)
    by_hand = res.add_target(programme, actor=world.officer, text="Kho được cải tạo", goal="3")
    first, second = date(START.year, 6, 1), date(START.year + 1, 3, 1)
    a, b = rifle(world, "AK-N1", first), rifle(world, "AK-N2", first)
    services.record_grade_change(b, grade=4, reason="Hỏng", occurred_on=second, actor=world.officer)
    res.report_value(by_hand, actor=world.officer, unit=world.province_a, year=START.year, value="1",
                     evidence="Báo cáo năm")  # fmt: skip
    report = progress(world.officer, programme, world.province_a)
    assert report.years == [START.year, START.year + 1, START.year + 2]
    lines = {line.target.pk: line for line in report.lines}
    values = [c.figure.value for c in lines[coefficient.pk].cells]
    assert values == [Decimal(100), Decimal(50), Decimal(50)]
    assert values[1] == coefficients.summarise(world.province_a, date(START.year + 1, 12, 31)).coefficient
    assert [c.met for c in lines[coefficient.pk].cells] == [True, False, False]
    assert lines[coefficient.pk].cells[1].gap == Decimal(-40)
    assert f"on=31%2F12%2F{START.year}" in lines[coefficient.pk].cells[0].figure.url
    assert not any(c.figure.measured for c in lines[trained.pk].cells)  # never a zero for a missing domain
    assert [c.figure.value for c in lines[by_hand.pk].cells] == [Decimal(1), None, None]
    assert a.pk  # both rifles counted


def test_refusals_name_the_field(world, documents):
    above, programme = documents
    with pytest.raises(DomainError) as refused:
        res.add_target(programme, actor=world.officer, text="x", indicator="khong-co", goal=1)
    assert refused.value.field == "indicator"
    with pytest.raises(DomainError) as refused:
        res.add_target(programme, actor=world.officer, text="x", indicator="technical_coefficient",
                       params={"category": "khong-co"}, goal=1)  # fmt: skip
    assert refused.value.field == "params"
    with pytest.raises(DomainError) as refused:
        res.add_target(programme, actor=world.officer, text="x", indicator="fill_rate", params={"x": 1}, goal=1)
    assert refused.value.field == "params"
    target = res.add_target(programme, actor=world.officer, text="Kho", goal="3")
    with pytest.raises(DomainError) as refused:
        res.report_value(target, actor=world.officer, unit=world.province_a, year=START.year - 5, value=1, evidence="x")
    assert refused.value.field == "year"
    with pytest.raises(DomainError) as refused:
        res.save_resolution(actor=world.officer, number="9/NQ", issued_on=START, issuer="x", title="x",
                            kind=Kind.RESOLUTION, starts_on=START, ends_on=START - timedelta(days=1),
                            unit=world.province_a)  # fmt: skip
    assert refused.value.field == "ends_on"
    from materiel.accounts.scoping import PermissionDenied

    with pytest.raises(PermissionDenied):  # a province cannot write what is issued above the tree
        res.save_resolution(actor=world.officer, number="9/NQ", issued_on=START, issuer="x", title="x",
                            kind=Kind.RESOLUTION, starts_on=START)  # fmt: skip
    with pytest.raises(PermissionDenied):
        res.add_target(programme, actor=world.commander, text="x", goal=1)


def test_tasks_done_late_and_open_and_notes_are_append_only(world, documents):
    from materiel.core.records import AppendOnlyError

    _above, programme = documents
    done = res.add_task(programme, actor=world.officer, unit=world.district_a1, text="Cải tạo kho",
                        responsible="Phòng Kỹ thuật", deadline=TODAY - timedelta(days=5))  # fmt: skip
    late = res.add_task(programme, actor=world.officer, unit=world.district_a2, text="Máy hút ẩm",
                        responsible="Phòng Kỹ thuật", deadline=TODAY - timedelta(days=1))  # fmt: skip
    res.add_task(programme, actor=world.officer, unit=world.district_a2, text="Hội thi", responsible="Phòng Kỹ thuật",
                 deadline=TODAY + timedelta(days=30))  # fmt: skip
    note = res.note_task(done, actor=world.officer, text="Đã nghiệm thu", written_on=TODAY - timedelta(days=6),
                         state="done", version=1)  # fmt: skip
    with pytest.raises(DomainError):
        res.note_task(done, actor=world.officer, text="x", written_on=TODAY, version=1)  # stale version
    report = progress(world.officer, programme, world.province_a)
    assert [t.text for t in report.tasks.done] == ["Cải tạo kho"]
    assert [t.text for t in report.tasks.late] == ["Máy hút ẩm"] and len(report.tasks.open) == 1
    assert [t.text for t in progress(world.officer, programme, world.district_a1).tasks.done] == ["Cải tạo kho"]
    with pytest.raises(AppendOnlyError):
        TaskNote.objects.filter(pk=note.pk).update(text="x")
    assert late.pk


def test_pages_walk_a_document_and_a_stranger_reads_only_what_is_above_the_tree(client, world, documents):
    above, programme = documents
    client.force_login(world.officer)
    listed = unescape(client.get("/nghi-quyet/").content.decode())
    assert "1656-NQ/QUTW" in listed and "↳" in listed and "15-CTr/ĐU" in listed
    url = f"/nghi-quyet/{programme.pk}/"
    bad = client.post(url, {"action": "add_target", "text": "Hệ số", "indicator": "technical_coefficient",
                            "goal": "chín mươi", "idempotency_key": "key-target-0001"})  # fmt: skip
    assert bad.status_code == 422 and "Mục tiêu phải là số" in unescape(bad.content.decode())
    assert 'value="Hệ số"' in unescape(bad.content.decode())  # what was typed is kept
    added = {"action": "add_target", "text": "Hệ số kỹ thuật", "indicator": "technical_coefficient", "goal": "90",
             "comparison": "gte", "idempotency_key": "key-target-0002"}  # fmt: skip
    assert client.post(url, added).status_code == 302
    assert client.post(url, added).status_code == 302  # a replay writes nothing twice
    assert programme.targets.count() == 1
    rifle(world, "AK-P1", START + timedelta(days=40))
    page = unescape(client.get(f"/nghi-quyet/{programme.pk}/tien-do/?unit=tinh-a").content.decode())
    assert "Tiến độ thực hiện" in page and "100</a> ✓" in page and f">{START.year}</th>" in page
    xlsx = client.get(f"/nghi-quyet/{programme.pk}/tien-do/xlsx/?unit=tinh-a")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.get(f"/nghi-quyet/{above.pk}/").status_code == 200
    assert "15-CTr/ĐU" not in client.get("/nghi-quyet/").content.decode()
    api = Api(world.outsider)
    assert [r["number"] for r in api.get("/resolutions").json()] == ["1656-NQ/QUTW"]
    assert api.get(f"/resolutions/{programme.pk}/progress").status_code == 404
    mine = Api(world.officer).get(f"/resolutions/{programme.pk}/progress", unit="tinh-a").json()
    assert mine["targets"][0]["cells"][0]["value"] == "100.0" and mine["targets"][0]["cells"][0]["met"] is True
