"""Read grants (accounts.ScopeGrant): a user holds their own subtree plus the subtrees an
administrator lets them read; reading only, every grant and revocation in the audit log."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from materiel.accounts.models import AuditEntry, AuditKind, ScopeGrant
from materiel.accounts.scoping import PermissionDenied, forget_grants, restrict
from materiel.equipment.models import Item
from materiel.ledger import services

D = date(2021, 1, 1)


@pytest.fixture
def post_rifle(world):
    return services.record_receipt(
        equipment_type=world.rifle, serial="AK-DON-1", unit=world.post_b1, grade=2, occurred_on=D, actor=world.outsider
    ).item


def test_a_grant_opens_the_subtree_for_reading_only_and_is_audited(client, world, post_rifle):
    officer = world.officer
    assert not Item.objects.visible_to(officer).filter(pk=post_rifle.pk).exists()
    call_command("scope_grants", "add", "--user", officer.username, "--unit", world.post_b1.code, "--note", "QĐ 5")
    forget_grants(officer)  # a new request reads its grants anew; this test keeps one user object
    # One query, one OR of the two path ranges (the user's own and the granted one).
    sql = str(restrict(Item.objects.all(), officer, "unit__path").query)
    assert sql.count(world.province_a.path) == 2 and sql.count(world.post_b1.path) == 2
    assert Item.objects.visible_to(officer).filter(pk=post_rifle.pk).exists()
    client.force_login(officer)
    page = client.get(reverse("web:item", args=[post_rifle.pk])).content.decode()
    assert "AK-DON-1" in page and 'data-testid="actions"' not in page  # read, not act
    assert client.post(reverse("web:item_action", args=[post_rifle.pk, "grade"]), {}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_grade_change(post_rifle, grade=1, reason="x", occurred_on=D, actor=officer)
    receipt = client.get(reverse("web:receive")).content.decode()
    assert world.post_b1.code not in receipt  # not a unit to receive into
    entry = AuditEntry.objects.get(kind=AuditKind.SCOPE_GRANTED)
    assert entry.target == officer and entry.changes["unit"] == world.post_b1.code and entry.changes["via"] == "console"

    call_command("scope_grants", "remove", "--user", officer.username, "--unit", world.post_b1.code)
    forget_grants(officer)  # a new request reads its grants anew; this test keeps one user object
    assert not ScopeGrant.objects.exists() and AuditEntry.objects.filter(kind=AuditKind.SCOPE_REVOKED).exists()
    assert not Item.objects.visible_to(officer).filter(pk=post_rifle.pk).exists()


def test_only_an_administrator_who_reads_the_unit_grants_it(world):
    from materiel.accounts.services import grant_scope

    with pytest.raises(PermissionDenied):
        grant_scope(world.officer, world.post_b1, actor=world.officer)
    grant_scope(world.officer, world.post_b1, actor=world.admin)
    assert ScopeGrant.objects.filter(user=world.officer, unit=world.post_b1, granted_by=world.admin).exists()
