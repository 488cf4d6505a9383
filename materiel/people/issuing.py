"""Issuing an item to a person of the register, through the qualification gate.

The ledger is not changed: the issue event is the register's own (`ledger.services.record_issue`),
its holder text the person's rank and name, so old free-text holders and new ones read alike. An
`Issuance` record links the person to that event (`IssuanceLine`, the `ledger.records` pattern) and
keeps what the gate answered. The gate is a policy per equipment category (`QualificationRule`, set by
the administrator, `people.gate`): the person needs a certification valid on the day of a kind of the
rule's specialty; without one, *warn* lets the issue through only with a reason (recorded), *refuse*
refuses it.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import PermissionDenied, allowed, require
from materiel.catalog.models import Category
from materiel.core.errors import DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item
from materiel.ledger import services as ledger
from materiel.ledger.models import Event

from .models import (
    Certification,
    GateOutcome,
    GatePolicy,
    Issuance,
    IssuanceLine,
    Membership,
    Person,
    QualificationRule,
    Specialty,
)
from .services import ACTION


def qualified(person: Person, specialty: Specialty, day: date) -> bool:
    return Certification.objects.valid_on(day).filter(person=person, kind__specialty=specialty).exists()


@transaction.atomic
def issue_to_person(item: Item, *, person: Person, actor: User, occurred_on: date, reason: str = "") -> Issuance:
    """Issue `item` to `person` on the day, through the gate of the item's category."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    require(actor, ACTION, unit=person.unit)
    member = Membership.objects.on(occurred_on).filter(person=person).select_related("unit").first()
    if member is None:
        raise DomainError(
            _("Ngày %(day)s %(person)s chưa thuộc đơn vị nào trong sổ.")
            % {"day": occurred_on.strftime("%d/%m/%Y"), "person": person.full_name},
            field="occurred_on",
        )
    here, there = member.unit.path, item.unit.path
    if not (here.startswith(there) or there.startswith(here)):
        raise DomainError(
            _("%(person)s (%(unit)s) không thuộc đơn vị quản lý trang bị %(item)s.")
            % {"person": person.full_name, "unit": member.unit.name, "item": item.serial},
            field="person",
        )
    reason = nfc(reason or "").strip()[:300]
    outcome = GateOutcome.NOT_CHECKED
    rule = (
        QualificationRule.objects.filter(category_id=item.equipment_type.category_id)
        .select_related("specialty")
        .first()
    )
    if rule is not None and rule.policy != GatePolicy.OFF:
        if qualified(person, rule.specialty, occurred_on):
            outcome = GateOutcome.QUALIFIED
        else:
            missing = _("%(person)s chưa có chứng chỉ chuyên ngành %(specialty)s còn hạn ngày %(day)s.") % {
                "person": person.full_name,
                "specialty": rule.specialty.name,
                "day": occurred_on.strftime("%d/%m/%Y"),
            }
            if rule.policy == GatePolicy.REFUSE:
                raise DomainError(missing + " " + _("Không được cấp phát trang bị nhóm này."), field="person")
            if not reason:
                raise DomainError(
                    missing + " " + _("Muốn vẫn cấp phát, hãy ghi lý do."), field="reason", code="qualification"
                )
            outcome = GateOutcome.OVERRIDDEN
    event = ledger.record_issue(item, holder=str(person)[:150], occurred_on=occurred_on, actor=actor)
    issuance = Issuance.objects.create(
        person=person,
        item=item,
        issued_on=occurred_on,
        gate=outcome,
        reason=reason if outcome == GateOutcome.OVERRIDDEN else "",
        created_by=actor,
    )
    IssuanceLine.link(issuance, [event])
    return issuance


@transaction.atomic
def set_rule(*, actor: User, category: Category, specialty: Specialty | None, policy: str) -> QualificationRule | None:
    """The gate of a category: a specialty and a policy, or none (no specialty: the rule is removed)."""
    if not allowed(actor, "people.gate"):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))
    if policy not in GatePolicy.values:
        raise DomainError(_("Chính sách không hợp lệ."), field="policy")
    if specialty is None or policy == GatePolicy.OFF:
        QualificationRule.objects.filter(category=category).delete()
        return None
    rule, _created = QualificationRule.objects.update_or_create(
        category=category, defaults={"specialty": specialty, "policy": policy}
    )
    return rule


def holder_of(user: User, item: Item) -> Person | None:
    """The person of the register who holds the item now, if it was issued to them through it (and the
    user may see them); None for a free-text holder, whose text stays what the item page shows."""
    if not item.holder:
        return None
    issuance = Issuance.objects.filter(item=item).order_by("-id").first()
    line = issuance.event_lines.select_related("event").first() if issuance is not None else None
    if issuance is None or line is None or line.event.holder_after != item.holder:
        return None
    if Event.objects.filter(item=item, kind="issue", pk__gt=line.event.pk).exists():
        return None  # issued again since, as free text
    return Person.objects.visible_to(user).filter(pk=issuance.person_id).first()
