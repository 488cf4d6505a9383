"""Completeness (đồng bộ): kit events keep the item's shortages and its condition, the rollups count
the incomplete items with the grades, a reversal puts the kit back, and verify replays it all."""

from datetime import date

import pytest

from materiel.catalog.models import KitLine
from materiel.core.errors import DomainError
from materiel.equipment.models import Item, ItemKitShortage, Kit
from materiel.ledger import services
from materiel.ledger.models import Rollup
from materiel.ledger.verify import verify_ledger

D = date(2021, 3, 1)
LATER = date(2022, 5, 10)


@pytest.fixture
def kit(world):
    return {
        name: KitLine.objects.create(equipment_type=world.rifle, name=name, quantity=qty, position=n)
        for n, (name, qty) in enumerate([("Hộp tiếp đạn", 4), ("Lưỡi lê", 1), ("Lý lịch súng", 1)])
    }


def receive(world, serial, unit=None):
    return services.record_receipt(
        equipment_type=world.rifle, serial=serial, unit=unit or world.district_a1, grade=2, occurred_on=D,
        actor=world.officer,
    ).item  # fmt: skip


def rollup_kits(unit):
    rows = Rollup.objects.filter(unit=unit).values_list("quantity", "kit_damaged", "kit_missing")
    return tuple(sum(r[n] for r in rows) for n in range(3))


def test_a_kit_event_sets_the_shortages_and_the_rollups_count_them_on_every_ancestor(world, kit):
    a, b = receive(world, "AK-K1"), receive(world, "AK-K2")
    services.record_kit(
        a, shortages=[{"line": kit["Hộp tiếp đạn"].pk, "missing": 1}], occurred_on=LATER, actor=world.officer
    )
    services.record_kit(
        b, shortages=[{"line": kit["Lưỡi lê"].pk, "damaged": 1}], occurred_on=LATER, actor=world.officer
    )
    assert Item.objects.get(pk=a.pk).kit == Kit.MISSING
    assert Item.objects.get(pk=b.pk).kit == Kit.DAMAGED
    assert list(ItemKitShortage.objects.filter(item=a).values_list("line__name", "missing", "damaged")) == [
        ("Hộp tiếp đạn", 1, 0)
    ]
    for unit in (world.district_a1, world.province_a):
        assert rollup_kits(unit) == (2, 1, 1)
    # The incomplete item moves with its condition.
    services.record_transfer(
        Item.objects.get(pk=a.pk), to_unit=world.district_a2, occurred_on=LATER, document_number="1/BBBG",
        actor=world.officer,
    )  # fmt: skip
    assert rollup_kits(world.district_a1) == (1, 1, 0)
    assert rollup_kits(world.district_a2) == (1, 0, 1)
    assert verify_ledger().ok


def test_the_kit_made_whole_again_and_reversals_put_back_what_was_before(world, kit):
    item = receive(world, "AK-K3")
    line = kit["Hộp tiếp đạn"].pk
    services.record_kit(item, shortages=[{"line": line, "missing": 2}], occurred_on=LATER, actor=world.officer)
    whole = services.record_kit(Item.objects.get(pk=item.pk), shortages=[], occurred_on=LATER, actor=world.officer)
    item.refresh_from_db()
    assert item.kit == Kit.COMPLETE and not ItemKitShortage.objects.filter(item=item).exists()
    assert rollup_kits(world.district_a1) == (1, 0, 0)
    services.reverse_event(whole, reason="Ghi nhầm", actor=world.officer)
    item.refresh_from_db()
    assert item.kit == Kit.MISSING
    assert list(ItemKitShortage.objects.filter(item=item).values_list("missing", flat=True)) == [2]
    assert rollup_kits(world.province_a) == (1, 0, 1)
    # A later non-kit event reversed keeps the kit as it is.
    graded = services.record_grade_change(
        Item.objects.get(pk=item.pk), grade=3, reason="Kiểm tra", occurred_on=LATER, actor=world.officer
    )
    services.reverse_event(graded, reason="Ghi nhầm", actor=world.officer)
    assert Item.objects.get(pk=item.pk).kit == Kit.MISSING
    assert rollup_kits(world.province_a) == (1, 0, 1)
    assert verify_ledger().ok


