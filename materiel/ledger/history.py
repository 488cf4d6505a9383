"""An item's history (lý lịch) as a reader sees it: one definition for the item page and the API.

The history travels with the item: a reader sees every event of an item in their scope, but what
another subtree recorded (its people, its documents) stays masked, only its date and kind shown."""

from dataclasses import dataclass

from materiel.accounts.models import User
from materiel.equipment.models import Item

from .models import Event


@dataclass
class History:
    events: list[Event]
    in_scope: set[int]  # the events the reader may read in full
    reversed_ids: set[int]  # the events a reversal cancelled

    def masked(self, event: Event) -> bool:
        return event.pk not in self.in_scope


def item_history(user: User, item: Item, *, newest_first: bool = False) -> History:
    order = "-id" if newest_first else "id"
    related = ("recorded_by", "unit", "from_unit", "to_unit", "reverses", "handover_line")
    events = list(Event.objects.filter(item=item).select_related(*related).order_by(order))
    reversed_ids = {event.reverses_id for event in events if event.reverses_id}
    in_scope = set(Event.objects.visible_to(user).filter(item=item).values_list("id", flat=True))
    return History(events, in_scope, reversed_ids)
