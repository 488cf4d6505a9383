"""The document engine (documents.engine): the two layout profiles as data, issuing bodies, one
dataset written as the print view, DOCX, PDF and XLSX, WeasyPrint fetching nothing, and report 1 of
the pack (quantity and quality by category) read back from each file."""

import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document as Docx
from openpyxl import load_workbook
from pypdf import PdfReader

from materiel.documents import engine
from materiel.documents.models import Family, IssuingBody, LayoutProfile
from materiel.ledger import services
from materiel.web.layouts import FIELDS

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
URL = "/bao-cao/so-luong-chat-luong/"


def period_before(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@pytest.fixture
def stocked(world):
    """Province A: three rifles and a truck before last month; during it one rifle left for province
    B, one was proposed for disposal, one arrived, one was sealed."""
    start, _end = period_before(timezone.localdate())
    before = start - timedelta(days=10)
    officer = world.officer

    def receive(serial, kind, unit, grade, on):
        return services.record_receipt(
            equipment_type=kind, serial=serial, unit=unit, grade=grade, occurred_on=on, actor=officer
        ).item

    ak1 = receive("AK-001", world.rifle, world.district_a1, 1, before)
    ak2 = receive("AK-002", world.rifle, world.district_a1, 2, before)
    ak3 = receive("AK-003", world.rifle, world.district_a1, 5, before)
    receive("UAZ-01", world.truck, world.district_a2, 1, before)
    services.record_await_disposal(ak3, occurred_on=start + timedelta(days=1), actor=officer)
    services.record_transfer(
        ak2,
        to_unit=world.province_b,
        occurred_on=start + timedelta(days=2),
        actor=world.admin,
        document_number="3/BBBG",
    )
    receive("AK-004", world.rifle, world.commune_a1, 2, start + timedelta(days=3))
    services.record_seal(ak1, occurred_on=start + timedelta(days=4), actor=officer)
    return world


def month_query(**extra):
    start, _end = period_before(timezone.localdate())
    return {"unit": "tinh-a", "period": "month", "year": start.year, "n": start.month, **extra}


def test_the_two_profiles_ship_as_data_with_their_unconfirmed_figures_named(db):
    state = LayoutProfile.objects.get(code="nd30-2020")
    party = LayoutProfile.objects.get(code="hd36-2018")
    assert (state.margin_top, state.margin_left, state.margin_right, state.body_size) == (20, 30, 15, 14)
    assert (state.recipients_label_size, state.recipients_size, state.page_numbers_from) == (12, 11, 2)
    assert state.number_text("12", "BC", "BCH") == "Số: 12/BC-BCH"
    assert party.number_text("15", "BC", "ĐU") == "Số 15-BC/ĐU"
    assert (party.title_text, party.title_size, party.issuer_mark) == ("ĐẢNG CỘNG SẢN VIỆT NAM", 15, "*")
    assert "margin_top" in party.unconfirmed and "margin_top" not in state.unconfirmed
    assert "recipients_size" not in state.unconfirmed and "title_size" in state.unconfirmed
    assert LayoutProfile.objects.in_force(Family.STATE, date(2026, 1, 1)) == state
    assert LayoutProfile.objects.in_force(Family.PARTY, date(2017, 1, 1)) is None


def test_the_report_reads_the_period_in_html_docx_pdf_and_xlsx_with_the_same_totals(client, stocked):
    world = stocked
    start, end = period_before(timezone.localdate())
    IssuingBody.objects.create(
        unit=world.province_a,
        family=Family.STATE,
        name="Bộ Chỉ huy Quân sự tỉnh Lào Cai",
        superior="Quân khu 2",
        abbreviation="BCH",
        print_rank=True,
        valid_from=date(2020, 1, 1),
    )
    client.force_login(world.officer)
    query = month_query(number="12", signer="Nguyễn Văn Đức", signer_title="Đại tá, Chỉ huy trưởng")
    page = client.get(URL, query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Số: 12/BC-BCH" in html and "QUÂN KHU 2" in html.upper()
    assert "Đại tá Nguyễn Văn Đức" in html
    # Every count links to what it counts: the register on the period's end.
    rifles = page.context["document"].tables()[0].rows[0]
    assert rifles[1].text == "Vũ khí bộ binh"
    held = [cell.value for cell in rifles[2:9]]
    assert held == [0, 3, 1, 1, 0, 0, 1]  # authorised, held, grades 1–5
    assert [c.value for c in rifles[11:15]] == [1, 1, 0, 1]  # in use, sealed, in repair, awaiting disposal
    assert [c.value for c in rifles[16:]] == [3, 1, 0, 1, 0, 0]  # start, receipts, in, out, disposals, losses
    link = rifles[3].href
    assert f"on={end:%d}%2F{end:%m}%2F{end:%Y}" in link and "category=vkbb" in link
    register = client.get(link)
    assert register.context["page"].paginator.count == 3
    sealed = client.get(rifles[12].href)
    assert sealed.context["page"].paginator.count == 1
    total = page.context["document"].tables()[0].total
    assert total[3].value == 4

    docx = client.get(URL, {**query, "format": "docx"})
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Docx(io.BytesIO(docx.content))
    head = doc.tables[0]
    assert "BỘ CHỈ HUY QUÂN SỰ TỈNH LÀO CAI" in head.cell(0, 0).text and "Số: 12/BC-BCH" in head.cell(0, 0).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head.cell(0, 1).text
    assert "Độc lập - Tự do - Hạnh phúc" in head.cell(0, 1).text
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "SỐ LƯỢNG, CHẤT LƯỢNG VŨ KHÍ, TRANG BỊ KỸ THUẬT" in texts.upper() and "BÁO CÁO" in texts
    grid = doc.tables[1]
    last = [cell.text for cell in grid.rows[-1].cells]
    assert last[1] == "Cộng" and last[3] == "4"
    signatures = doc.tables[2]
    assert "Nơi nhận:" in signatures.cell(0, 0).text and "Đại tá Nguyễn Văn Đức" in signatures.cell(0, 1).text
    assert doc.sections[0].different_first_page_header_footer

    pdf = client.get(URL, {**query, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(reader.pages[0].extract_text().split())
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/BC-BCH", "Vũ khí bộ binh", "Cộng"):
        assert phrase in text, phrase
    assert "Lào Cai, ngày" in text
    fonts = {str(f) for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts  # embedded

    xlsx = client.get(URL, {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    total_row = next(row for row in values if row[1] == "Cộng")
    assert total_row[3] == 4
    assert any(row[1] == "Vũ khí bộ binh" and row[3] == 3 for row in values)


def test_a_future_period_is_refused_and_another_subtree_is_404(client, stocked):
    client.force_login(stocked.officer)
    today = timezone.localdate()
    future = client.get(URL, {"unit": "tinh-a", "period": "year", "year": today.year + 1})
    assert future.status_code == 422
    assert "kỳ tương lai" in future.content.decode()
    bad = client.get(URL, {"unit": "tinh-a", "period": "month", "n": "13"})
    assert bad.status_code == 422 and "từ 1 đến 12" in bad.content.decode()
    assert client.get(URL, {**month_query(), "unit": "tinh-b"}).status_code == 404
    assert client.get(URL, {**month_query(), "unit": "tinh-b", "format": "pdf"}).status_code == 404


def test_the_party_profile_prints_the_party_header(client, stocked):
    client.force_login(stocked.officer)
    query = month_query(profile="hd36-2018", number="15")
    docx = Docx(io.BytesIO(client.get(URL, {**query, "format": "docx"}).content))
    left, right = docx.tables[0].rows[0].cells
    assert "ĐẢNG ỦY BỘ CHQS TỈNH LÀO CAI" in left.text and "*" in left.text and "Số 15-BC/ĐU" in left.text
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and right.paragraphs[0].runs[0].underline
    assert "T/M ĐẢNG ỦY" in docx.tables[2].cell(0, 1).text and "BÍ THƯ" in docx.tables[2].cell(0, 1).text
    text = PdfReader(io.BytesIO(client.get(URL, {**query, "format": "pdf"}).content)).pages[0].extract_text()
    text = " ".join(text.split())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Số 15-BC/ĐU" in text and "ĐẢNG BỘ BỘ TƯ LỆNH QUÂN KHU 2" in text


def _document(text: str, profile: LayoutProfile) -> engine.Document:
    header = engine.Header(
        profile.family, "Quân khu 2", "Ban CHQS huyện Bát Xát", "Số: 1/BC-BX", "Bát Xát", date(2026, 2, 5)
    )
    return engine.Document(
        profile,
        header,
        "Báo cáo",
        "Thử",
        [engine.Paragraph(text)],
        [engine.Signature("", "Chỉ huy trưởng", "Lò Văn Giao")],
    )


def test_weasyprint_fetches_nothing_from_the_network_or_the_disk(db):
    profile = LayoutProfile.objects.get(code="nd30-2020")
    payload = '<img src="http://127.0.0.1:9/ssrf.png"> <img src="file:///etc/passwd"> {{ 7*7 }}'
    fetcher = engine._fetcher()
    text = PdfReader(io.BytesIO(engine.to_pdf(_document(payload, profile), fetcher))).pages[0].extract_text()
    # Escaped: printed as text, and nothing was even asked for.
    assert "http://127.0.0.1:9/ssrf.png" in text and "file:///etc/passwd" in text and "{{ 7*7 }}" in text
    assert fetcher.local.refused == []
    # Markup that did reach WeasyPrint could open nothing but our own static files.
    import weasyprint

    fetcher = engine._fetcher()
    html = (
        '<img src="http://127.0.0.1:9/ssrf.png"><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="/static/documents/print.css"><img src="/static/../../etc/passwd">'
    )
    weasyprint.HTML(string=html, base_url=engine.PDF_BASE, url_fetcher=fetcher).write_pdf()
    assert "http://127.0.0.1:9/ssrf.png" in fetcher.local.refused
    assert "file:///etc/passwd" in fetcher.local.refused
    assert not any(url.endswith("print.css") for url in fetcher.local.refused)
    assert len(fetcher.local.refused) == 3


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils: scripts/system-deps.sh installs it")
def test_page_one_of_each_profile_is_rendered_for_a_person_to_look_at(client, stocked, tmp_path):
    client.force_login(stocked.officer)
    ARTIFACTS.mkdir(exist_ok=True)
    for code in ("nd30-2020", "hd36-2018"):
        pdf = tmp_path / f"{code}.pdf"
        pdf.write_bytes(client.get(URL, month_query(profile=code, number="7", format="pdf")).content)
        target = ARTIFACTS / f"report-{code}"
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, target], check=True)
        png = target.with_suffix(".png")
        assert png.stat().st_size > 5000


def test_profiles_are_added_as_data_by_catalog_managers_only(client, world):
    client.force_login(world.commander)
    assert client.get("/van-ban/mau/").status_code == 200
    assert client.get("/van-ban/mau/them/").status_code == 403
    client.force_login(world.officer)
    state = LayoutProfile.objects.get(code="nd30-2020")
    data = {f: getattr(state, f) for f in FIELDS if f not in ("valid_from", "valid_to", "unconfirmed", "notes")}
    data |= {
        "code": "hd05-2026",
        "name": "Văn bản của Đảng – 05-HD/VPTW",
        "source": "05-HD/VPTW",
        "valid_from": "12/01/2026",
    }
    data |= {"unconfirmed": '["margin_top"]', "family": "party"}
    bad = client.post("/van-ban/mau/them/", {**data, "font_family": "x; } body { color: red"})
    assert bad.status_code == 422
    assert client.post("/van-ban/mau/them/", data).status_code == 302
    assert client.post("/van-ban/mau/them/", data).status_code == 422  # a replay writes nothing twice
    assert LayoutProfile.objects.in_force(Family.PARTY, date(2026, 6, 1)).code == "hd05-2026"
    css = client.get("/van-ban/mau/hd05-2026.css").content.decode()
    assert "margin: 20mm 15mm 20mm 30mm" in css and "@page :first" in css


def test_the_handover_record_prints_its_pdf_and_docx_through_the_engine(client, world):
    from materiel.documents.services import hand_over

    from .test_documents import parties

    items = [
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-{n}",
            unit=world.district_a1,
            grade=2,
            occurred_on=date(2021, 1, 1),
            actor=world.officer,
        ).item
        for n in (1, 2)
    ]
    record = hand_over(
        items=items,
        to_unit=world.district_a2,
        parties=parties(
            "15/BBBG",
            giver_name="Lò Văn Giao",
            giver_title="Đại úy, Trợ lý quân khí",
            receiver_name="Vàng A Nhận",
            notes='<img src="file:///etc/passwd"> Đủ phụ kiện',
        ),
        actor=world.officer,
    )
    client.force_login(world.officer)
    url = f"/bien-ban/{record.pk}/in/"
    assert 'href="?format=pdf"' in client.get(url).content.decode()
    doc = Docx(io.BytesIO(client.get(url, {"format": "docx"}).content))
    assert "BAN CHQS HUYỆN BÁT XÁT" in doc.tables[0].cell(0, 0).text and "Số: 15/BBBG" in doc.tables[0].cell(0, 0).text
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "Đồng chí Đại úy Lò Văn Giao – Chức vụ: Trợ lý quân khí" in texts
    assert "BÊN NHẬN: Ban CHQS huyện Sa Pa" in texts
    assert [c.text for c in doc.tables[1].rows[-1].cells][1:5] == ["Cộng", "", "", "2"]
    text = " ".join(PdfReader(io.BytesIO(client.get(url, {"format": "pdf"}).content)).pages[0].extract_text().split())
    assert (
        "BIÊN BẢN BÀN GIAO VŨ KHÍ, TRANG BỊ KỸ THUẬT" in text.upper() and "Bát Xát, ngày 05 tháng 02 năm 2025" in text
    )
    assert 'file:///etc/passwd"> Đủ phụ kiện' in text
    client.force_login(world.outsider)
    assert client.get(url, {"format": "pdf"}).status_code == 404


def test_the_item_history_prints_its_pdf_and_docx_through_the_engine(client, world, rifle_in_a1):
    services.record_grade_change(
        rifle_in_a1, grade=3, reason="Hỏng bộ phận cò", occurred_on=date(2021, 5, 2), actor=world.officer
    )
    client.force_login(world.officer)
    url = f"/trang-bi/{rifle_in_a1.pk}/in/"
    doc = Docx(io.BytesIO(client.get(url, {"format": "docx"}).content))
    assert "BAN CHQS HUYỆN BÁT XÁT" in doc.tables[0].cell(0, 0).text
    history = [[c.text for c in row.cells] for row in doc.tables[1].rows]
    assert history[1][2] == "Tiếp nhận" and history[2][3] == "Cấp 2 → cấp 3; Hỏng bộ phận cò"
    text = " ".join(PdfReader(io.BytesIO(client.get(url, {"format": "pdf"}).content)).pages[0].extract_text().split())
    assert "LÝ LỊCH VŨ KHÍ, TRANG BỊ KỸ THUẬT" in text.upper() and "AK123456" in text and "Hỏng bộ phận cò" in text
    client.force_login(world.outsider)
    assert client.get(url, {"format": "docx"}).status_code == 404


def test_a_saved_report_reruns_in_one_click_for_the_period_its_rule_gives(client, stocked):
    from materiel.reports.models import SavedReport

    client.force_login(stocked.officer)
    query = month_query(profile="hd36-2018", signer="Lò Văn Giao")
    save = f"{URL}luu/?unit=tinh-a&period=month&profile=hd36-2018&signer=L%C3%B2+V%C4%83n+Giao"
    assert client.post(save, {"name": "", "rule": "last"}).status_code == 422
    assert client.post(save, {"name": "Báo cáo tháng", "rule": "last"}).status_code == 302
    again = client.post(save, {"name": "Báo cáo tháng", "rule": "last"})
    assert again.status_code == 422 and "đã có báo cáo lưu tên" in again.content.decode()
    saved = SavedReport.objects.get()
    assert "Báo cáo tháng" in client.get(URL, query).content.decode()
    run = client.get(f"/bao-cao/da-luu/{saved.pk}/")
    start, _end = period_before(timezone.localdate())
    assert run.status_code == 302 and f"n={start.month}" in run["Location"] and f"year={start.year}" in run["Location"]
    page = client.get(run["Location"])
    assert "Số ……-BC/ĐU" in page.content.decode() and "Lò Văn Giao" in page.content.decode()
    client.force_login(stocked.outsider)
    assert client.get(f"/bao-cao/da-luu/{saved.pk}/").status_code == 404
    assert client.post(save, {"name": "x", "rule": "last"}).status_code == 404
