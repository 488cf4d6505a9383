"""Inspection pages through the test client: a run opened on a weapon room and by serials (unknown
ones named), the grid saved as a draft with a bad measure refused cell by cell (what was typed
kept), finished (the work order and the events linked), a finished run refused in Vietnamese,
corrective actions added, closed and overdue, the minute, templates and the duty matrix, replays."""

import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from materiel.core.errors import DomainError
from materiel.core.idempotency import FIELD
from materiel.inspections import services as insp
from materiel.inspections.models import ChecklistTemplate, CorrectiveAction, DutyRow, ItemReadiness, Result, Run
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.storage import services as storage
from materiel.storage.models import PlaceKind
from materiel.workorders.models import WorkOrder

from .test_inspections import D, fresh

TODAY = timezone.localdate()


@pytest.fixture
def room(world):
    """A weapon room of district A1 holding three rifles (AK-0, AK-1, AK-2)."""
    place = storage.save_place(
        actor=world.officer, unit=world.district_a1, kind=PlaceKind.objects.get(code="phong-vu-khi"), code="PVK",
        name="Phòng vũ khí đại đội 1",
    )  # fmt: skip
    rifles = []
    for n in range(3):
        item = services.record_receipt(
            equipment_type=world.rifle, serial=f"AK-{n}", unit=world.district_a1, grade=2, occurred_on=D,
            actor=world.officer,
        ).item  # fmt: skip
        storage.relocate(item, place=place, occurred_on=D + timedelta(days=1), actor=world.officer)
        rifles.append(fresh(item))
    return place, rifles


def body(response) -> str:
    return unescape(response.content.decode())


def open_form(world, room_place, **extra):
    data = {
        "unit": world.district_a1.code,
        "template": str(insp.current("sung-bo-binh-thuong-xuyen").pk),
        "kind": "",
        "inspector": "Đại úy Nguyễn Văn Hùng",
        "inspected_on": TODAY.strftime("%d/%m/%Y"),
        "place": str(room_place.pk),
        "serials": "",
        FIELD: "key-open-1-0001",
    }
    return data | extra


def grid(run, failed=(), measures=None, grades=None, action="save", key="key-grid-0001"):
    """The grid form as the browser sends it: every pass box ticked but the failed cells."""
    data = {"version": str(run.version), "action": action, FIELD: key}
    for ri in run.items.all():
        for step in run.steps.all():
            name = f"r-{ri.pk}-{step.pk}"
            if step.method == "measure":
                data[name] = (measures or {}).get((ri.item_id, step.position), "")
            elif (ri.item_id, step.position) not in failed:
                data[name] = "1"
        data[f"g-{ri.pk}"] = (grades or {}).get(ri.item_id, "")
    return data


