"""The register book prints whole: every row the register counts, now and on a past day, streamed in
chunks so that the server's memory stays flat, lots in their own section with their unit of measure."""

import re
import tracemalloc
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from materiel.equipment.models import Item
from materiel.ledger import asof, services
from materiel.ledger.batch import LedgerBatch
from materiel.web import printing

D1 = date(2021, 1, 1)  # the first 800 rifles
PAST = date(2022, 6, 1)  # a past day between the two receipts
D2 = date(2023, 1, 1)  # 400 more, and re-grades of 300 of the first
ROW = re.compile(r'<tr><td class="center">([\d.]+)</td><td class="nowrap">([^<]*)</td>')


def fill(world, count: int, *, prefix: str, start: date = D1, type_=None, units=None) -> list:
    """`count` rifles (or items of `type_`) received on `start`, through the ledger's batch path,
    spread over the given units (district A1 and its commune, district A2), grades 1 to 4."""
    units = units or [world.district_a1, world.commune_a1, world.district_a2]
    batch = LedgerBatch(world.officer)
    items = [
        batch.receipt(
            equipment_type=type_ or world.rifle,
            serial=f"{prefix}-{n:05d}",
            unit=units[n % len(units)],
            grade=1 + n % 4,
            occurred_on=start,
        )
        for n in range(count)
    ]
    batch.flush()
    return items


@pytest.fixture
def book(world):
    """1,200 rifles: 800 received on D1 (300 of them re-graded to 3 on D2), 400 received on D2; and
    two lots of rounds and one of grenades in district A1."""
    first = fill(world, 800, prefix="AK")
    batch = LedgerBatch(world.officer)
    batch.adopt(first[:300])
    for item in first[:300]:
        if item.grade != 3:
            batch.grade_change(item, grade=3, reason="Kiểm tra định kỳ", occurred_on=D2)
    batch.flush()
    fill(world, 400, prefix="AKM", start=D2)
    for grade, quantity in ((1, 12000), (2, 3500)):
        services.record_lot_receipt(
            equipment_type=world.ammo,
            unit=world.district_a1,
            grade=grade,
            quantity=quantity,
            occurred_on=D1,
            actor=world.officer,
            lot_number=f"L-{grade}",
        )


