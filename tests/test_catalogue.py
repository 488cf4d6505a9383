"""Catalogue pages (Danh mục, Biên chế) through Django's test client: who may edit, Vietnamese messages
next to the fields, the audit trail, holdings scoped to the subtree and counted from the ledger."""

from datetime import date

import pytest
from django.urls import reverse

from materiel.accounts.models import AuditEntry, AuditKind
from materiel.catalog import services as catalogue
from materiel.catalog.models import AuthorizedHolding, Category, EquipmentType
from materiel.core.errors import DomainError
from materiel.ledger import coefficients, services

D = date(2021, 1, 1)


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def type_form(**changes):
    data = {
        "category": "",
        "code": "pkm",
        "name": "Súng máy PKM",
        "short_name": "PKM",
        "unit_of_measure": "khẩu",
        "serialised": "1",
        "service_life_years": "25",
        "origin": "Liên Xô",
        "meters": ["rounds"],
    }
    data.update(changes)
    return data


def test_an_officer_adds_a_category_and_a_type_and_each_change_is_audited(officer_client, world):
    response = officer_client.post(
        reverse("catalogue:category_create"), {"code": "thong-tin", "name": "Khí tài thông tin", "order": "4"}
    )
    assert response.status_code == 302
    category = Category.objects.get(code="thong-tin")
    response = officer_client.post(reverse("catalogue:type_create"), type_form(category=category.pk))
    assert response.status_code == 302
    pkm = EquipmentType.objects.get(code="pkm")
    assert (pkm.category, pkm.serialised, pkm.meters, pkm.service_life_years) == (category, True, ["rounds"], 25)
    page = officer_client.get(reverse("catalogue:index"), {"q": "sung may"}).content.decode()
    assert "Súng máy PKM" in page and "Súng tiểu liên AK-47" not in page
    entries = AuditEntry.objects.filter(kind=AuditKind.CATALOG_CHANGED, actor=world.officer).order_by("id")
    assert [(e.changes["object"], e.changes["code"], e.changes["created"]) for e in entries] == [
        ("category", "thong-tin", True),
        ("type", "pkm", True),
    ]

    response = officer_client.post(
        reverse("catalogue:type_edit", args=[pkm.pk]), type_form(category=category.pk, name="Súng máy PKMS")
    )
    assert response.status_code == 302
    change = AuditEntry.objects.filter(kind=AuditKind.CATALOG_CHANGED).latest("id").changes
    assert change["name"] == ["Súng máy PKM", "Súng máy PKMS"] and change["code"] == "pkm"