@pytest.mark.parametrize(
    "shortage, message",
    [
        ({"line": 999999, "missing": 1}, "không có trong bộ đồng bộ"),
        ({"line": "Hộp tiếp đạn", "missing": 3, "damaged": 2}, "nhiều hơn 4"),
        ({"line": "Lưỡi lê", "missing": -1}, "không hợp lệ"),
    ],
)
def test_a_kit_line_the_type_does_not_have_or_more_than_it_has_is_refused(world, kit, shortage, message):
    item = receive(world, "AK-K4")
    shortage = dict(shortage)
    if isinstance(shortage["line"], str):
        shortage["line"] = kit[shortage["line"]].pk
    with pytest.raises(DomainError) as refused:
        services.record_kit(item, shortages=[shortage], occurred_on=LATER, actor=world.officer)
    assert message in str(refused.value) and refused.value.field == "shortages"
    assert Item.objects.get(pk=item.pk).kit == Kit.COMPLETE and Item.objects.get(pk=item.pk).version == 1


def test_a_line_twice_is_refused_naming_it(world, kit):
    item = receive(world, "AK-K5")
    line = kit["Lưỡi lê"].pk
    with pytest.raises(DomainError, match="Lưỡi lê"):
        services.record_kit(
            item, shortages=[{"line": line, "missing": 1}, {"line": line, "damaged": 1}], occurred_on=LATER,
            actor=world.officer,
        )  # fmt: skip


def test_verify_finds_a_kit_changed_behind_the_ledger(world, kit):
    item = receive(world, "AK-K6")
    services.record_kit(
        item, shortages=[{"line": kit["Lưỡi lê"].pk, "missing": 1}], occurred_on=LATER, actor=world.officer
    )
    Item.objects.filter(pk=item.pk).update(kit=Kit.COMPLETE)
    ItemKitShortage.objects.filter(item=item).update(missing=0, damaged=1)
    Rollup.objects.filter(unit=world.province_a).update(kit_missing=0)
    problems = "\n".join(verify_ledger().problems)
    assert f"Trang bị #{item.pk}" in problems
    assert f"Đồng bộ của trang bị #{item.pk}" in problems
    assert "Số tổng hợp" in problems


def test_the_completeness_coefficient_today_and_on_a_past_day_follows_the_policy(world, kit):
    from datetime import timedelta

    from django.utils import timezone

    from materiel.catalog.models import CompletenessPolicy
    from materiel.ledger import coefficients

    today = timezone.localdate()
    items = [receive(world, f"AK-C{n}") for n in range(4)]
    services.record_kit(items[0], shortages=[{"line": kit["Lưỡi lê"].pk, "missing": 1}], occurred_on=LATER,
                        actor=world.officer)  # fmt: skip
    services.record_kit(items[1], shortages=[{"line": kit["Lưỡi lê"].pk, "damaged": 1}], occurred_on=LATER,
                        actor=world.officer)  # fmt: skip
    # Whole again later: complete today, incomplete on a day in between.
    services.record_kit(Item.objects.get(pk=items[0].pk), shortages=[], occurred_on=today, actor=world.officer)
    now = coefficients.summarise(world.province_a)
    assert (now.kit.damaged, now.kit.missing, now.overall.total) == (1, 0, 4)
    assert now.completeness == 75
    between = coefficients.summarise(world.province_a, LATER + timedelta(days=1))
    assert (between.kit.damaged, between.kit.missing) == (1, 1)
    assert between.completeness == 50
    before = coefficients.summarise(world.province_a, LATER - timedelta(days=1))
    assert before.completeness == 100
    (line,) = [line for line in between.lines if line.serialised]
    assert line.completeness == 50 and line.kit.missing == 1
    # The rule: a damaged part may be left out of "incomplete".
    CompletenessPolicy.objects.create(valid_from=date(2010, 1, 1), damaged_counts=False, decimals=0)
    assert coefficients.summarise(world.province_a).completeness == 100
    assert coefficients.summarise(world.province_a, LATER + timedelta(days=1)).completeness == 75
    # The children's table reads the same counts.
    (a1,) = [s for s in coefficients.children_summaries(world.province_a) if s.unit == world.district_a1]
    assert (a1.kit.damaged, a1.kit.missing) == (1, 0)