@pytest.fixture(autouse=True)
def vietnamese_afterwards():
    """A request in English leaves English active in this thread (the language middleware activates,
    never resets): the tests after these, services called without a request, expect Vietnamese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def register_count(client, query) -> int:
    html = client.get(reverse("web:register"), query).content.decode()
    return int(re.search(r'data-testid="count">\s*([\d.]+)', html).group(1).replace(".", ""))


def printed(client, query) -> str:
    response = client.get(reverse("web:register_print"), query)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode()


def printed_rows(html: str) -> list[tuple[str, str]]:
    return ROW.findall(html)


QUERIES = [
    {},
    {"unit": "huyen-a1"},
    {"grade": "3"},
    {"grade": "1,2", "sort": "-serial"},
    {"q": "akm-001"},
    {"on": "01/06/2022"},
    {"on": "01/06/2022", "grade": "3"},
    {"on": "01/06/2022", "unit": "huyen-a2", "sort": "unit"},
    {"q": "khong-co-so-hieu-nay"},
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "all")
def test_the_print_has_every_row_the_register_counts(officer_client, book, query):
    expected = register_count(officer_client, query)
    html = printed(officer_client, query)
    rows = printed_rows(html)
    assert len(rows) == expected
    assert len({serial for _n, serial in rows}) == expected  # no row twice
    assert [n.replace(".", "") for n, _serial in rows] == [str(n) for n in range(1, expected + 1)]
    shown = f"{expected:,}".replace(",", ".")
    assert f"Cộng: {shown} trang bị" in html
    assert f"Sẽ in đủ {shown} trang bị" in html
    assert ("Không có trang bị nào khớp điều kiện lọc." in html) == (expected == 0)


def test_the_streamed_rows_keep_the_readers_language(officer_client, book):
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = printed(officer_client, {"kind": "serialised"})
    assert "All 1,200 items will print" in html and "Total: 1,200 items" in html
    assert '<tr><td class="center">1,200</td>' in html and "<td>In service</td>" in html


def test_the_whole_book_is_over_500_rows_and_a_past_day_prints_that_days_rows(officer_client, book):
    assert register_count(officer_client, {}) == 1200
    rows = printed_rows(printed(officer_client, {"on": "01/06/2022"}))
    assert len(rows) == 800 and not any(serial.startswith("AKM") for _n, serial in rows)
    # On the past day no rifle had yet been re-graded: a quarter of the 800 were grade 3.
    assert register_count(officer_client, {"on": "01/06/2022", "grade": "3"}) == 200
    assert len(printed_rows(printed(officer_client, {"on": "01/06/2022", "grade": "3"}))) == 200


def test_a_past_days_grades_and_units_come_from_the_ledger(officer_client, world, book):
    item = services.record_transfer(
        Item.objects.get(serial="AK-00001"),
        to_unit=world.district_a2,
        occurred_on=date(2024, 1, 1),
        document_number="3/BBBG",
        actor=world.officer,
    ).item
    now = printed(officer_client, {"q": "ak-00001", "kind": "serialised"})
    then = printed(officer_client, {"q": "ak-00001", "kind": "serialised", "on": "01/06/2022"})
    row = '<td class="nowrap">AK-00001</td><td>Súng tiểu liên AK-47</td><td>{unit}</td><td class="center">{grade}</td>'
    assert row.format(unit="Ban CHQS huyện Sa Pa", grade=3) in now  # re-graded on D2
    assert row.format(unit="Ban CHQS xã Y Tý", grade=2) in then
    assert item.grade == 3


def test_the_print_reads_the_past_day_chunk_by_chunk(officer_client, book, monkeypatch):
    monkeypatch.setattr(printing, "CHUNK_ROWS", 100)
    asked = []
    states_on = asof.item_states_on
    monkeypatch.setattr(asof, "item_states_on", lambda day, ids: asked.append(len(ids)) or states_on(day, ids))
    assert len(printed_rows(printed(officer_client, {"on": "01/06/2022"}))) == 800
    assert asked == [100] * 8


def test_lots_print_in_their_own_section_with_their_unit_of_measure(officer_client, book):
    html = printed(officer_client, {})
    items_at, lots_at = html.index('data-testid="print-rows"'), html.index('data-testid="print-lots"')
    assert items_at < lots_at
    lots = html[lots_at:]
    assert "II. Vật tư, đạn dược theo lô" in html and "I. Trang bị quản lý theo số hiệu" in html
    assert re.search(
        r"<td>L-1</td><td>Ban CHQS huyện Bát Xát</td><td class=\"center\">1</td>"
        r"<td class=\"num\">12\.000</td><td>viên</td>",
        lots,
    )
    assert "Cộng: 2 lô; Đạn 7,62mm K56: 15.500 viên" in lots
    assert "Sẽ in đủ 1.200 trang bị, 2 lô." in html
    # Only the lots (the lots page's own print), and none where a filter lots do not have is set.
    lots_page = officer_client.get(reverse("web:register"), {"kind": "lots", "unit": "huyen-a1"}).content.decode()
    assert 'href="/trang-bi/in/?kind=lots&amp;unit=huyen-a1" data-testid="lots-print"' in lots_page
    assert re.search(r'data-testid="lot-total">2 lô,', lots_page)  # the count the print announces
    only = printed(officer_client, {"kind": "lots"})
    assert 'data-testid="print-rows"' not in only and "15.500 viên" in only and "Sẽ in đủ 2 lô" in only
    for query in ({"status": "in_repair"}, {"grade": "1,2"}, {"kind": "serialised"}, {"holder": "Páo"}):
        assert 'data-testid="print-lots"' not in printed(officer_client, query), query


def test_the_print_is_streamed_and_its_memory_does_not_grow_with_the_rows(officer_client, world, book, monkeypatch):
    """Building the print of 1,200 rows takes about what building 100 takes: one chunk at a time."""
    monkeypatch.setattr(printing, "CHUNK_ROWS", 100)

    def peak(query) -> tuple[int, int]:
        response = officer_client.get(reverse("web:register_print"), query)
        assert response.streaming
        tracemalloc.start()
        try:
            rows = sum(len(ROW.findall(part.decode())) for part in response.streaming_content)
            return rows, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small_rows, small = peak({"q": "akm-000", "kind": "serialised"})
    large_rows, large = peak({"kind": "serialised"})
    assert (small_rows, large_rows) == (100, 1200)
    # Holding every row would take twelve times the small print's memory.
    assert large < 2 * small, (small, large)


def test_page_numbers_are_drawn_in_the_page_margin_in_the_readers_language(officer_client):
    css = officer_client.get(reverse("web:print_page_numbers"))
    assert css["Content-Type"].startswith("text/css")
    assert '@bottom-right { content: "Trang " counter(page) "/" counter(pages);' in css.content.decode()
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = officer_client.get(reverse("web:print_page_numbers")).content.decode()
    assert 'content: "Page " counter(page) " of " counter(pages);' in english


def test_text_in_the_rows_and_filters_is_escaped_and_cannot_split_the_page(officer_client, world, book):
    hostile = "<!--register-rows--><b>Páo</b>"
    services.record_issue(Item.objects.get(serial="AK-00004"), holder=hostile, occurred_on=D2, actor=world.officer)
    html = printed(officer_client, {"holder": hostile})
    assert "<b>Páo</b>" not in html and "&lt;!--register-rows--&gt;&lt;b&gt;Páo&lt;/b&gt;" in html
    assert html.count("<!--register-rows-->") == 0 and len(printed_rows(html)) == 1
    assert html.count('data-testid="print-rows"') == 1 and html.rstrip().endswith("</html>")
