"""The registry of event kinds: what the ledger knows about a kind is what its app declared here.

The ledger itself knows only the generic machinery: an event changes the state of one item (its
unit, grade, status, holder) or the quantity of one lot, it is hash-chained, counted in the rollups,
reversible by a reversal event, replayed by `materiel verify`. Everything particular to a kind is a
`Kind` that its owning app registers from `AppConfig.ready()`:

    register(Kind("relocation", _("Chuyển nơi cất giữ"), target=ITEM, action="ledger.record",
                  rule=relocate, details=RelocationDetails, app="storage"))

The writer (`ledger.batch.LedgerBatch`) looks the kind up on every write: it validates the details
against the kind's schema, asks the kind's rule for the state after, checks the kind's action in the
services (`ledger.services`), and lets the kind's projection (a meter, a storage place) follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import pydantic
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.core.errors import DomainError
from materiel.core.text import nfc

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .rules import ItemState

ITEM: Literal["item"] = "item"
LOT: Literal["lot"] = "lot"
Target = Literal["item", "lot"]

# The one kind the ledger core owns: the cancellation of a mistaken event (hủy sự kiện ghi nhầm).
REVERSAL = "reversal"


def title(text: StrOrPromise) -> str:
    """A `Details` field's Vietnamese title, lazy (`pydantic.Field(title=title(gettext_lazy(...)))`).

    pydantic types `title` as str but keeps the object it is given; the lazy text is translated when
    a message names the field (`_details_error` formats it), in the language of that request."""
    return cast(str, text)


class Details(pydantic.BaseModel):
    """The typed facts a kind keeps in `Event.details`, validated on every write.

    Subclass it per kind; give each field a Vietnamese `title` (it names the field in messages).
    Stored as its JSON dump without the fields left at their defaults, so an optional fact that was
    not given leaves `details` as it was before the kind had a schema."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @pydantic.field_validator("*", mode="before")
    @classmethod
    def _normalised(cls, value: Any) -> Any:
        return nfc(value) if isinstance(value, str) else value


class RuleContext(Protocol):
    """What a rule may ask of the writer, beyond the item's state: nothing it could change."""

    today: Any  # datetime.date

    def unit(self, pk: int) -> Any: ...

    def equipment_type_of(self, item: Any) -> Any: ...

    def meter(self, item: Any, meter: str) -> tuple[Any, Any] | None: ...


# rule(state_before, ctx, item, **facts) -> state_after; pure apart from reading ctx.
ItemRule = Callable[..., "ItemState"]