def test_a_run_opened_on_a_weapon_room_entered_finished_and_read_only(client, world, room):
    place, rifles = room
    client.force_login(world.officer)
    assert client.get(f"/kiem-tra/lap/?unit={world.district_a1.code}").status_code == 200
    refused = client.post("/kiem-tra/lap/", open_form(world, place, place="", serials="AK-0\nKHONG-CO\nZZ-9"))
    assert refused.status_code == 422
    assert "Không tìm thấy trang bị số hiệu KHONG-CO, ZZ-9" in body(refused)
    opened = client.post("/kiem-tra/lap/", open_form(world, place))
    run = Run.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/kiem-tra/{run.pk}/"
    assert client.post("/kiem-tra/lap/", open_form(world, place)).status_code == 302  # a replay
    assert Run.objects.count() == 1
    page = body(client.get(f"/kiem-tra/{run.pk}/"))
    assert "Tất cả đạt" in page and "AK-2" in page

    listed = body(client.get(f"/kiem-tra/?unit={world.district_a1.code}&state=draft"))
    assert f"KT-{run.pk}" in listed and "Đại úy Nguyễn Văn Hùng" in listed
    assert f"KT-{run.pk}" not in body(client.get(f"/kiem-tra/?unit={world.district_a1.code}&state=finished"))

    saved = client.post(f"/kiem-tra/{run.pk}/", grid(run, failed={(rifles[0].pk, 2), (rifles[0].pk, 3)},
                                                      grades={rifles[0].pk: "4"}))  # fmt: skip
    assert saved.status_code == 302
    run.refresh_from_db()
    assert len(insp.findings(run)) == 2 and run.items.get(item=rifles[0]).grade_proposed == 4
    stale = client.post(f"/kiem-tra/{run.pk}/", grid(run, key="key-stale-0001") | {"version": "1"})
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in body(stale)

    failed = {(rifles[0].pk, 2), (rifles[0].pk, 3)}
    finishing = grid(run, failed=failed, grades={rifles[0].pk: "4"}, action="finish", key="key-fin-0001")
    finished = client.post(f"/kiem-tra/{run.pk}/", finishing)
    assert finished.status_code == 302
    run.refresh_from_db()
    assert run.is_finished and fresh(rifles[0]).grade == 4
    assert ItemReadiness.objects.get(item=rifles[0]).reason.code == "phat-hien-nghiem-trong"
    order = WorkOrder.objects.get()
    page = body(client.get(f"/kiem-tra/{run.pk}/"))
    assert f'href="/phieu-cong-viec/{order.pk}/"' in page and order.number in page
    assert "Lý do chưa sẵn sàng" in page and 'name="action" value="save"' not in page  # read only
    events = Event.objects.count()
    again = client.post(f"/kiem-tra/{run.pk}/", grid(run, action="save", key="key-after-0001"))
    assert again.status_code == 422
    assert f"Lần kiểm tra KT-{run.pk} đã kết thúc: không thể sửa" in body(again)
    assert Event.objects.count() == events and WorkOrder.objects.count() == 1
    item_page = body(client.get(f"/trang-bi/{rifles[0].pk}/"))
    assert "Phát hiện nghiêm trọng khi kiểm tra" in item_page
    inspections = item_page[item_page.index('data-testid="item-inspections"') :]
    assert f"KT-{run.pk}" in inspections and "Đã kết thúc" in inspections
    link = f"/kiem-tra/lap/?unit={world.district_a1.code}&serial=AK-0"
    assert link in item_page  # "inspect this item"
    assert ">AK-0</textarea>" in body(client.get(link))  # the item's serial filled in


def test_a_bad_measure_is_refused_cell_by_cell_and_what_was_typed_is_kept(client, world, room):
    _place, rifles = room
    measured = insp.save_template(
        actor=world.officer, code="do", name="Đo khe hở", kind="periodic",
        steps=[insp.Step("Khe hở khóa nòng", "major", "measure", "mm", 0, "0,5", effect="work_order")],
    )  # fmt: skip
    run = insp.open_run(
        actor=world.officer, unit=world.district_a1, template=measured, inspector="A", inspected_on=TODAY,
        kind="periodic", items=rifles[:2],
    )  # fmt: skip
    client.force_login(world.officer)
    response = client.post(
        f"/kiem-tra/{run.pk}/", grid(run, measures={(rifles[0].pk, 1): "0,3", (rifles[1].pk, 1): "nhiều"})
    )
    assert response.status_code == 422
    page = body(response)
    assert "Bước 1 “Khe hở khóa nòng”, trang bị AK-1: giá trị đo phải là số." in page
    assert 'value="nhiều"' in page and 'value="0,3"' in page and "bad" in page
    assert not Result.objects.exists()  # nothing written
    ok = client.post(f"/kiem-tra/{run.pk}/", grid(run, measures={(rifles[0].pk, 1): "0,7"}, key="key-2-0001"))
    assert ok.status_code == 302
    assert [r.value for r in insp.findings(run)] == [insp.measured(run.items.first(), run.steps.get(), "0.7")]
    assert 'value="0,7"' in body(client.get(f"/kiem-tra/{run.pk}/"))
    bad_grade = client.post(f"/kiem-tra/{run.pk}/", grid(run, grades={rifles[0].pk: "9"}, key="key-3-0001"))
    assert bad_grade.status_code == 422 and "cấp chất lượng đề nghị phải từ 1 đến 5" in body(bad_grade)


