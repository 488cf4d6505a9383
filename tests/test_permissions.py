"""The permission table in docs/security.md is the contract: the code equals it, and every role can
do exactly what it shows — allowed actions succeed, the others are refused with 403 in Vietnamese."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from materiel.accounts.models import Role
from materiel.accounts.scoping import ACTIONS, PermissionDenied
from materiel.ledger import reorganisation as reorg
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.storage.models import PlaceKind

from .factories import make_user

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
COLUMNS = {
    "technical officer": Role.TECHNICAL_OFFICER,
    "depot keeper": Role.DEPOT_KEEPER,
    "inspector": Role.INSPECTOR,
    "commander": Role.COMMANDER,
    "reviewer": Role.REVIEWER,
    "mechanic": Role.MECHANIC,
    "administrator": Role.ADMIN,
}


def documented_table() -> dict[str, set[str]]:
    lines = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    roles = [COLUMNS[name] for name in header[1:]]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        action = re.search(r"`([a-z.]+)`", cells[0])
        if action:
            table[action.group(1)] = {role for role, cell in zip(roles, cells[1:], strict=True) if cell == "✓"}
    return table


def test_the_code_enforces_exactly_the_documented_table():
    assert {action: set(roles) for action, roles in ACTIONS.items()} == documented_table()


D = date(2021, 1, 1)


def attempt(action, client, user, world):
    """Perform `action` as `user`; True if it went through, False if refused with 403."""
    item = services.record_receipt(
        equipment_type=world.rifle,
        serial=f"P-{action}",
        unit=world.district_a1,
        grade=2,
        occurred_on=D,
        actor=world.admin,
    ).item
    client.force_login(user)
    day = {"occurred_on": "05/02/2025"}
    posts = {
        "ledger.record": ("issue", {"holder": "Lò Văn Páo"}),
        "ledger.transfer": ("transfer", {"to_unit": world.district_a2.code, "document_number": "1/BB"}),
        "ledger.grade": ("grade", {"grade": 3, "reason": "Kiểm tra"}),
    }
    if action in posts:
        name, data = posts[action]
        form = {f"{name}-{key}": value for key, value in {**day, **data}.items()}
        response = client.post(reverse("web:item_action", args=[item.pk, name]), form)
    elif action == "ledger.reverse":
        event = Event.objects.get(item=item)
        response = client.post(reverse("web:reverse_event", args=[event.pk]), {"reverse-reason": "Ghi nhầm"})
        if response.status_code == 302:
            return Event.objects.filter(reverses=event).exists()
    elif action == "units.reorganise":
        try:
            reorg.rename_unit(world.district_a1, name="Ban CHQS huyện Bát Xát (mới)", on=D, actor=user)
        except PermissionDenied as refusal:
            assert "không được phép" in refusal.message
            return False
        return True
    elif action == "users.manage":
        response = client.get(reverse("accounts:users"))
    elif action == "audit.view":
        response = client.get(reverse("accounts:audit"))
    elif action == "catalog.manage":
        code = f"nhom-{user.pk}"
        response = client.post(reverse("catalogue:category_create"), {"code": code, "name": f"Nhóm thử {code}"})
    elif action == "holdings.manage":
        url = reverse("catalogue:holding_create") + f"?unit={world.district_a1.code}"
        response = client.post(url, {"equipment_type": world.rifle.pk, "quantity": 3, "valid_from": "05/02/2025"})
    elif action == "storage.manage":
        url = reverse("storage:place_create") + f"?unit={world.district_a1.code}"
        kind = PlaceKind.objects.get(code="kho")
        response = client.post(url, {"kind": kind.pk, "code": f"K-{user.pk}", "name": f"Kho thử {user.pk}"})
    elif action == "maintenance.plan":
        url = reverse("maintenance:techday_schedule") + f"?unit={world.district_a1.code}"
        response = client.post(url, {"frequency": "weekly", "weekday": 4, "part_of_day": "morning"})
    elif action == "workorders.manage":
        from materiel.workorders.services import create_order

        try:
            create_order(actor=user, unit=world.district_a1, kind="maintenance", title="Bảo dưỡng thử")
        except PermissionDenied as refusal:
            assert "không được phép" in refusal.message
            return False
        return True
    elif action == "disposal.propose":
        url = reverse("disposal:create") + f"?unit={world.district_a1.code}"
        response = client.post(url, {"number": f"{user.pk}/TTr", "title": "Thanh lý thử", "proposed_on": "05/02/2025"})
    elif action == "disposal.decide":
        from materiel.disposal import services as disposal
        from materiel.disposal.models import Ground

        proposal = disposal.create_proposal(
            actor=world.admin, unit=world.district_a1, number=f"Q-{user.pk}", title="Thử", proposed_on=D
        )
        disposal.add_lines(proposal, [disposal.Wanted(item, Ground.objects.first())], actor=world.admin)
        disposal.submit(proposal, actor=world.admin)
        try:
            disposal.decide(proposal, actor=user, decision_number="1/QĐ", decided_on=date(2025, 2, 5))
        except PermissionDenied as refusal:
            assert "không được phép" in refusal.message
            return False
        return True
    elif action == "people.manage":
        from materiel.people.models import Specialty

        url = reverse("people:create") + f"?unit={world.district_a1.code}"
        body = {"full_name": f"Cán bộ {user.pk}", "specialty": Specialty.objects.first().pk,
                "unit": world.district_a1.pk, "joined_on": "05/02/2025"}  # fmt: skip
        response = client.post(url, body)
    elif action == "people.gate":
        from materiel.people.models import Specialty

        body = {"category": world.rifle.category_id, "specialty": Specialty.objects.first().pk, "policy": "warn"}
        response = client.post(reverse("people:gate"), body)
    elif action == "resolutions.manage":
        from materiel.resolutions.services import save_resolution

        try:
            save_resolution(
                actor=user, number=f"{user.pk}/NQ", issued_on=D, issuer="Đảng ủy", title="Thử", kind="resolution",
                starts_on=D, unit=world.district_a1,
            )  # fmt: skip
        except PermissionDenied as refusal:
            assert "không được phép" in refusal.message
            return False
        return True
    elif action == "inspections.manage":
        from materiel.inspections.services import Step, save_template

        try:
            save_template(
                actor=user, code=f"mau-{user.pk}", name="Mẫu thử", kind="regular", steps=[Step("Sạch", "minor")]
            )
        except PermissionDenied as refusal:
            assert "không được phép" in refusal.message
            return False
        return True
    elif action in ("counts.launch", "counts.count", "counts.approve"):
        from materiel.counts import services as counts

        try:
            if action == "counts.launch":
                counts.launch(actor=user, unit=world.district_a1, title="Thử", reference_date=D, deadline=D)
            else:
                campaign = counts.launch(
                    actor=world.admin, unit=world.district_a1, title=f"Thử {user.pk}", reference_date=D, deadline=D
                )
                sheet = campaign.sheets.get(unit=world.district_a1)
                if action == "counts.count":
                    counts.mark_all_found(sheet, actor=user)
                else:
                    counts.mark_all_found(sheet, actor=world.admin)
                    counts.submit(sheet, actor=world.admin)
                    counts.approve_unit(sheet, actor=user)
        except PermissionDenied as refusal:
            assert "không được phép" in refusal.message
            return False
        return True
    else:
        raise AssertionError(action)
    if response.status_code == 403:
        assert "không được phép" in response.content.decode()
        return False
    assert response.status_code in (200, 302), response.status_code
    return True


@pytest.mark.parametrize("role", list(Role))
def test_each_role_can_do_exactly_what_the_table_shows(client, world, role):
    user = make_user(f"vai-tro-{role}", world.province_a, role)
    assert client.get(reverse("web:dashboard")).status_code == 302  # signed out: sign in first
    for action, roles in documented_table().items():
        assert attempt(action, client, user, world) == (role in roles), f"{role} {action}"
    client.force_login(user)
    assert client.get(reverse("web:dashboard")).status_code == 200  # every role reads its subtree
