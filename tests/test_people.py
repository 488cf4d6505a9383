"""Technical staff: people with their unit and skill level over time, scoped by their unit on the
day; certifications and the board of those expiring; courses, exams, contests, initiatives; the
Campaign 50 dataset functions; the pages, the print, the XLSX and the API."""

import io
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from materiel.core.errors import DomainError
from materiel.people import datasets, services
from materiel.people.models import (
    CertificationKind,
    Level,
    Membership,
    Person,
    Result,
    SkillLevel,
    Specialty,
    TrainingKind,
)

from .test_api import Api

TODAY = timezone.localdate()
LONG_AGO = date(2018, 1, 1)


def ref(model, code):
    return model.objects.get(code=code)


def level(n):
    return SkillLevel.objects.get(rank=n)


@pytest.fixture
def staff(world):
    """Two ordnance technicians of district A1 (one at level 3, certified until soon; one not
    certified) and a vehicle mechanic of province B."""
    make = services.create_person
    a = make(
        actor=world.officer, unit=world.district_a1, full_name="Nguyễn Văn Khí", rank="Thượng sĩ",
        position="Thợ sửa chữa vũ khí", specialty=ref(Specialty, "quan-khi"), skill_level=level(3),
        joined_on=LONG_AGO, education="Trung cấp",
    )  # fmt: skip
    b = make(
        actor=world.officer, unit=world.district_a1, full_name="Lò Văn Đạn", specialty=ref(Specialty, "quan-khi"),
        joined_on=LONG_AGO,
    )  # fmt: skip
    c = make(
        actor=world.outsider, unit=world.post_b1, full_name="Giàng A Xe", specialty=ref(Specialty, "xe-may"),
        joined_on=LONG_AGO,
    )  # fmt: skip
    services.certify(
        a, actor=world.officer, kind=ref(CertificationKind, "sua-chua-vu-khi"), issued_on=date(2021, 5, 1),
        expires_on=TODAY + timedelta(days=20), number="CC-01",
    )  # fmt: skip
    return a, b, c


def test_reference_data_is_shipped_as_editable_examples(db):
    assert {s.code for s in Specialty.objects.all()} >= {"quan-khi", "xe-may", "thong-tin", "cong-binh", "hoa-hoc"}
    assert [lv.rank for lv in SkillLevel.objects.all()] == list(range(1, 8))
    assert {k.code for k in TrainingKind.objects.all()} == {"dao-tao", "tap-huan", "boi-duong"}


def test_a_person_moves_and_is_seen_by_their_unit_on_the_day(world, staff):
    a, _b, c = staff
    moved_on = TODAY - timedelta(days=30)
    services.move_person(a, actor=world.officer, to_unit=world.district_a2, moved_on=moved_on, document="12/QĐ")
    a.refresh_from_db()
    assert a.unit == world.district_a2
    assert list(Membership.objects.filter(person=a).values_list("unit__code", "valid_to")) == [
        ("huyen-a1", moved_on),
        ("huyen-a2", None),
    ]
    before = moved_on - timedelta(days=1)
    assert a in Person.objects.in_subtree(world.district_a1, before)
    assert a not in Person.objects.in_subtree(world.district_a1)
    assert a in Person.objects.in_subtree(world.district_a2)
    assert a not in Person.objects.in_subtree(world.district_a2, before)
    assert set(Person.objects.visible_to(world.officer)) == {a, staff[1]}
    assert set(Person.objects.visible_to(world.outsider)) == {c}
    assert set(Person.objects.visible_to(world.outsider, before)) == {c}