def test_corrective_actions_on_the_run_page_and_the_overdue_list(client, world, room):
    place, _rifles = room
    run = insp.open_run(
        actor=world.officer, unit=world.district_a1, template=insp.current("sung-bo-binh-thuong-xuyen"),
        inspector="A", inspected_on=TODAY - timedelta(days=3), kind="regular", place=place,
    )  # fmt: skip
    client.force_login(world.officer)
    late = (TODAY - timedelta(days=2)).strftime("%d/%m/%Y")
    form = {"action": "add_action", "text": "Lau chùi, bôi dầu", "responsible": "Trung sĩ Páo", "deadline": late}
    assert client.post(f"/kiem-tra/{run.pk}/", form | {FIELD: "key-a1-0001"}).status_code == 302
    assert client.post(f"/kiem-tra/{run.pk}/", form | {FIELD: "key-a1-0001"}).status_code == 302  # a replay
    assert CorrectiveAction.objects.count() == 1
    missing = client.post(f"/kiem-tra/{run.pk}/", form | {"deadline": "mai", FIELD: "key-a2-0001"})
    assert missing.status_code == 422 and "Thời hạn phải có dạng dd/mm/yyyy." in body(missing)
    overdue = body(client.get(f"/kiem-tra/bien-phap/?unit={world.district_a1.code}&overdue=1"))
    assert "Lau chùi, bôi dầu" in overdue and "quá hạn" in overdue
    action = CorrectiveAction.objects.get()
    close = {"action": "close_action", "corrective": str(action.pk), "done": " ", "closed_on": ""}
    refused = client.post(f"/kiem-tra/{run.pk}/", close | {FIELD: "key-c1-0001"})
    assert refused.status_code == 422 and "chưa ghi kết quả thực hiện, không thể đóng" in body(refused)
    bad_day = client.post(
        f"/kiem-tra/{run.pk}/", close | {"done": "Đã lau chùi kỹ", "closed_on": "32/13", FIELD: "key-c3-0001"}
    )
    assert bad_day.status_code == 422 and 'value="Đã lau chùi kỹ"' in body(bad_day)  # what was typed is kept
    done = client.post(f"/kiem-tra/{run.pk}/", close | {"done": "Đã lau chùi", FIELD: "key-c2-0001"})
    assert done.status_code == 302
    listed = body(client.get(f"/kiem-tra/bien-phap/?unit={world.district_a1.code}")).split('data-testid="open-actions"')
    assert "Lau chùi, bôi dầu" not in listed[1]
    minute = body(client.get(f"/kiem-tra/{run.pk}/ban-in/"))
    assert "Biên bản kiểm tra kỹ thuật" in minute and "Đã lau chùi" in minute and "Chỉ huy đơn vị" in minute
    assert "BẢN NHÁP" in minute  # a draft's minute says so on paper too
    insp.finish_run(run, actor=world.officer)
    assert "BẢN NHÁP" not in body(client.get(f"/kiem-tra/{run.pk}/ban-in/"))


