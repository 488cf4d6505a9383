"""The pages through Django's test client: sign-in, scoping, numbers that lead to their items, forms."""

import re
from datetime import date

import pytest
from django.urls import reverse

from materiel.equipment.models import Item
from materiel.ledger import services
from materiel.ledger.models import Event, EventKind

D = date(2021, 1, 1)


@pytest.fixture
def stocked(world):
    """Province A: 3 rifles (grades 1, 2, 3) and a jeep; province B: one rifle."""
    items = [
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-00{n}",
            unit=world.district_a1,
            grade=grade,
            occurred_on=D,
            actor=world.officer,
        ).item
        for n, grade in enumerate([1, 2, 3], start=1)
    ]
    items.append(
        services.record_receipt(
            equipment_type=world.truck,
            serial="UAZ-469-01",
            unit=world.district_a2,
            grade=2,
            occurred_on=D,
            actor=world.officer,
        ).item
    )
    secret = services.record_receipt(
        equipment_type=world.rifle, serial="BIMAT-99", unit=world.post_b1, grade=1, occurred_on=D, actor=world.outsider
    ).item
    return items, secret


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def count_on_page(html: str) -> int:
    return int(re.search(r'data-testid="count">\s*([\d.]+)', html).group(1).replace(".", ""))


@pytest.mark.parametrize("name", ["web:dashboard", "web:units", "web:register"])
def test_every_page_requires_sign_in(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_sign_in_page_is_vietnamese_whatever_the_browser_asks(client, world):
    response = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.status_code == 200 and "Đăng nhập" in response.content.decode()
    response = client.post(reverse("web:login"), {"username": "tlkt-a", "password": "sai"})
    assert "không đúng" in response.content.decode()
    response = client.post(reverse("web:login"), {"username": "tlkt-a", "password": "mat-khau-thu-nghiem"})
    assert response.status_code == 302


def test_dashboard_shows_the_subtree_and_its_coefficient(officer_client, stocked):
    html = officer_client.get(reverse("web:dashboard")).content.decode()
    assert "Bộ CHQS tỉnh Lào Cai" in html
    assert "75,0%" in html  # 3 of 4 serialised items in grades 1–2
    assert "Ban CHQS huyện Bát Xát" in html and "Lai Châu" not in html


def test_every_grade_number_links_to_exactly_its_items(officer_client, stocked):
    html = officer_client.get(reverse("web:dashboard")).content.decode()
    table = html[html.index('data-testid="grade-table"') :]
    links = re.findall(r'<a href="(/trang-bi/\?[^"]+)">([\d.]+)</a>', table)
    assert links
    for url, number in links:
        listed = officer_client.get(url.replace("&amp;", "&")).content.decode()
        assert count_on_page(listed) == int(number.replace(".", "")), url


def test_lot_numbers_lead_to_their_lots_now_and_on_a_past_day(officer_client, world):
    services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=world.district_a1,
        grade=1,
        quantity=1200,
        occurred_on=D,
        actor=world.officer,
        lot_number="L1",
    )
    lot = services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=world.district_a2,
        grade=1,
        quantity=800,
        occurred_on=date(2023, 1, 1),
        actor=world.officer,
        lot_number="L2",
    ).lot
    html = officer_client.get(reverse("web:dashboard")).content.decode()
    url = re.search(
        r'<a href="(/trang-bi/\?[^"]*grade=1[^"]*kind=lots[^"]*)">2.000</a>',
        html,
    )
    assert url, "the grade-1 ammunition number links to its lots"
    listed = officer_client.get(url.group(1).replace("&amp;", "&")).content.decode()
    assert "2 lô, tổng số lượng 2.000" in listed
    past = officer_client.get(reverse("web:register"), {"kind": "lots", "on": "01/06/2022"}).content.decode()
    assert "1 lô, tổng số lượng 1.200" in past
    assert lot.quantity == 800