def test_the_item_page_records_the_kit_and_the_dashboard_counts_open_exactly_those_items(client, world, kit):
    import re
    from html import unescape

    from django.urls import reverse
    from django.utils import timezone

    items = [receive(world, f"AK-W{n}") for n in range(3)]
    client.force_login(world.officer)
    url = reverse("web:item_action", args=[items[0].pk, "kit"])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Thiếu – Hộp tiếp đạn (bộ có 4)" in form
    box, bayonet = kit["Hộp tiếp đạn"].pk, kit["Lưỡi lê"].pk
    day = timezone.localdate().strftime("%d/%m/%Y")
    refused = client.post(url, {"kit-occurred_on": day, f"kit-missing_{box}": "5"})
    assert refused.status_code == 422 and "4" in refused.content.decode()
    done = client.post(url, {"kit-occurred_on": day, f"kit-missing_{box}": "1", "kit-note": "Kiểm tra tuần"})
    assert done.status_code == 302
    page = client.get(reverse("web:item", args=[items[0].pk])).content.decode()
    assert "Thiếu đồng bộ" in page and "thiếu 1 Hộp tiếp đạn" in page
    services.record_kit(items[1], shortages=[{"line": bayonet, "damaged": 1}], occurred_on=LATER, actor=world.officer)

    for query in ("unit=tinh-a", f"unit=tinh-a&on={timezone.localdate():%d/%m/%Y}"):
        dashboard = client.get(f"/?{query}").content.decode()
        parts = re.search(r'data-testid="completeness-parts"><a href="([^"]+)" data-count="(\d+)"', dashboard)
        assert parts and parts.group(2) == "2", query
        register = client.get(unescape(parts.group(1))).content.decode()
        assert sorted(set(re.findall(r"AK-W\d", register))) == ["AK-W0", "AK-W1"], query
    # Before the kit events, the past dashboard counts none and its link opens none.
    before = client.get(f"/?unit=tinh-a&on={D:%d/%m/%Y}").content.decode()
    assert re.search(r'data-testid="completeness-parts"><a href="[^"]+" data-count="0"', before)
    assert "AK-W" not in client.get(f"/trang-bi/?unit=tinh-a&on={D:%d/%m/%Y}&kit=incomplete").content.decode()
    client.force_login(world.outsider)
    assert client.get(reverse("web:item", args=[items[0].pk])).status_code == 404