def test_templates_versioned_and_the_duty_matrix_edited(client, world):
    client.force_login(world.officer)
    old = insp.current("sung-bo-binh-thuong-xuyen")
    assert "Kiểm tra thường xuyên súng bộ binh" in body(client.get("/kiem-tra/mau-phieu/"))
    form = body(client.get(f"/kiem-tra/mau-phieu/{old.pk}/sua/"))
    assert "Bộ phận cò, kim hỏa hoạt động tốt" in form
    data = {
        "version": str(old.pk), "rows": "2", "name": old.name, "kind": "regular", FIELD: "key-t1-0001",
        "s1-text": "Súng sạch", "s1-method": "pass_fail", "s1-severity": "minor", "s1-effect": "note",
        "s2-text": "Khe hở", "s2-method": "measure", "s2-measure_unit": "mm", "s2-lower": "5", "s2-upper": "1",
        "s2-severity": "major", "s2-effect": "note",
    }  # fmt: skip
    refused = client.post(f"/kiem-tra/mau-phieu/{old.pk}/sua/", data)
    assert refused.status_code == 422 and "Bước 2: giới hạn dưới lớn hơn giới hạn trên." in body(refused)
    saved = client.post(f"/kiem-tra/mau-phieu/{old.pk}/sua/", data | {"s2-lower": "0", "s2-upper": "0,5"})
    new = insp.current(old.code)
    assert saved.status_code == 302 and new.version == 2 and new.steps.count() == 2
    stale = client.post(f"/kiem-tra/mau-phieu/{old.pk}/sua/", data | {"s2-lower": "0", FIELD: "key-t2-0001"})
    assert stale.status_code == 409 and ChecklistTemplate.objects.filter(code=old.code).count() == 2
    versions = body(client.get(f"/kiem-tra/mau-phieu/{new.pk}/"))
    assert "Phiên bản 1" in versions and "Phiên bản 2" in versions

    assert "Chỉ huy tiểu đội, trung đội" in body(client.get("/kiem-tra/ma-tran/"))
    row = DutyRow.objects.first()
    page = body(client.get(f"/kiem-tra/ma-tran/{row.pk}/"))
    stamp = page.split('name="version" value="')[1].split('"')[0]
    edit = {
        "version": stamp, "inspector": "Chỉ huy trung đội", "frequency": "weekly",
        "template_code": row.template_code, "place_kind": str(row.place_kind_id), FIELD: "key-d1-0001",
    }  # fmt: skip
    assert client.post(f"/kiem-tra/ma-tran/{row.pk}/", edit).status_code == 302
    row.refresh_from_db()
    assert row.inspector == "Chỉ huy trung đội" and row.frequency == "weekly"
    stale = client.post(f"/kiem-tra/ma-tran/{row.pk}/", edit | {"inspector": "Khác", FIELD: "key-d2-0001"})
    assert stale.status_code == 409
    empty = {"inspector": "X", "frequency": "daily", "template_code": row.template_code, FIELD: "key-d3-0001"}
    nothing = client.post("/kiem-tra/ma-tran/them/", empty)
    assert nothing.status_code == 422 and "Chọn điều được kiểm tra" in body(nothing)


def test_a_commander_reads_but_does_not_edit(client, world, room):
    place, _rifles = room
    client.force_login(world.commander)
    assert client.get("/kiem-tra/").status_code == 200
    assert client.get("/kiem-tra/lap/").status_code == 403
    assert client.get("/kiem-tra/mau-phieu/them/").status_code == 403
    assert client.get("/kiem-tra/ma-tran/them/").status_code == 403
    assert client.get("/kiem-tra/mau-phieu/").status_code == 200


class Chrome(HTMLParser):
    """The interface text of a page: headings, column headers (not a step's, which is data),
    buttons, labels, links of the toolbars."""

    WATCHED = {"h2", "h3", "button", "label", "legend"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "br"):
            return
        classes = dict(attrs).get("class") or ""
        watched = tag in self.WATCHED or (tag == "th" and "step" not in classes and dict(attrs).get("scope") != "row")
        self.stack.append(watched and "language" not in str(dict(attrs).get("name")))

    def handle_endtag(self, tag):
        if self.stack and tag not in ("input", "br"):
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] and data.strip():
            self.texts.append(data.strip())


VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


def test_every_inspection_page_reads_in_english(client, world, room):
    place, rifles = room
    run = insp.open_run(
        actor=world.officer, unit=world.district_a1, template=insp.current("sung-bo-binh-thuong-xuyen"),
        inspector="A", inspected_on=TODAY, kind="regular", place=place,
    )  # fmt: skip
    step = run.steps.get(position=3)
    insp.enter_results(run, actor=world.officer, results={(run.items.first().pk, step.pk): False})
    insp.add_action(run, actor=world.officer, text="X", responsible="Y", deadline=TODAY)
    finished = insp.open_run(
        actor=world.officer, unit=world.district_a1, template=insp.current("sung-bo-binh-thuong-xuyen"),
        inspector="B", inspected_on=TODAY, kind="regular", items=[rifles[0]],
    )  # fmt: skip
    insp.finish_run(finished, actor=world.officer)
    template, row = insp.current("sung-bo-binh-thuong-xuyen"), DutyRow.objects.first()
    client.force_login(world.officer)
    client.cookies["django_language"] = "en"
    pages = [
        "/kiem-tra/", "/kiem-tra/lap/", f"/kiem-tra/{run.pk}/", f"/kiem-tra/{finished.pk}/",
        f"/kiem-tra/{run.pk}/ban-in/", "/kiem-tra/bien-phap/", "/kiem-tra/mau-phieu/",
        f"/kiem-tra/mau-phieu/{template.pk}/", f"/kiem-tra/mau-phieu/{template.pk}/sua/", "/kiem-tra/mau-phieu/them/",
        "/kiem-tra/ma-tran/", f"/kiem-tra/ma-tran/{row.pk}/", "/kiem-tra/ma-tran/them/",
    ]  # fmt: skip
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode()
        chrome = Chrome()
        chrome.feed(response.content.decode())
        left = [text for text in chrome.texts if VIETNAMESE.search(text)]
        assert not left, f"{url}: Vietnamese left in English: {left}"


