"""Domain records linked to the events they wrote: a handover record, and next a work order, an
inspection run, a count sheet.

A domain app owns its record (a model of its own: number, date, parties, whatever the paper says)
and its lines, each line pointing at one event the record wrote. The record, its events and its
lines are written in one transaction, so there is never a record without its events nor an event
that says it came from a record that does not exist:

    class WorkOrderLine(EventLine):
        record = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="lines")

    @transaction.atomic
    def close_work_order(order, items, actor):
        writer = services.Writer(items, actor=actor)
        for item in writer.items:
            writer.record(item, "repair_end", occurred_on=..., document_number=order.number)
        WorkOrderLine.link(order, writer.save())

`documents.HandoverLine` is the first such line.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Event


class EventLine(models.Model):
    """One line of a domain record: its place in the record and the event it wrote (never another's).

    A subclass adds `record = models.ForeignKey(TheRecord, on_delete=models.PROTECT, related_name="lines")`
    and may redefine `event` to give it a reverse name."""

    position = models.PositiveIntegerField(_("thứ tự"))
    event = models.OneToOneField(
        "ledger.Event", on_delete=models.PROTECT, related_name="%(app_label)s_%(class)s", verbose_name=_("sự kiện")
    )

    if TYPE_CHECKING:
        # What each concrete line has (the base, abstract, has no manager; its subclass adds `record`).
        objects: ClassVar[models.Manager["EventLine"]]
        record: Any

    class Meta:
        abstract = True
        ordering = ["record", "position"]

    @classmethod
    def link(cls, record: models.Model, events: Sequence["Event"]) -> list["EventLine"]:
        """The lines of `record`, one per event in order, written in the transaction that wrote them."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("a record's lines are written in the transaction of its events")
        if any(event.pk is None for event in events):
            raise ValueError("link the events once they are written (Writer.save() gives their ids)")
        return cls.objects.bulk_create(
            # The plugin knows only the base's fields, not the `record` every subclass declares.
            cls(record=record, position=n, event=event)  # type: ignore[misc]
            for n, event in enumerate(events, start=1)
        )