def test_a_person_in_two_units_on_one_day_is_refused_naming_the_field(world, staff):
    a = staff[0]
    with pytest.raises(DomainError) as refused:
        services.add_past_membership(
            a, actor=world.officer, unit=world.district_a2, valid_from=date(2017, 6, 1), valid_to=date(2018, 2, 1)
        )
    assert refused.value.field == "valid_from" and "hai đơn vị" in refused.value.message
    assert Membership.objects.filter(person=a).count() == 1
    services.add_past_membership(
        a, actor=world.officer, unit=world.district_a2, valid_from=date(2016, 6, 1), valid_to=LONG_AGO
    )
    assert a in Person.objects.in_subtree(world.district_a2, date(2017, 1, 1))
    with pytest.raises(DomainError) as refused:
        services.move_person(a, actor=world.officer, to_unit=world.district_a2, moved_on=LONG_AGO)
    assert refused.value.field == "moved_on"
    with pytest.raises(DomainError) as refused:
        services.move_person(a, actor=world.outsider, to_unit=world.post_b1, moved_on=TODAY)
    assert refused.value.code == "forbidden"


def test_a_certification_that_expires_before_its_issue_is_refused(world, staff):
    with pytest.raises(DomainError) as refused:
        services.certify(
            staff[1], actor=world.officer, kind=ref(CertificationKind, "thu-kho-dan"), issued_on=date(2024, 5, 1),
            expires_on=date(2024, 4, 30),
        )  # fmt: skip
    assert refused.value.field == "expires_on"
    assert not staff[1].certifications.exists()


def test_a_passed_exam_raises_the_level_from_its_day_and_keeps_the_history(world, staff):
    a = staff[0]
    held = TODAY - timedelta(days=10)
    with pytest.raises(DomainError) as refused:
        services.record_exam(a, actor=world.officer, level=level(3), held_on=held, passed=True)
    assert refused.value.field == "level"
    services.record_exam(a, actor=world.officer, level=level(4), held_on=held - timedelta(days=5), passed=False)
    assert Person.objects.get(pk=a.pk).skill_level == level(3)
    exam = services.record_exam(a, actor=world.officer, level=level(4), held_on=held, passed=True, score=Decimal(8))
    a.refresh_from_db()
    assert a.skill_level == level(4) and exam.level_before == level(3)
    assert [(s.level.rank, s.valid_from) for s in a.skill_steps.order_by("valid_from")] == [(3, LONG_AGO), (4, held)]
    assert services.level_on(a, held - timedelta(days=1)) == level(3)


def test_share_qualified_trained_and_initiatives_return_their_rows(world, staff):
    a, b, _c = staff
    share = datasets.share_qualified(world.province_a, TODAY)
    assert share.value == Decimal("50.0") and list(share.rows) == [a] and set(share.base) == {a, b}
    # A general certification qualifies whatever the specialty; a vehicle licence does not qualify an armourer.
    services.certify(
        b, actor=world.officer, kind=ref(CertificationKind, "lai-xe"), issued_on=date(2022, 1, 1), expires_on=None
    )
    assert datasets.share_qualified(world.province_a, TODAY).value == Decimal("50.0")
    assert datasets.share_qualified(world.province_a, date(2021, 4, 1)).value == Decimal("0.0")
    assert datasets.share_qualified(world.district_a2, TODAY).value is None
    course = services.create_course(
        actor=world.officer, unit=world.province_a, kind=ref(TrainingKind, "tap-huan"), title="Tập huấn quân khí",
        starts_on=date(2024, 3, 1), ends_on=date(2024, 3, 10),
    )  # fmt: skip
    services.add_participants(course, actor=world.officer, people=[a, b])
    with pytest.raises(DomainError) as refused:
        services.add_participants(course, actor=world.officer, people=[a])
    assert refused.value.field == "people" and "Nguyễn Văn Khí" in refused.value.message
    rows = {p.person_id: p.pk for p in course.participants.all()}
    services.set_result(course, actor=world.officer, participant=rows[a.pk], result=Result.PASSED, grade="Giỏi")
    services.set_result(course, actor=world.officer, participant=rows[b.pk], result=Result.FAILED)
    year = datasets.Period(date(2024, 1, 1), date(2024, 12, 31))
    trained = datasets.trained_in(world.province_a, year)
    assert trained.value == 1 and list(trained.rows) == [a]
    assert datasets.trained_in(world.province_b, year).value == 0
    assert datasets.trained_in(world.province_a, datasets.Period(date(2023, 1, 1), date(2023, 12, 31))).value == 0
    services.record_initiative(
        actor=world.officer, unit=world.district_a1, title="Giá kê sửa súng", level=ref(Level, "co-so"),
        recognised_on=date(2024, 6, 1), authors=[a, b], money_saved=Decimal(15_000_000), hours_saved=Decimal("120.5"),
    )  # fmt: skip
    found = datasets.initiatives_in(world.province_a, year)
    assert found.value == 1 and found.sums == {"money_saved": Decimal(15_000_000), "hours_saved": Decimal("120.5")}
    assert datasets.initiatives_in(world.province_b, year).value == 0
    with pytest.raises(DomainError) as refused:
        services.record_initiative(
            actor=world.officer, unit=world.district_a1, title="Không tác giả", level=ref(Level, "co-so"),
            recognised_on=date(2024, 6, 1), authors=[],
        )  # fmt: skip
    assert refused.value.field == "authors"


