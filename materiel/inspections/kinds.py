"""The kind this app declares: readiness (lý do chưa sẵn sàng), and the item reasons it keeps.

A `readiness` event records why an item is not serviceable (a reason code of `ReadinessReason`),
or clears it (an empty code). `ItemReadiness` holds the current reason of the items that have one;
the writer keeps it in the event's transaction and `materiel verify` replays it
(docs/inspections.md).
"""

from dataclasses import replace

import pydantic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.core.errors import DomainError
from materiel.ledger import kinds, rules
from materiel.ledger.kinds import REVERSAL, Details, Kind, title
from materiel.ledger.models import Event

from .models import ItemReadiness, ReadinessReason

READINESS = "readiness"


class ReadinessDetails(Details):
    reason: str = pydantic.Field("", max_length=30, title=title(gettext_lazy("lý do chưa sẵn sàng")))
    note: str = pydantic.Field("", max_length=300, title=title(gettext_lazy("ghi chú")))


def _reason_id(code: str) -> int | None:
    if not code:
        return None
    return ReadinessReason.objects.filter(code=code).values_list("pk", flat=True).first()


def readiness(state, ctx, item, *, occurred_on, details, **_facts):
    """A live item, on a valid day, with a known reason code (or none, to clear it)."""
    rules.require_live(state, _("ghi lý do chưa sẵn sàng"))
    rules.check_date(state, occurred_on, ctx.today)
    if details.reason and _reason_id(details.reason) is None:
        raise DomainError(_("Không có lý do chưa sẵn sàng mã “%(code)s”.") % {"code": details.reason}, field="reason")
    return replace(state, last_event_on=occurred_on)


def reason_of(events) -> tuple[str, object] | None:
    """(reason code, since) after these events of one item, reversed ones left out."""
    reversed_ids = {e.reverses_id for e in events if e.kind == REVERSAL}
    reason = None
    for event in events:
        if event.kind == READINESS and event.pk not in reversed_ids:
            code = event.details.get("reason", "")
            reason = (code, event.occurred_on) if code else None
    return reason


class ReadinessProjection:
    """Item → current readiness reason (ItemReadiness), written at the writer's flush."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._expected: dict[int, tuple[str, object] | None] = {}

    def _pending(self, writer) -> dict:
        return writer.pending.setdefault(self, {})

    def record(self, writer, item, event, details) -> None:
        if event.kind == READINESS:
            self._pending(writer)[item.pk] = (details.reason, event.occurred_on) if details.reason else None

    def reverse(self, writer, item, event) -> None:
        if event.kind != READINESS:
            return
        fields = ("id", "item_id", "kind", "occurred_on", "details", "reverses_id")
        stored = list(Event.objects.filter(item_id=item.pk).order_by("id").only(*fields))
        self._pending(writer)[item.pk] = reason_of(stored + [e for e in writer.events if e.item_id == item.pk])

    def flush(self, writer) -> None:
        pending = writer.pending.pop(self, {})
        if not pending:
            return
        ItemReadiness.objects.filter(item_id__in=list(pending)).delete()
        ids = dict(ReadinessReason.objects.values_list("code", "pk"))
        ItemReadiness.objects.bulk_create(
            ItemReadiness(item_id=pk, reason_id=ids[entry[0]], since=entry[1]) for pk, entry in pending.items() if entry
        )

    def replay(self, event, reversed_ids: set[int]) -> None:
        if event.kind != READINESS or event.pk in reversed_ids or event.item_id is None:
            return
        code = event.details.get("reason", "")
        self._expected[event.item_id] = (code, event.occurred_on) if code else None

    def compare(self, report) -> None:
        expected = {pk: entry for pk, entry in self._expected.items() if entry}
        seen = set()
        for item_id, code, since in ItemReadiness.objects.values_list("item_id", "reason__code", "since"):
            seen.add(item_id)
            where = f"Lý do chưa sẵn sàng của trang bị #{item_id}"
            if expected.get(item_id) != (code, since):
                report.problem(f"{where}: lưu “{code}” từ {since}, tính lại {expected.get(item_id)}.")
        for item_id, (code, _since) in expected.items():
            if item_id not in seen:
                report.problem(f"Lý do chưa sẵn sàng của trang bị #{item_id}: thiếu (tính lại được “{code}”).")


READINESS_PROJECTION = ReadinessProjection()


def has_reason(writer, item) -> bool:
    """Whether the item carries a readiness reason, after what `writer` recorded so far."""
    pending = writer.pending.get(READINESS_PROJECTION, {})
    if item.pk in pending:
        return pending[item.pk] is not None
    return ItemReadiness.objects.filter(item_id=item.pk).exists()


def clear_after_repair(writer, item, event) -> None:
    """A repair's end makes the item serviceable again: the reason it carried (a critical finding,
    awaiting repair) is cleared by a `readiness` event with no reason, on the same day, in the same
    transaction, so the history says so and a reversal can undo it (kinds.follow)."""
    if has_reason(writer, item):
        writer.consequence(
            item,
            READINESS,
            occurred_on=event.occurred_on,
            document_number=event.document_number,
            details={"reason": "", "note": _("Sửa chữa xong")},
        )


READINESS_KIND = Kind(
    READINESS,
    gettext_lazy("Lý do chưa sẵn sàng"),
    target=kinds.ITEM,
    action="ledger.grade",
    rule=readiness,
    details=ReadinessDetails,
    projection=READINESS_PROJECTION,
    app="inspections",
)