def test_the_run_list_reads_the_same_number_of_queries_for_more_runs(client, world, room):
    place, _rifles = room

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/kiem-tra/?unit={world.district_a1.code}").status_code == 200
        return len(captured)

    def another():
        insp.open_run(
            actor=world.officer, unit=world.district_a1, template=insp.current("sung-bo-binh-thuong-xuyen"),
            inspector="A", inspected_on=TODAY, kind="regular", place=place,
        )  # fmt: skip

    client.force_login(world.officer)
    another()
    queries()
    few = queries()
    for _ in range(5):
        another()
    assert queries() == few


def test_measures_read_the_vietnamese_way(world, room):
    _place, rifles = room
    measured = insp.save_template(
        actor=world.officer, code="ap-suat", name="Áp suất", kind="periodic",
        steps=[insp.Step("Áp suất", "major", "measure", "kPa", 200, "2.600")],
    )  # fmt: skip
    run = insp.open_run(
        actor=world.officer, unit=world.district_a1, template=measured, inspector="A", inspected_on=TODAY,
        kind="periodic", items=rifles[:1],
    )  # fmt: skip
    cell = (run.items.get().pk, run.steps.get().pk)
    for typed, passed in (("1.234,5", True), ("2.700", False), ("27,5", False), ("١٢٣٤", None)):
        if passed is None:
            with pytest.raises(DomainError):
                insp.enter_results(run, actor=world.officer, results={cell: typed})
            continue
        insp.enter_results(run, actor=world.officer, results={cell: typed})
        assert (insp.findings(run) == []) is passed, typed


JUNK = ["", "x", "-1", "99999999999999999999", "1e999", "NaN", "١٢", "01/13/2025", "31/02/2025", "<b>", "9" * 300]


def test_junk_in_every_field_of_every_form_is_refused_without_a_crash(client, world, room):
    place, _rifles = room
    run = insp.open_run(
        actor=world.officer, unit=world.district_a1, template=insp.current("sung-bo-binh-thuong-xuyen"),
        inspector="A", inspected_on=TODAY, kind="regular", place=place,
    )  # fmt: skip
    template, row = insp.current("sung-bo-binh-thuong-xuyen"), DutyRow.objects.first()
    cells = [f"r-{ri.pk}-{s.pk}" for ri in run.items.all() for s in run.steps.all()]
    forms = {
        "/kiem-tra/lap/": ["unit", "template", "kind", "inspector", "inspected_on", "place", "serials"],
        f"/kiem-tra/{run.pk}/": ["action", "version", "text", "responsible", "deadline", "result", "corrective",
                                 "done", "closed_on", *cells, f"g-{run.items.first().pk}"],
        f"/kiem-tra/mau-phieu/{template.pk}/sua/": ["version", "rows", "name", "kind", "category", "equipment_type",
                                                    "s1-text", "s1-method", "s1-lower", "s1-upper", "s1-severity",
                                                    "s1-effect", "s1-reason"],
        "/kiem-tra/mau-phieu/them/": ["code", "name", "kind", "rows", "s1-text", "s1-severity"],
        f"/kiem-tra/ma-tran/{row.pk}/": ["version", "inspector", "frequency", "template_code", "category",
                                         "equipment_type", "unit_kind", "place_kind"],
        "/kiem-tra/ma-tran/them/": ["inspector", "frequency", "template_code", "place_kind"],
    }  # fmt: skip
    client.force_login(world.officer)
    templates, duties = ChecklistTemplate.objects.count(), DutyRow.objects.count()
    for url, fields in forms.items():
        for junk in JUNK:
            for action in ("save", "finish", "add_action", "close_action", "nothing"):
                data = dict.fromkeys(fields, junk) | {"action": action}
                response = client.post(url, data)
                assert response.status_code in (302, 403, 404, 409, 422), (url, junk, action, response.status_code)
                if "action" not in fields and action != "save":
                    break
    for query in ("?state=x&kind=y&from=99/99/9999&to=x&page=-1", "?overdue=1&page=999999", "?rows=99999"):
        for url in ("/kiem-tra/", "/kiem-tra/bien-phap/", f"/kiem-tra/mau-phieu/{template.pk}/sua/"):
            assert client.get(url + query).status_code == 200
    assert (ChecklistTemplate.objects.count(), DutyRow.objects.count()) == (templates, duties)  # nothing of junk kept