def test_duplicate_codes_and_names_are_refused_next_to_the_field_in_vietnamese(officer_client, world):
    response = officer_client.post(reverse("catalogue:category_create"), {"code": "XE", "name": "Xe máy", "order": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["Mã nhóm xe đã có (Xe ô tô)."]
    response = officer_client.post(reverse("catalogue:category_create"), {"code": "oto", "name": "xe o to"})
    assert response.context["form"].errors["name"] == ["Đã có nhóm trang bị tên xe o to."]
    response = officer_client.post(reverse("catalogue:category_create"), {"code": "vũ khí", "name": "Vũ khí mới"})
    assert "Mã chỉ gồm chữ không dấu" in response.context["form"].errors["code"][0]

    weapons = world.rifle.category
    response = officer_client.post(reverse("catalogue:type_create"), type_form(category=weapons.pk, code="AK47"))
    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["Mã chủng loại ak47 đã có (Súng tiểu liên AK-47)."]
    html = response.content.decode()
    assert 'class="field has-error"' in html and "Mã chủng loại ak47 đã có" in html
    response = officer_client.post(
        reverse("catalogue:type_create"), type_form(category=weapons.pk, name="súng tieu lien AK-47")
    )
    assert response.context["form"].errors["name"] == ["Nhóm Vũ khí bộ binh đã có chủng loại tên súng tieu lien AK-47."]
    assert not AuditEntry.objects.filter(kind=AuditKind.CATALOG_CHANGED).exists()


def test_codes_are_fixed_and_counting_cannot_change_once_the_register_holds_the_type(officer_client, world):
    services.record_receipt(
        equipment_type=world.rifle, serial="AK-1", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    )
    data = type_form(category=world.rifle.category_id, code="doi-ma", name=world.rifle.name, serialised="0")
    response = officer_client.post(reverse("catalogue:type_edit", args=[world.rifle.pk]), data)
    assert response.status_code == 422
    assert "Không thể đổi cách quản lý" in response.context["form"].errors["serialised"][0]
    world.rifle.refresh_from_db()
    assert (world.rifle.code, world.rifle.serialised) == ("ak47", True)


def test_roles_without_the_right_read_the_catalogue_but_cannot_edit(client, world):
    client.force_login(world.commander)
    page = client.get(reverse("catalogue:index"))
    assert page.status_code == 200 and "Súng tiểu liên AK-47" in page.content.decode()
    assert reverse("catalogue:type_create") not in page.content.decode()
    for name, args in [
        ("catalogue:category_create", []),
        ("catalogue:type_create", []),
        ("catalogue:type_edit", [world.rifle.pk]),
        ("catalogue:holding_create", []),
    ]:
        response = client.post(reverse(name, args=args), type_form(category=world.rifle.category_id))
        assert response.status_code == 403
        assert "không được phép" in response.content.decode()
    with pytest.raises(DomainError):
        catalogue.save_category(actor=world.commander, code="moi", name="Mới")


def test_holdings_show_the_subtree_count_from_the_ledger_and_the_dashboard_fill_rate(officer_client, world):
    for n in range(3):
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-{n}",
            unit=world.district_a1,
            grade=2,
            occurred_on=D,
            actor=world.officer,
        )
    url = reverse("catalogue:holding_create") + "?unit=huyen-a1"
    response = officer_client.post(url, {"equipment_type": world.rifle.pk, "quantity": "5", "valid_from": "01/01/2021"})
    assert response.status_code == 302
    catalogue.set_holding(
        actor=world.officer, unit=world.province_a, equipment_type=world.truck, quantity=2, valid_from=D
    )
    response = officer_client.get(reverse("catalogue:holdings"), {"unit": "tinh-a"})
    table = response.context["table"]
    lines = {line.equipment_type.code: line for line in table.lines}
    assert (lines["ak47"].own, lines["ak47"].authorised, lines["ak47"].held, lines["ak47"].shortfall) == (
        None,
        5,
        3,
        2,
    )
    assert lines["uaz"].own.quantity == 2 and lines["uaz"].held == 0
    assert table.fill_rate == coefficients.summarise(world.province_a).fill_rate  # 3 of 7
    assert 'data-testid="fill-rate"' in response.content.decode()

    entry = AuditEntry.objects.filter(kind=AuditKind.HOLDING_CHANGED).order_by("id").first()
    assert entry.unit == world.district_a1 and entry.actor == world.officer
    assert entry.changes == {"unit": "huyen-a1", "type": "ak47", "valid_from": "2021-01-01", "quantity": [0, 5]}


def test_a_new_authorisation_from_a_date_keeps_the_past_fill_rate(officer_client, world):
    holding = catalogue.set_holding(
        actor=world.officer, unit=world.district_a1, equipment_type=world.rifle, quantity=4, valid_from=D
    )
    edit = reverse("catalogue:holding_edit", args=[holding.pk])
    assert officer_client.get(edit).status_code == 200
    response = officer_client.post(edit, {"quantity": "8", "valid_from": "01/01/2023"})
    assert response.status_code == 302
    rows = AuthorizedHolding.objects.filter(unit=world.district_a1).order_by("valid_from")
    assert [(r.quantity, r.valid_from, r.valid_to) for r in rows] == [
        (4, D, date(2023, 1, 1)),
        (8, date(2023, 1, 1), None),
    ]
    past = officer_client.get(reverse("catalogue:holdings"), {"unit": "huyen-a1", "on": "01/06/2022"})
    assert [line.authorised for line in past.context["table"].lines] == [4]

    response = officer_client.post(edit, {"quantity": "3", "valid_from": "01/01/2022"})
    assert response.status_code == 422
    assert "Đã có biên chế hiệu lực sau ngày này" in response.context["form"].errors["valid_from"][0]
    response = officer_client.post(edit, {"quantity": "3", "valid_from": "01/01/2010"})
    assert "Đơn vị thành lập ngày 01/01/2015" in response.context["form"].errors["valid_from"][0]
    response = officer_client.post(edit, {"quantity": "-1", "valid_from": "01/01/2024"})
    assert response.status_code == 422 and response.context["form"].errors["quantity"]

    # 0 ends the authorisation from that day.
    officer_client.post(edit, {"quantity": "0", "valid_from": "01/01/2024"})
    assert AuthorizedHolding.objects.filter(unit=world.district_a1, valid_to__isnull=True).count() == 0


def test_holdings_outside_the_subtree_are_not_found(officer_client, world):
    theirs = catalogue.set_holding(
        actor=world.outsider, unit=world.post_b1, equipment_type=world.rifle, quantity=4, valid_from=D
    )
    for method in (officer_client.get, officer_client.post):
        assert method(reverse("catalogue:holding_edit", args=[theirs.pk])).status_code == 404
    assert officer_client.get(reverse("catalogue:holding_create"), {"unit": "don-b1"}).status_code == 404
    assert officer_client.get(reverse("catalogue:holdings"), {"unit": "tinh-b"}).status_code == 404
    with pytest.raises(DomainError, match="ngoài phạm vi"):
        catalogue.set_holding(
            actor=world.officer, unit=world.post_b1, equipment_type=world.rifle, quantity=9, valid_from=D
        )
    assert AuthorizedHolding.objects.get(pk=theirs.pk).quantity == 4