def test_the_board_counts_open_exactly_their_rows(client, world, staff):
    a, b, _c = staff
    kind = ref(CertificationKind, "thu-kho-dan")
    services.certify(b, actor=world.officer, kind=kind, issued_on=date(2020, 1, 1), expires_on=date(2023, 1, 1))
    old = services.certify(a, actor=world.officer, kind=kind, issued_on=date(2019, 1, 1), expires_on=date(2022, 1, 1))
    services.certify(a, actor=world.officer, kind=kind, issued_on=date(2022, 1, 1), expires_on=None)  # renewed
    client.force_login(world.officer)
    page = unescape(client.get("/can-bo/chung-chi/", {"unit": world.province_a.code}).content.decode())
    assert 'data-unit="tinh-a"><td><strong>Toàn Bộ CHQS tỉnh Lào Cai</strong></td>' in page
    for state, expected in (("expired", {"Lò Văn Đạn"}), ("expiring", {"Nguyễn Văn Khí"})):
        for unit in (world.province_a, world.district_a1):
            listed = client.get("/can-bo/chung-chi/", {"unit": unit.code, "state": state, "days": 60})
            text = unescape(listed.content.decode())
            assert {n for n in ("Lò Văn Đạn", "Nguyễn Văn Khí") if f'data-person="{n}"' in text} == expected
            assert f"{len(expected)} chứng chỉ" in text
    assert f"CC-{old.pk}" not in page
    none = unescape(
        client.get("/can-bo/chung-chi/", {"unit": world.district_a2.code, "state": "expired"}).content.decode()
    )
    assert "Không có chứng chỉ nào." in none
    short = client.get("/can-bo/chung-chi/", {"unit": world.province_a.code, "state": "expiring", "days": 5})
    assert 'data-person="Nguyễn Văn Khí"' not in short.content.decode()