def test_the_api_reads_and_records_the_kit_and_reports_completeness(world, kit):
    from .test_api import Api

    item = receive(world, "AK-A1")
    receive(world, "AK-A2")
    api = Api(world.officer)
    read = api.get(f"/items/{item.pk}/kit").json()
    assert read["kit"] == "" and [line["name"] for line in read["lines"]] == ["Hộp tiếp đạn", "Lưỡi lê", "Lý lịch súng"]
    body = {
        "occurred_on": LATER.isoformat(),
        "version": read["version"],
        "shortages": [{"line": kit["Hộp tiếp đạn"].pk, "missing": 2}],
    }
    answer = api.post(f"/items/{item.pk}/kit", body)
    assert answer.status_code == 200, answer.content
    assert answer.json()["kit"] == "missing"
    assert api.post(f"/items/{item.pk}/kit", body).status_code == 409  # the version read is stale now
    bad = api.post(
        f"/items/{item.pk}/kit", {**body, "version": answer.json()["version"], "shortages": [{"line": 999999}]}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "shortages"
    found = api.get("/items", unit="tinh-a", kit="incomplete").json()["results"]
    assert [i["serial"] for i in found] == ["AK-A1"] and found[0]["kit"] == "missing"
    figures = api.get("/coefficients", unit="tinh-a").json()
    assert (figures["incomplete"], figures["kit_missing"], figures["completeness"]) == (1, 1, "50.0")
    rollups = api.get("/rollups", unit="tinh-a", on=LATER.isoformat()).json()
    assert sum(r["kit_missing"] for r in rollups) == 1 and sum(r["quantity"] for r in rollups) == 2
    assert Api(world.outsider).get(f"/items/{item.pk}/kit").status_code == 404


def test_the_catalogue_edits_a_standard_kit_and_keeps_the_lines_in_use(client, world, kit):
    from django.urls import reverse

    url = reverse("catalogue:type_kit", args=[world.rifle.pk])
    item = receive(world, "AK-E1")
    services.record_kit(item, shortages=[{"line": kit["Lưỡi lê"].pk, "missing": 1}], occurred_on=LATER,
                        actor=world.officer)  # fmt: skip

    def post(rows):
        data = {"kit-TOTAL_FORMS": str(len(rows)), "kit-INITIAL_FORMS": "0"}
        for n, row in enumerate(rows):
            data.update({f"kit-{n}-{key}": value for key, value in row.items()})
        return client.post(url, data)

    client.force_login(world.officer)
    assert "Hộp tiếp đạn" in client.get(url).content.decode()
    box, bayonet, book = (kit[name].pk for name in ("Hộp tiếp đạn", "Lưỡi lê", "Lý lịch súng"))
    kept = [
        {"line": box, "part": "accessory", "name": "Hộp tiếp đạn", "quantity": "4"},
        {"line": bayonet, "part": "accessory", "name": "Lưỡi lê", "quantity": "1"},
    ]
    refused = post([*kept, {"line": book, "part": "document", "name": "Lý lịch súng", "quantity": "1"},
                    {"part": "tool", "name": "lưỡi lê", "quantity": "1"}])  # fmt: skip
    assert (
        refused.status_code == 422
        and "Dòng 4" in refused.content.decode()
        and "trùng với dòng 2" in refused.content.decode()
    )
    in_use = post([kept[0], {**kept[1], "delete": "on"}])
    assert in_use.status_code == 422 and "không xóa được" in in_use.content.decode()
    assert KitLine.objects.filter(equipment_type=world.rifle).count() == 3  # nothing half-written
    saved = post([kept[0], {**kept[1], "name": "Lưỡi lê AK"}, {"line": book, "name": "Lý lịch súng", "delete": "on"},
                  {"part": "tool", "name": "Bộ dụng cụ lau chùi", "quantity": "1"}])  # fmt: skip
    assert saved.status_code == 302
    names = list(KitLine.objects.filter(equipment_type=world.rifle).values_list("name", flat=True))
    assert names == ["Hộp tiếp đạn", "Lưỡi lê AK", "Bộ dụng cụ lau chùi"]
    client.force_login(world.commander)  # reads the kit, does not edit it
    assert (
        "Lưỡi lê AK" in client.get(url).content.decode()
        and 'data-testid="kit-form"' not in client.get(url).content.decode()
    )
    assert post(kept).status_code == 403


def test_the_importer_reads_a_kit_column_names_a_line_the_kit_lacks_and_reverts_whole(world, kit):
    from materiel.imports.commit import commit_plan, revert_batch
    from materiel.imports.plan import build_plan
    from materiel.imports.reader import read_table

    from .test_imports import xlsx

    header = ["STT", "Số hiệu", "Tên trang bị", "Cấp", "Ngày nhập", "Thiếu, hỏng đồng bộ"]
    rows = [
        [1, "AK-I1", "Súng tiểu liên AK-47", 2, "16/3/2022", "Hộp tiếp đạn thiếu 2; lưỡi lê hỏng"],
        [2, "AK-I2", "Súng tiểu liên AK-47", 2, "16/3/2022", "đủ"],
        [3, "AK-I3", "Súng tiểu liên AK-47", 2, "16/3/2022", "Báng súng thiếu 1"],
    ]
    bad = build_plan(read_table(xlsx([header, *rows]), "so.xlsx"), actor=world.officer, unit=world.district_a1)
    (issue,) = bad.issues
    assert issue.row == 7 and "Thiếu, hỏng đồng bộ" in issue.column and "Báng súng thiếu 1" in str(issue)
    plan = build_plan(read_table(xlsx([header, *rows[:2]]), "so.xlsx"), actor=world.officer, unit=world.district_a1)
    assert plan.ok, [str(i) for i in plan.issues]
    batch = commit_plan(plan, actor=world.officer, unit=world.district_a1)
    first = Item.objects.get(serial="AK-I1")
    assert first.kit == Kit.MISSING and Item.objects.get(serial="AK-I2").kit == Kit.COMPLETE
    assert sorted(ItemKitShortage.objects.filter(item=first).values_list("line__name", "missing", "damaged")) == [
        ("Hộp tiếp đạn", 2, 0), ("Lưỡi lê", 0, 1),
    ]  # fmt: skip
    assert rollup_kits(world.province_a) == (2, 0, 1)
    revert_batch(batch, actor=world.officer, reason="Nhập nhầm tệp")
    assert rollup_kits(world.province_a) == (0, 0, 0) and not ItemKitShortage.objects.exists()
    assert verify_ledger().ok
