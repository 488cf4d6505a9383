"""Seal committed ranges of events in order, chaining each seal to the previous one.

Each seal is an HMAC keyed with a file outside the database (sealkey) and is appended to the seal
file (sealfile) as well: run `materiel seal` every few minutes (docs/operations.md) so that the
window of unsealed events stays small.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from . import sealfile
from .hashing import GENESIS, keyed_seal_digest
from .models import Event, LedgerSeal, SealAlgorithm
from .sealkey import key_id, load_key

# On PostgreSQL an event with a lower id can commit after one with a higher id; sealing only events
# older than this leaves every transaction time to commit before its range is closed.
SETTLE = timedelta(minutes=5)


def _lock() -> None:
    """One sealer at a time. Not SELECT … FOR UPDATE on the seals: that needs the UPDATE privilege,
    which the application's role does not have on an append-only table. SQLite's writers already
    queue (BEGIN IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('materiel.seal_ledger'))")


@transaction.atomic
def seal_ledger(*, settle: timedelta = SETTLE) -> LedgerSeal | None:
    key = load_key(create=True)  # before any database work: no key, no seal
    _lock()
    last = LedgerSeal.objects.order_by("-last_event_id").first()
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
    seal = LedgerSeal.objects.create(
        first_event_id=start,
        last_event_id=newest,
        event_count=len(hashes),
        prev_digest=prev,
        digest=keyed_seal_digest(key, first=start, last=newest, count=len(hashes), prev_digest=prev, hashes=hashes),
        algorithm=SealAlgorithm.HMAC_SHA256,
        key_id=key_id(key),
    )
    sealfile.append(seal)
    return seal