def test_the_pages_create_certify_and_refuse_by_field(client, world, staff):
    client.force_login(world.officer)
    made = client.post(
        f"/can-bo/them/?unit={world.district_a1.code}",
        {"full_name": "Phạm Thị Tin", "specialty": ref(Specialty, "thong-tin").pk, "unit": world.district_a1.pk,
         "joined_on": "01/02/2020", "skill_level": level(2).pk, "rank": "Trung sĩ"},
    )  # fmt: skip
    assert made.status_code == 302, made.content.decode()[:2000]
    person = Person.objects.get(full_name="Phạm Thị Tin")
    url = f"/can-bo/{person.pk}/"
    body = {"action": "certify", "kind": ref(CertificationKind, "khai-thac-thong-tin").pk, "issued_on": "01/03/2024",
            "expires_on": "01/02/2024", "idempotency_key": "k-cert-0000001"}  # fmt: skip
    refused = client.post(url, body)
    assert refused.status_code == 422
    text = unescape(refused.content.decode())
    assert 'data-field="expires_on"' in text and 'value="01/02/2024"' in text
    body |= {"expires_on": "01/03/2029", "idempotency_key": "k-cert-0000002"}
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # replayed: written once
    assert person.certifications.count() == 1
    page = unescape(client.get(url).content.decode())
    assert "Chứng chỉ khai thác khí tài thông tin" in page and "Bậc 2/7" in page
    listing = unescape(
        client.get(
            "/can-bo/", {"unit": world.province_a.code, "specialty": ref(Specialty, "thong-tin").pk}
        ).content.decode()
    )
    assert 'data-person="Phạm Thị Tin"' in listing and 'data-person="Nguyễn Văn Khí"' not in listing
    assert "1 người" in listing
    moved = client.post(
        url, {"action": "move", "to_unit": world.district_a2.pk, "moved_on": TODAY.strftime("%d/%m/%Y"), "version": 1}
    )
    assert moved.status_code == 302
    assert Person.objects.get(pk=person.pk).unit == world.district_a2
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert "Phạm Thị Tin" not in client.get("/can-bo/").content.decode()
    client.force_login(world.commander)
    assert client.get("/can-bo/them/").status_code == 403
    assert client.post(url, {"action": "certify"}).status_code == 403


def test_the_staff_list_prints_and_exports_what_it_lists(client, world, staff):
    client.force_login(world.officer)
    query = {"unit": world.province_a.code, "level": level(3).pk}
    printed = unescape(client.get("/can-bo/ban-in/", query).content.decode())
    assert "Nguyễn Văn Khí" in printed and "Lò Văn Đạn" not in printed and "1 người" in printed
    response = client.get("/can-bo/xlsx/", {"unit": world.province_a.code})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert [(r[1], r[5], r[6]) for r in rows] == [
        ("Lò Văn Đạn", "Quân khí", None),
        ("Nguyễn Văn Khí", "Quân khí", "Bậc 3/7"),
    ]
    assert "Giàng A Xe" not in {c for r in sheet.iter_rows(values_only=True) for c in r if c}


def test_courses_contests_and_initiatives_pages(client, world, staff):
    a, b, _c = staff
    client.force_login(world.officer)
    made = client.post(
        f"/can-bo/khoa-hoc/?unit={world.district_a1.code}",
        {"title": "Bồi dưỡng sửa chữa", "kind": ref(TrainingKind, "boi-duong").pk, "starts_on": "01/03/2024",
         "ends_on": "28/02/2024"},
    )  # fmt: skip
    assert made.status_code == 422 and 'data-field="ends_on"' in made.content.decode()
    made = client.post(
        f"/can-bo/khoa-hoc/?unit={world.district_a1.code}",
        {"title": "Bồi dưỡng sửa chữa", "kind": ref(TrainingKind, "boi-duong").pk, "starts_on": "01/03/2024",
         "ends_on": "05/03/2024"},
    )  # fmt: skip
    assert made.status_code == 302
    course_url = made["Location"]
    assert client.post(course_url, {"action": "add", "person": [a.pk, b.pk], "version": 1}).status_code == 302
    participant = a.participations.get()
    assert (
        client.post(
            course_url, {"action": "result", "participant": participant.pk, "result": "passed", "version": 2}
        ).status_code
        == 302
    )
    assert unescape(client.get(course_url).content.decode()).count('data-testid="result">Đạt<') == 1
    contest = client.post(
        f"/can-bo/hoi-thi/?unit={world.province_a.code}",
        {
            "title": "Hội thao kỹ thuật 2024",
            "kind": "hoi-thao",
            "level": ref(Level, "tinh").pk,
            "held_on": "10/05/2024",
        },
    )
    assert contest.status_code == 302
    entry = client.post(
        contest["Location"], {"person": a.pk, "event": "Tháo lắp súng", "placing": "1", "award": "Giải Nhất"}
    )
    assert entry.status_code == 302 and a.entries.get().award == "Giải Nhất"
    bad = client.post(contest["Location"], {"person": b.pk, "placing": "một"})
    assert bad.status_code == 422 and 'data-field="placing"' in bad.content.decode()
    initiative = client.post(
        f"/can-bo/sang-kien/?unit={world.district_a1.code}",
        {"title": "Bàn kẹp nòng", "level": ref(Level, "co-so").pk, "recognised_on": "01/06/2024", "authors": [a.pk],
         "money_saved": "12.000.000", "hours_saved": "40,5"},
    )  # fmt: skip
    assert initiative.status_code == 302
    assert a.initiatives.get().money_saved == Decimal(12_000_000)
    listing = unescape(client.get("/can-bo/sang-kien/", {"unit": world.province_a.code}).content.decode())
    assert 'data-initiative="Bàn kẹp nòng"' in listing and "12.000.000" in listing and "40,5" in listing
    client.force_login(world.outsider)
    for url in (course_url, contest["Location"], initiative["Location"]):
        assert client.get(url).status_code == 404
    assert "Bàn kẹp nòng" not in client.get("/can-bo/sang-kien/").content.decode()