def test_register_filters_and_diacritic_insensitive_search(officer_client, stocked):
    url = reverse("web:register")
    assert count_on_page(officer_client.get(url).content.decode()) == 4
    assert count_on_page(officer_client.get(url, {"grade": 3}).content.decode()) == 1
    assert count_on_page(officer_client.get(url, {"category": "xe"}).content.decode()) == 1
    assert count_on_page(officer_client.get(url, {"unit": "huyen-a2"}).content.decode()) == 1
    for query in ("sung", "SÚNG tiểu", "ak-002", "xe uoat"):
        listed = officer_client.get(url, {"q": query}).content.decode()
        assert count_on_page(listed) >= 1, query
    assert "BIMAT-99" not in officer_client.get(url, {"q": "bimat"}).content.decode()


def test_htmx_request_gets_only_the_results_fragment(officer_client, stocked):
    response = officer_client.get(reverse("web:register"), {"q": "sung"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="count"' in html and "<html" not in html


def test_register_query_count_does_not_grow_with_rows(officer_client, stocked, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            officer_client.get(reverse("web:register"))
        return len(captured)

    queries()  # the first page view of a session also extends it (written at most once a minute)
    few = queries()
    for n in range(20):
        services.record_receipt(
            equipment_type=world.truck,
            serial=f"XE-{n}",
            unit=world.district_a1,
            grade=2,
            occurred_on=D,
            actor=world.officer,
        )
    assert queries() == few <= 20


def test_past_day_register_matches_past_dashboard(officer_client, stocked, world):
    items, _ = stocked
    services.record_grade_change(
        items[0], grade=4, reason="Kiểm tra", occurred_on=date(2023, 1, 1), actor=world.officer
    )
    past = {"on": "01/06/2022"}
    html = officer_client.get(reverse("web:dashboard"), past).content.decode()
    assert "75,0%" in html
    listed = officer_client.get(reverse("web:register"), {**past, "grade": 1}).content.decode()
    assert count_on_page(listed) == 1 and "AK-001" in listed
    assert count_on_page(officer_client.get(reverse("web:register"), {"grade": 1}).content.decode()) == 0


def test_out_of_scope_objects_answer_404(client, world, stocked):
    items, secret = stocked
    client.force_login(world.officer)
    assert client.get(reverse("web:item", args=[secret.pk])).status_code == 404
    assert client.get(reverse("web:register"), {"unit": "tinh-b"}).status_code == 404
    assert client.get(reverse("web:dashboard"), {"unit": "don-b1"}).status_code == 404
    event = Event.objects.get(item=secret)
    assert client.post(reverse("web:reverse_event", args=[event.pk]), {"reverse-reason": "x"}).status_code == 404
    assert client.post(reverse("web:item_action", args=[secret.pk, "grade"]), {}).status_code == 404


def test_item_page_shows_history_with_who_recorded_it(officer_client, stocked):
    item = stocked[0][0]
    html = officer_client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "AK-001" in html and "Tiếp nhận" in html and "Tlkt-a" in html and "01/01/2021" in html


def test_transfer_form_shows_the_error_next_to_the_field_and_writes_nothing(officer_client, stocked, world):
    item = stocked[0][0]
    url = reverse("web:item_action", args=[item.pk, "transfer"])
    data = {
        "transfer-occurred_on": "05/02/2025",
        "transfer-to_unit": world.district_a2.code,
        "transfer-document_number": "",
    }
    response = officer_client.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Điều chuyển phải có số biên bản bàn giao." in html
    assert re.search(r'has-error">\s*<label for="id_transfer-document_number"', html)
    assert Event.objects.filter(item=item).count() == 1
    response = officer_client.post(url, {**data, "transfer-document_number": "15/BBBG"})
    assert response.status_code == 302
    event = Event.objects.get(item=item, kind=EventKind.TRANSFER)
    assert event.occurred_on == date(2025, 2, 5) and event.to_unit == world.district_a2


def test_bad_date_is_refused_in_vietnamese(officer_client, stocked):
    item = stocked[0][0]
    response = officer_client.post(
        reverse("web:item_action", args=[item.pk, "grade"]),
        {"grade-occurred_on": "31/02/2025", "grade-grade": 3, "grade-reason": "x"},
    )
    assert response.status_code == 422 and "Nhập một ngày hợp lệ" in response.content.decode()


def test_commander_cannot_record(client, world, stocked):
    item = stocked[0][0]
    client.force_login(world.commander)
    response = client.post(
        reverse("web:item_action", args=[item.pk, "grade"]),
        {"grade-occurred_on": "05/02/2025", "grade-grade": 3, "grade-reason": "x"},
    )
    assert response.status_code == 403 and "không được phép" in response.content.decode()
    assert Item.objects.get(pk=item.pk).grade == 1


def test_reverse_button_cancels_the_latest_event(officer_client, stocked, world):
    item = stocked[0][0]
    event = services.record_grade_change(item, grade=3, reason="KT", occurred_on=D, actor=world.officer)
    response = officer_client.post(reverse("web:reverse_event", args=[event.pk]), {"reverse-reason": "Nhầm cấp"})
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).grade == 1
    html = officer_client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "đã hủy" in html and "Hủy sự kiện" in html


def test_unit_tree_page_lists_the_subtree_and_its_changes(officer_client, stocked):
    html = officer_client.get(reverse("web:units")).content.decode()
    assert "Ban CHQS xã Y Tý" in html and "Thành lập" in html and "Lai Châu" not in html


def test_nul_characters_in_input_are_refused_not_crashed_on(officer_client, stocked):
    response = officer_client.get(reverse("web:register"), {"q": "sung\x00", "unit": "\x00"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    api = officer_client.get("/api/v1/items", {"q": "\x00"})
    assert api.status_code == 400 and api.json()["code"] == "bad_request"


def test_recent_events_are_the_latest_whether_or_not_the_last_quarter_has_enough(world, stocked):
    from django.utils import timezone

    from materiel.web.views import recent_event_ids

    in_a = Event.objects.in_subtree(world.province_a).order_by("-occurred_on", "-id")
    older = list(in_a.values_list("id", flat=True))  # province B's receipt is not among them
    assert recent_event_ids(world.officer, world.province_a, count=3) == older[:3]  # nothing in 90 days
    item = Item.objects.filter(unit=world.district_a1).first()
    today = timezone.localdate()
    services.record_grade_change(item, grade=3, reason="Kiểm tra", occurred_on=today, actor=world.officer)
    latest = Event.objects.latest("id").pk
    # One event in the window: the window alone is not enough, the whole subtree answers.
    assert recent_event_ids(world.officer, world.province_a, count=3) == [latest, *older[:2]]
    assert recent_event_ids(world.officer, world.province_a, count=1) == [latest]


def linked_numbers(html: str) -> list[tuple[str, int]]:
    """Every number on a page that links to the register or its lots, with its link."""
    found = re.findall(r'<a href="(/trang-bi/\?[^"]+)"[^>]*>([\d.]+)</a>', html)
    return [(url.replace("&amp;", "&"), int(number.replace(".", ""))) for url, number in found]


def count_behind(client, url: str) -> int:
    """What the link opens: items counted by the register, or the lots' quantities added up."""
    listed = client.get(url).content.decode()
    if "kind=lots" in url:
        return int(re.search(r"tổng số lượng ([\d.]+)", listed).group(1).replace(".", ""))
    return count_on_page(listed)


def test_every_dashboard_number_equals_what_its_link_opens_with_items_and_lots_in_one_category(
    officer_client, world, stocked
):
    from materiel.catalog.models import EquipmentType

    magazines = EquipmentType.objects.create(
        category=world.rifle.category, code="bang-ak", name="Băng đạn AK", unit_of_measure="cái", serialised=False
    )
    for unit, quantity, on in ((world.district_a1, 40, D), (world.district_a2, 25, date(2023, 3, 1))):
        services.record_lot_receipt(
            equipment_type=magazines, unit=unit, grade=2, quantity=quantity, occurred_on=on, actor=world.officer
        )
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=1200, occurred_on=D, actor=world.officer
    )
    for params in ({}, {"on": "01/06/2022"}, {"unit": "huyen-a1"}):
        html = officer_client.get(reverse("web:dashboard"), params).content.decode()
        numbers = linked_numbers(html)
        assert len(numbers) > 8, params
        for url, number in numbers:
            assert count_behind(officer_client, url) == number, url
        table = html[html.index('data-testid="grade-table"') : html.index("</table>", html.index("grade-table"))]
        assert "Băng đạn" not in table, "lots are not rows of the items' table"
    # The magazines are a row of their own, in their own unit of measure, beside the rifles' row.
    html = officer_client.get(reverse("web:dashboard")).content.decode()
    lots = html[html.index('data-testid="lot-table"') :]
    assert "Băng đạn AK" in lots and "cái" in lots and ">65</a>" in lots


def test_a_past_day_shows_the_names_and_the_tree_of_that_day(officer_client, world, stocked):
    from materiel.ledger import reorganisation as reorg

    reorg.rename_unit(world.district_a1, name="Ban CHQS khu vực 1", on=date(2025, 7, 1), actor=world.admin)
    old, new = "Ban CHQS huyện Bát Xát", "Ban CHQS khu vực 1"
    past = {"on": "01/06/2022"}
    dashboard = officer_client.get(reverse("web:dashboard"), past).content.decode()
    assert old in dashboard and new not in dashboard
    assert new in officer_client.get(reverse("web:dashboard")).content.decode()
    register = officer_client.get(reverse("web:register"), {**past, "unit": "huyen-a1"}).content.decode()
    assert f"{old}</h1>" in register.replace("Sổ đăng ký trang bị – ", "") and new not in register
    units = officer_client.get(reverse("web:units"), past).content.decode()
    assert old in units and new not in units and "on=01/06/2022" in units
    assert new in officer_client.get(reverse("web:units")).content.decode()
    export = officer_client.get(reverse("web:register"), {**past, "unit": "huyen-a1", "format": "xlsx"})
    from tests.test_import_wizard import read_xlsx

    assert any(old in str(cell) for row in read_xlsx(export)[:4] for cell in row)


def test_the_units_page_on_a_past_day_holds_the_units_of_that_day(officer_client, world):
    from materiel.ledger import reorganisation as reorg

    reorg.dissolve_unit(world.commune_a1, on=date(2025, 7, 1), actor=world.admin)
    founded = reorg.create_unit(
        code="ptkv-1",
        name="Ban CHPTKV 1",
        kind=world.district_a1.kind,
        parent=world.province_a,
        founded_on=date(2025, 7, 1),
        actor=world.admin,
    )
    past = officer_client.get(reverse("web:units"), {"on": "01/06/2024"}).content.decode()
    assert "Ban CHQS xã Y Tý" in past and founded.name not in past and "giải thể" not in past
    today = officer_client.get(reverse("web:units")).content.decode()
    assert founded.name in today


def test_the_children_table_adds_up_with_what_the_unit_holds_itself(officer_client, world, stocked):
    for serial in ("AK-P1", "AK-P2"):  # held by the provincial command itself, not by a district
        services.record_receipt(
            equipment_type=world.rifle,
            serial=serial,
            unit=world.province_a,
            grade=1,
            occurred_on=D,
            actor=world.officer,
        )
    for params in ({}, {"on": "01/06/2022"}):
        html = officer_client.get(reverse("web:dashboard"), params).content.decode()
        row = html[html.index('data-testid="held-directly"') :]
        assert "Bộ CHQS tỉnh Lào Cai (trực tiếp quản lý)" in row[:400]
        direct_url = re.search(r'href="(/trang-bi/\?unit=tinh-a&(?:amp;)?direct=1[^"]*)">(\d+)<', row)
        assert int(direct_url.group(2)) == 2
        assert count_behind(officer_client, direct_url.group(1).replace("&amp;", "&")) == 2
        table = html[html.index("Đơn vị trực thuộc") : html.index("</table>", html.index("Đơn vị trực thuộc"))]
        rows = [
            int(n) for n in re.findall(r'<td class="num"><a href="/trang-bi/\?unit=[^"&]+(?:&[^"]*)?">(\d+)</a>', table)
        ]
        total = count_on_page(
            officer_client.get(reverse("web:register"), {"unit": "tinh-a", **params}).content.decode()
        )
        assert sum(rows) == total == 6, (rows, total)