def test_a_run_records_the_kits_it_found_short_and_only_those(client, world, room):
    from materiel.catalog.models import KitLine
    from materiel.equipment.models import ItemKitShortage, Kit
    from materiel.inspections.models import InspectionLine

    place, rifles = room
    box = KitLine.objects.create(equipment_type=world.rifle, name="Hộp tiếp đạn", quantity=4)
    bayonet = KitLine.objects.create(equipment_type=world.rifle, name="Lưỡi lê", quantity=1, position=1)
    # AK-1 was already short of its bayonet: found so again, nothing new is recorded for it.
    services.record_kit(rifles[1], shortages=[{"line": bayonet.pk, "missing": 1}], occurred_on=D + timedelta(days=2),
                        actor=world.officer)  # fmt: skip
    client.force_login(world.officer)
    client.post("/kiem-tra/lap/", open_form(world, place))
    run = Run.objects.get()
    page = body(client.get(f"/kiem-tra/{run.pk}/"))
    ri = {r.item_id: r.pk for r in run.items.all()}
    assert f'name="k-{ri[rifles[1].pk]}-{bayonet.pk}-m" value="1"' in page  # what it is short of now
    data = grid(run, action="finish", key="key-kit-0001")
    data[f"k-{ri[rifles[0].pk]}-{box.pk}-m"] = "x"
    refused = client.post(f"/kiem-tra/{run.pk}/", data)
    assert refused.status_code == 422 and "AK-0, “Hộp tiếp đạn”: số thiếu, hỏng phải là số nguyên" in body(refused)
    assert 'value="x"' in body(refused) and not run.event_lines.exists()
    data = grid(run, action="finish", key="key-kit-0002")
    data[f"k-{ri[rifles[0].pk]}-{box.pk}-m"] = "2"
    data[f"k-{ri[rifles[1].pk]}-{bayonet.pk}-m"] = "1"
    data[f"k-{ri[rifles[2].pk]}-{box.pk}-m"] = "5"
    too_many = client.post(f"/kiem-tra/{run.pk}/", data)
    assert too_many.status_code == 422 and "nhiều hơn 4" in body(too_many)
    data[f"k-{ri[rifles[2].pk]}-{box.pk}-m"] = ""
    data[FIELD] = "key-kit-0003"
    assert client.post(f"/kiem-tra/{run.pk}/", data).status_code == 302
    assert fresh(rifles[0]).kit == Kit.MISSING and fresh(rifles[2]).kit == Kit.COMPLETE
    kit_events = [line.event for line in InspectionLine.objects.filter(record=run) if line.event.kind == "kit"]
    assert [e.item_id for e in kit_events] == [rifles[0].pk]
    assert kit_events[0].document_number == f"KT-{run.pk}"
    assert list(ItemKitShortage.objects.filter(item=rifles[0]).values_list("line", "missing")) == [(box.pk, 2)]
    assert "thiếu 2 Hộp tiếp đạn" in body(client.get(f"/kiem-tra/{run.pk}/"))