class Projection(Protocol):
    """A projection a kind keeps besides the item's state (the item's meters, say): how it follows a
    write and a reversal in the writer, and how `materiel verify` replays and compares it."""

    def record(self, writer: Any, item: Any, event: Any, details: Details | None) -> None: ...

    def reverse(self, writer: Any, item: Any, event: Any) -> None: ...

    def replay(self, event: Any, reversed_ids: set[int]) -> None: ...

    def compare(self, report: Any) -> None: ...

    def reset(self) -> None: ...


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of event, as its app declares it.

    value: the stored `Event.kind` (at most 20 characters);
    label: its Vietnamese name (lazy);
    target: ITEM or LOT;
    action: the permission action (`accounts.scoping.ACTIONS`) a user needs to record it;
    rule: for item kinds, the pure function giving the state after (ledger.rules has the register's);
    details: the `Details` schema of its facts, or None when it keeps none;
    reversible: whether a reversal may cancel it;
    creates: it brings a new item into the register (a receipt): its reversal voids the item;
    authorise: an extra check of the actor beyond the action (a transfer's receiving unit);
    projection: what it keeps besides the state (see Projection);
    app: the label of the app that owns it.
    """

    value: str
    label: Any
    target: Target
    action: str
    rule: ItemRule | None = None
    details: type[Details] | None = None
    reversible: bool = True
    creates: bool = False
    authorise: Callable[..., None] | None = None
    projection: Projection | None = None
    app: str = ""

    def __post_init__(self) -> None:
        if len(self.value) > 20:
            raise ImproperlyConfigured(f"event kind {self.value!r}: at most 20 characters (Event.kind)")
        if self.target not in (ITEM, LOT):
            raise ImproperlyConfigured(f"event kind {self.value!r}: target must be 'item' or 'lot'")
        if self.target == ITEM and self.rule is None and self.value != REVERSAL:
            raise ImproperlyConfigured(f"event kind {self.value!r}: an item kind needs a rule")

    def __str__(self) -> str:
        return str(self.label)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Declare a kind (from the owning app's ready()); declaring the same object twice is harmless."""
    known = _KINDS.get(kind.value)
    if known is not None and known is not kind:
        raise ImproperlyConfigured(f"event kind {kind.value!r} is declared by {known.app!r} and {kind.app!r}")
    _KINDS[kind.value] = kind
    return kind


def unregister(value: str) -> None:
    """Forget a kind (tests that declare their own)."""
    _KINDS.pop(value, None)


def get(value: str) -> Kind:
    """The declared kind; a value nobody declared is refused in Vietnamese, naming the field."""
    try:
        return _KINDS[str(value)]
    except KeyError:
        raise DomainError(
            _("Loại sự kiện “%(kind)s” không có trong danh mục.") % {"kind": value}, field="kind"
        ) from None


_OBSERVERS: list[Projection] = []


def find(value: str) -> Kind | None:
    return _KINDS.get(str(value))


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


def values(target: Target | None = None) -> list[str]:
    return [k.value for k in _KINDS.values() if target is None or k.target == target]


def choices() -> list[tuple[str, Any]]:
    """`Event.kind`'s choices (a callable, so a kind declared later needs no migration)."""
    return [(k.value, k.label) for k in _KINDS.values()]


def label(value: str) -> str:
    kind = _KINDS.get(str(value))
    return str(kind.label) if kind else str(value)


def observe(projection: Projection) -> None:
    """Tell `projection` of every item event and every reversal, whatever its kind, besides the
    events of its own kinds: a storage place is lost when its item changes unit, and the transfer
    is the register's kind, not the storage app's. Called from the observing app's ready().

    The writer calls `record`/`reverse` as for a kind's own projection; `materiel verify` replays
    every event to every projection anyway. A projection with a `flush(writer)` method is called once
    per flush, after the events and new items are written, to write what it gathered in
    `writer.pending[projection]` in one statement rather than one per event."""
    if all(p is not projection for p in _OBSERVERS):
        _OBSERVERS.append(projection)


def observers() -> list[Projection]:
    return list(_OBSERVERS)


# What another app's kind entails after an event of this kind, recorded through `services.Writer`.
Follower = Callable[[Any, Any, Any], None]
_FOLLOWERS: dict[str, list[Follower]] = {}


def follow(value: str, callback: Follower) -> None:
    """After every `value` event a user records (`ledger.services.Writer.record`), call
    `callback(writer, item, event)`, which may record its consequence on the item through
    `writer.consequence` in the same transaction: a repair's end clears the readiness reason the
    item carried (inspections). Called from the following app's ready(); the seeder and the
    importer, which write through the batch directly, are not followed."""
    known = _FOLLOWERS.setdefault(value, [])
    if all(c is not callback for c in known):
        known.append(callback)


def followers(value: str) -> list[Follower]:
    return list(_FOLLOWERS.get(value, ()))


# Who may refuse that an event be reversed: a domain record whose decision the event carries out.
Guard = Callable[[Any], "str | None"]
_GUARDS: list[Guard] = []


def guard_reversal(callback: Guard) -> None:
    """`callback(event)` returns why `event` may not be reversed from the register (a message), or
    None. A disposal decided by an echelon above is not undone by the unit from the item page
    (disposal). Called from the guarding app's ready()."""
    if all(c is not callback for c in _GUARDS):
        _GUARDS.append(callback)


def reversal_refusals(events: Iterable[Any]) -> list[str]:
    return [message for event in events for guard in _GUARDS if (message := guard(event))]


def projections() -> list[Projection]:
    """Every distinct projection the declared kinds keep (several kinds may share one), and the
    observers (`observe`)."""
    seen: list[Projection] = []
    for candidate in [kind.projection for kind in _KINDS.values()] + _OBSERVERS:
        if candidate is not None and all(p is not candidate for p in seen):
            seen.append(candidate)
    return seen


def validate_details(kind: Kind, raw: dict[str, Any] | Details | None) -> tuple[dict[str, Any], Details | None]:
    """The details as stored (JSON-ready) and as typed, or a DomainError naming the field."""
    if kind.details is None:
        if raw:
            raise DomainError(
                _("Loại sự kiện “%(kind)s” không có thông tin chi tiết.") % {"kind": kind.label}, field="details"
            )
        return {}, None
    try:
        typed = raw if isinstance(raw, kind.details) else kind.details.model_validate(raw or {})
    except pydantic.ValidationError as error:
        raise _details_error(kind, error) from None
    return typed.model_dump(mode="json", exclude_defaults=True), typed


def _details_error(kind: Kind, error: pydantic.ValidationError) -> DomainError:
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "details"
    info = kind.details.model_fields.get(name) if kind.details else None
    title = (info.title if info and info.title else name) if name != "details" else _("chi tiết")
    if first["type"] == "missing":
        message = _("Chưa nhập %(field)s.") % {"field": title}
    elif first["type"] == "extra_forbidden":
        message = _("Loại sự kiện “%(kind)s” không có thông tin “%(field)s”.") % {"kind": kind.label, "field": name}
    else:
        message = _("%(field)s không hợp lệ.") % {"field": str(title)[:1].upper() + str(title)[1:]}
    return DomainError(message, field=name)


# The reversal is the core's own kind: generic, every other kind's cancellation.
class ReversalDetails(Details):
    reversed_kind: str = pydantic.Field(title=title(gettext_lazy("loại sự kiện bị hủy")))


REVERSAL_KIND = Kind(
    REVERSAL,
    gettext_lazy("Hủy sự kiện ghi nhầm"),
    target=ITEM,  # and lots: a reversal follows the event it cancels
    action="ledger.reverse",
    details=ReversalDetails,
    reversible=False,
    app="ledger",
)