def test_the_api_records_people_certifications_courses_and_initiatives(world, staff):
    a = staff[0]
    api = Api(world.officer)
    made = api.post(
        "/people",
        {"unit": world.district_a2.code, "full_name": "Hà Văn Công", "specialty": "cong-binh",
         "joined_on": "2019-04-01", "skill_level": "bac-2"},
    )  # fmt: skip
    assert made.status_code == 200, made.content
    pid = made.json()["id"]
    bad = api.post(
        f"/people/{pid}/certifications",
        {"kind": "ra-pha-bom-min", "issued_on": "2024-01-01", "expires_on": "2023-01-01"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "expires_on"
    ok = api.post(
        f"/people/{pid}/certifications",
        {"kind": "ra-pha-bom-min", "issued_on": "2024-01-01", "expires_on": (TODAY + timedelta(days=3)).isoformat()},
    )
    assert ok.status_code == 200
    expiring = api.get("/certifications/expiring", unit=world.province_a.code, state="expiring")
    assert {c["full_name"] for c in expiring.json()} == {"Hà Văn Công", "Nguyễn Văn Khí"}
    moved = api.post(f"/people/{pid}/move", {"to_unit": world.district_a1.code, "moved_on": TODAY.isoformat()})
    assert moved.status_code == 200 and [m["unit"] for m in moved.json()["memberships"]] == ["huyen-a2", "huyen-a1"]
    course = api.post(
        "/training/courses",
        {
            "unit": world.province_a.code,
            "kind": "dao-tao",
            "title": "Đào tạo",
            "starts_on": "2024-01-01",
            "ends_on": "2024-02-01",
        },
    )
    assert course.status_code == 200
    cid = course.json()["id"]
    added = api.post(f"/training/courses/{cid}/participants", {"people": [pid, a.pk]})
    assert added.status_code == 200 and len(added.json()["participants"]) == 2
    initiative = api.post(
        "/initiatives",
        {
            "unit": world.district_a1.code,
            "title": "Sáng kiến",
            "level": "co-so",
            "recognised_on": "2024-05-01",
            "authors": [pid],
        },
    )
    assert initiative.status_code == 200 and initiative.json()["authors"] == [pid]
    people = api.get("/people", unit=world.province_a.code, specialty="quan-khi")
    assert [p["full_name"] for p in people.json()] == ["Lò Văn Đạn", "Nguyễn Văn Khí"]
    outsider = Api(world.outsider)
    assert outsider.get(f"/people/{pid}").status_code == 404
    assert outsider.get(f"/training/courses/{cid}").status_code == 404
    assert (
        outsider.post(f"/people/{pid}/move", {"to_unit": world.post_b1.code, "moved_on": TODAY.isoformat()}).status_code
        == 404
    )
    assert outsider.get("/people", unit=world.province_a.code).status_code == 404


def _queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


def test_lists_read_a_fixed_number_of_queries_and_name_nobody_moved_out_of_scope(client, world, staff):
    a, b, _c = staff
    level_ = ref(Level, "co-so")
    kind = ref(TrainingKind, "tap-huan")

    def add_records(n):
        for i in range(n):
            course = services.create_course(
                actor=world.officer, unit=world.district_a1, kind=kind, title=f"Khóa {i}", starts_on=date(2024, 1, 1),
                ends_on=date(2024, 1, 2),
            )  # fmt: skip
            services.add_participants(course, actor=world.officer, people=[a, b])
            services.record_initiative(
                actor=world.officer, unit=world.district_a1, title=f"Sáng kiến {i}", level=level_,
                recognised_on=date(2024, 2, 1), authors=[a, b],
            )  # fmt: skip

    client.force_login(world.officer)
    api = Api(world.officer, client)
    pages = {
        "people": lambda: client.get("/can-bo/", {"unit": world.province_a.code}),
        "courses": lambda: client.get("/can-bo/khoa-hoc/", {"unit": world.province_a.code}),
        "initiatives": lambda: client.get("/can-bo/sang-kien/", {"unit": world.province_a.code}),
        "api courses": lambda: api.get("/training/courses", unit=world.province_a.code),
        "api initiatives": lambda: api.get("/initiatives", unit=world.province_a.code),
        "api people": lambda: api.get("/people", unit=world.province_a.code),
    }
    add_records(1)
    for call in pages.values():  # the first request of a session reads more (session, caches)
        call()
    few = {name: _queries(call) for name, call in pages.items()}
    add_records(3)
    for i in range(3):
        services.create_person(
            actor=world.officer, unit=world.district_a2, full_name=f"Người {i}", specialty=ref(Specialty, "quan-khi"),
            joined_on=LONG_AGO, skill_level=level(2),
        )  # fmt: skip
    assert {name: _queries(call) for name, call in pages.items()} == few
    # Lò Văn Đạn moves to province B: province A's courses and initiatives no longer name him.
    services.move_person(b, actor=world.admin, to_unit=world.post_b1, moved_on=TODAY)
    listing = unescape(client.get("/can-bo/sang-kien/", {"unit": world.province_a.code}).content.decode())
    assert "Nguyễn Văn Khí" in listing and "Lò Văn Đạn" not in listing
    course = client.get(f"/can-bo/khoa-hoc/{a.participations.first().course_id}/").content.decode()
    assert "Lò Văn Đạn" not in unescape(course)
    assert all(i["authors"] == [a.pk] for i in api.get("/initiatives", unit=world.province_a.code).json())


def test_issuing_to_a_person_goes_through_the_category_gate_and_records_overrides(client, world, staff):
    from materiel.ledger import services as ledger
    from materiel.people import issuing
    from materiel.people.models import GateOutcome, Issuance

    a, b, _c = staff  # a holds a valid ordnance certification, b none
    rifles = [
        ledger.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-CP-{n}",
            unit=world.district_a1,
            grade=2,
            occurred_on=LONG_AGO,
            actor=world.officer,
        ).item  # fmt: skip
        for n in range(4)
    ]
    ordnance = ref(Specialty, "quan-khi")
    # No rule: issued, not checked; the holder text is the person's rank and name, as free text always was.
    first = issuing.issue_to_person(rifles[0], person=b, actor=world.officer, occurred_on=TODAY)
    assert first.gate == GateOutcome.NOT_CHECKED and first.event_lines.get().event.holder_after == "Lò Văn Đạn"
    with pytest.raises(DomainError):  # the administrator alone sets the gate
        issuing.set_rule(actor=world.officer, category=world.rifle.category, specialty=ordnance, policy="warn")
    issuing.set_rule(actor=world.admin, category=world.rifle.category, specialty=ordnance, policy="warn")
    with pytest.raises(DomainError) as warned:
        issuing.issue_to_person(rifles[1], person=b, actor=world.officer, occurred_on=TODAY)
    assert warned.value.field == "reason" and not Issuance.objects.filter(item=rifles[1]).exists()
    overridden = issuing.issue_to_person(
        rifles[1], person=b, actor=world.officer, occurred_on=TODAY, reason="Thay thế tạm thời trong diễn tập"
    )
    assert overridden.gate == GateOutcome.OVERRIDDEN and overridden.reason == "Thay thế tạm thời trong diễn tập"
    assert issuing.issue_to_person(rifles[2], person=a, actor=world.officer, occurred_on=TODAY).gate == "qualified"
    issuing.set_rule(actor=world.admin, category=world.rifle.category, specialty=ordnance, policy="refuse")
    with pytest.raises(DomainError) as refused:
        issuing.issue_to_person(rifles[3], person=b, actor=world.officer, occurred_on=TODAY, reason="Cần gấp")
    assert refused.value.field == "person" and "Lò Văn Đạn" in refused.value.message
    # The page: the refusal names the field; the API answers the same.
    client.force_login(world.officer)
    page = client.post(f"/can-bo/{b.pk}/", {"action": "issue", "serial": "AK-CP-3", "occurred_on": day_(TODAY)})
    assert page.status_code == 422 and 'data-field="person"' in page.content.decode()
    answer = Api(world.officer).post(f"/people/{b.pk}/issues", {"item": rifles[3].pk, "occurred_on": TODAY.isoformat()})
    assert answer.status_code == 422 and answer.json()["field"] == "person"
    shown = unescape(client.get(f"/can-bo/{b.pk}/").content.decode())
    assert "AK-CP-1" in shown and "Cấp khi chưa đủ điều kiện: Thay thế tạm thời trong diễn tập" in shown
    # The item page links its holder to the person; a free-text holder stays plain text.
    item_page = unescape(client.get(f"/trang-bi/{rifles[1].pk}/").content.decode())
    assert f'<a href="/can-bo/{b.pk}/">Lò Văn Đạn</a>' in item_page
    ledger.record_return(rifles[1], occurred_on=TODAY, actor=world.officer)
    ledger.record_issue(rifles[1], holder="Lò Văn Đạn", occurred_on=TODAY, actor=world.officer)
    item_page = unescape(client.get(f"/trang-bi/{rifles[1].pk}/").content.decode())
    assert 'data-testid="holder">Lò Văn Đạn</dd>' in item_page
    gate_page = client.get("/can-bo/dieu-kien-cap-phat/")
    assert gate_page.status_code == 200 and "Không cho cấp" in gate_page.content.decode()
    assert client.post("/can-bo/dieu-kien-cap-phat/", {"category": world.rifle.category.pk}).status_code == 403


def day_(d):
    return d.strftime("%d/%m/%Y")


def test_a_past_days_list_shows_who_was_there_and_in_which_unit(client, world, staff):
    a = staff[0]
    moved_on = TODAY - timedelta(days=10)
    services.move_person(a, actor=world.officer, to_unit=world.district_a2, moved_on=moved_on)
    client.force_login(world.officer)
    before = day_(moved_on - timedelta(days=1))
    past = unescape(client.get("/can-bo/", {"unit": world.district_a1.code, "on": before}).content.decode())
    row = f'<a href="/can-bo/{a.pk}/">Nguyễn Văn Khí</a></td><td>Thượng sĩ</td><td>Thợ sửa chữa vũ khí</td>'
    assert f"{row}<td>{world.district_a1.name}</td>" in past
    now = unescape(client.get("/can-bo/", {"unit": world.district_a1.code}).content.decode())
    assert 'data-person="Nguyễn Văn Khí"' not in now
    exported = client.get("/can-bo/xlsx/", {"unit": world.province_a.code, "on": before})
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    units = {r[1]: r[4] for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], int)}
    assert units["Nguyễn Văn Khí"] == world.district_a1.name
