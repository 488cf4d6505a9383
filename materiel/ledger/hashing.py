"""Hash chains over events: one chain per stream (item or lot), and seals over id ranges."""

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Event

GENESIS = "0" * 64


def stream_of(*, item_id: int | None = None, lot_id: int | None = None) -> str:
    return f"item:{item_id}" if item_id is not None else f"lot:{lot_id}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def canonical_payload(event: "Event") -> dict[str, Any]:
    """Every column that carries meaning, in a form that survives a round trip through either database."""
    recorded_at = event.recorded_at.astimezone(UTC).isoformat(timespec="microseconds")
    return {
        "stream": event.stream,
        "prev": event.prev_hash,
        "kind": str(event.kind),
        "occurred_on": _iso(event.occurred_on),
        "recorded_at": recorded_at,
        "recorded_by": event.recorded_by_id,
        "unit": event.unit_id,
        "from_unit": event.from_unit_id,
        "to_unit": event.to_unit_id,
        "item": event.item_id,
        "lot": event.lot_id,
        "grade_before": event.grade_before,
        "grade_after": event.grade_after,
        "status_before": str(event.status_before),
        "status_after": str(event.status_after),
        "holder_before": event.holder_before,
        "holder_after": event.holder_after,
        "quantity": event.quantity,
        "document_number": event.document_number,
        "document_date": _iso(event.document_date),
        "reason": event.reason,
        "details": event.details,
        "reverses": event.reverses_id,
        "group": event.group,
    }


def event_hash(event: "Event") -> str:
    payload = canonical_payload(event)
    if event.batch_id is not None:
        # Added after the first events were hashed: present only when set, so older hashes still hold.
        payload["batch"] = event.batch_id
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def seal_digest(prev_digest: str, hashes: Iterable[str]) -> str:
    """The unkeyed digest of the seals made before HMAC (algorithm "sha256"): verified, never made."""
    h = hashlib.sha256(prev_digest.encode())
    for value in hashes:
        h.update(value.encode())
    return h.hexdigest()


def keyed_seal_digest(key: bytes, *, first: int, last: int, count: int, prev_digest: str, hashes: Iterable[str]) -> str:
    """HMAC-SHA256 over the range, the previous seal and every event hash in it: without the key
    (a file outside the database, materiel.ledger.sealkey) nobody can recompute it."""
    h = hmac.new(key, f"{first}:{last}:{count}:{prev_digest}:".encode(), hashlib.sha256)
    for value in hashes:
        h.update(value.encode())
    return h.hexdigest()
