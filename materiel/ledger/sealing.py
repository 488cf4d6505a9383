"""Seal committed ranges of events in order, chaining each seal to the previous one."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .hashing import GENESIS, seal_digest
from .models import Event, LedgerSeal

# On PostgreSQL an event with a lower id can commit after one with a higher id; sealing only events
# older than this leaves every transaction time to commit before its range is closed.
SETTLE = timedelta(minutes=5)


@transaction.atomic
def seal_ledger(*, settle: timedelta = SETTLE) -> LedgerSeal | None:
    last = LedgerSeal.objects.select_for_update().order_by("-last_event_id").first()
    start = last.last_event_id + 1 if last else 1
    cutoff = timezone.now() - settle
    newest = (
        Event.objects.filter(id__gte=start, recorded_at__lte=cutoff)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if newest is None:
        return None
    hashes = list(Event.objects.filter(id__gte=start, id__lte=newest).order_by("id").values_list("hash", flat=True))
    prev = last.digest if last else GENESIS
    return LedgerSeal.objects.create(
        first_event_id=start,
        last_event_id=newest,
        event_count=len(hashes),
        prev_digest=prev,
        digest=seal_digest(prev, hashes),
    )
