"""Readiness by reason: the dashboard's counts come from the projection, each links to exactly the
register rows it counts (page and API), a reversed reason leaves the count, and a stranger's
dashboard shows none of it."""

import re
from datetime import date
from html import unescape

from django.utils import timezone

from materiel.equipment.models import Item
from materiel.inspections.readiness import reason_counts
from materiel.ledger import services

from .test_api import Api

D = date(2021, 3, 1)
TODAY = timezone.localdate()


def rifles(world, n):
    return [
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-R{k}",
            unit=world.district_a1,
            grade=2,
            occurred_on=D,
            actor=world.officer,
        ).item  # fmt: skip
        for k in range(n)
    ]


def not_ready(world, item, reason):
    return services.record("readiness", item, actor=world.officer, occurred_on=TODAY, details={"reason": reason})


def test_each_reason_count_opens_exactly_its_items(client, world):
    items = rifles(world, 4)
    for item, reason in zip(items, ["cho-vat-tu", "cho-vat-tu", "cho-sua-chua", "cho-vat-tu"], strict=True):
        not_ready(world, item, reason)
    not_ready(world, Item.objects.get(pk=items[3].pk), "")  # ready again: an empty reason clears it
    counts = {row.code: row.items for row in reason_counts(world.officer, world.province_a)}
    assert counts == {"cho-vat-tu": 2, "cho-sua-chua": 1}

    client.force_login(world.officer)
    page = client.get("/?unit=tinh-a").content.decode()
    links = re.findall(r'<a href="(/trang-bi/\?[^"]*readiness=[^"]+)" data-count="(\d+)"', page)
    assert sorted(count for _href, count in links) == ["1", "2"]
    for href, count in links:
        register = client.get(unescape(href)).content.decode()
        assert len(set(re.findall(r"AK-R\d", register))) == int(count), href
        assert "Lý do chưa sẵn sàng" in register  # the filter shows in the form, removable
    api = Api(world.officer)
    found = api.get("/items", unit="tinh-a", readiness="cho-vat-tu").json()["results"]
    assert sorted(i["serial"] for i in found) == ["AK-R0", "AK-R1"]

    client.force_login(world.outsider)
    assert 'data-testid="readiness"' not in client.get("/").content.decode()
    assert reason_counts(world.outsider, world.province_b) == []


def test_a_past_days_dashboard_counts_the_reasons_of_that_day_and_opens_those_items(client, world):
    from datetime import timedelta

    from materiel.inspections.readiness import reason_counts_on

    items = rifles(world, 3)
    earlier = TODAY - timedelta(days=10)
    for item in items[:2]:
        services.record("readiness", item, actor=world.officer, occurred_on=earlier, details={"reason": "cho-vat-tu"})
    # One is ready again since: today it counts no more, ten days ago it did.
    services.record("readiness", Item.objects.get(pk=items[0].pk), actor=world.officer, occurred_on=TODAY,
                    details={"reason": ""})  # fmt: skip
    assert [(r.code, r.items) for r in reason_counts(world.officer, world.province_a)] == [("cho-vat-tu", 1)]
    day = earlier + timedelta(days=1)
    assert [(r.code, r.items) for r in reason_counts_on(world.officer, world.province_a, day)] == [("cho-vat-tu", 2)]
    assert reason_counts_on(world.officer, world.province_a, earlier - timedelta(days=1)) == []
    client.force_login(world.officer)
    page = client.get(f"/?unit=tinh-a&on={day:%d/%m/%Y}").content.decode()
    (link,) = re.findall(r'<a href="(/trang-bi/\?[^"]*readiness=[^"]+)" data-count="2"', page)
    register = client.get(unescape(link)).content.decode()
    assert sorted(set(re.findall(r"AK-R\d", register))) == ["AK-R0", "AK-R1"]
    assert reason_counts_on(world.outsider, world.province_a, day) == []
