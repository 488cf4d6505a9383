"""Removal from the inventory and disposal (loại khỏi biên chế, thanh lý): the grounds (reference
data), a unit's proposal listing items with the ground of each, its way up to the deciding echelon
(an append-only log of every step), and the decision that writes the disposal events.

A proposal is the unit's paper (tờ trình) until the decision: drafting it, submitting it or sending
it back changes no item. Only the decision writes to the ledger — for each item "awaiting disposal"
(when it was not already) and "disposed", dated the decision's day and carrying its number — in one
transaction, each event linked to the proposal by a `DisposalLine`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyModel, AppendOnlyQuerySet
from materiel.core.scoped import ScopedQuerySet
from materiel.ledger.records import EventLine


class Ground(models.Model):
    """A ground for removal (căn cứ loại khỏi biên chế), reference data. The shipped rows follow the
    grounds Circular 126/2020/TT-BQP names (docs/glossary.md); their wording is editable."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("căn cứ"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("căn cứ loại khỏi biên chế")

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    DRAFT = "draft", _("Đang lập")
    SUBMITTED = "submitted", _("Đã trình")
    RETURNED = "returned", _("Bị trả lại")
    DECIDED = "decided", _("Đã có quyết định")
    CANCELLED = "cancelled", _("Đã hủy")


# The states in which the unit may still change the list.
EDITABLE = (State.DRAFT, State.RETURNED)
# The states in which a proposal holds its items: no other proposal may list them.
HOLDING = (State.DRAFT, State.SUBMITTED, State.RETURNED)


class ProposalQuerySet(ScopedQuerySet):
    unit_field = "unit"


class Proposal(models.Model):
    """A unit's proposal to remove items from its inventory (đề nghị loại khỏi biên chế, thanh lý)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị đề nghị"))
    number = models.CharField(_("số tờ trình"), max_length=40)
    title = models.CharField(_("trích yếu"), max_length=200)
    proposed_on = models.DateField(_("ngày đề nghị"))
    state = models.CharField(_("trạng thái"), max_length=20, choices=State.choices, default=State.DRAFT)
    decision_number = models.CharField(_("số quyết định"), max_length=80, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    deciding_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cấp quyết định"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Each change bumps it; a form that saw an older one is refused (ConflictError).
    version = models.PositiveIntegerField(default=1)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("đề nghị thanh lý")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="unique_disposal_number")]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE


class Line(models.Model):
    """An item of the proposal and the ground it is proposed on."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("equipment.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("trang bị"))
    ground = models.ForeignKey(Ground, on_delete=models.PROTECT, related_name="+", verbose_name=_("căn cứ"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["proposal", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "item"], name="unique_disposal_item")]


class StepQuerySet(AppendOnlyQuerySet):
    pass


class Step(AppendOnlyModel):
    """One move of a proposal: who, when, from, to, and why (a sending back says why)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="steps")
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    objects = StepQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "id"]


class DisposalLine(EventLine):
    """An event the decision wrote: an item's "awaiting disposal" and its "disposed"."""

    record = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="event_lines")
