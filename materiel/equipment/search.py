"""The register's search box: what a word matches, and which matches come first.

A word finds items by their folded key (serial, type name, holder: `Item.search_key`) and, beyond
it, by their type's short name or code and their category's name; lots by their type and category
the same way, and by their lot number. Matches are ranked so that what people mean by a word comes
first: typing "dan" wants ammunition (*đạn*) before a holder named Đặng, so an exact serial ranks
first, then a match of the type or category, then anything else (holder, part of a serial).
"""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from materiel.catalog.models import Category, EquipmentType
from materiel.core.text import nfc, search_fold

EXACT_SERIAL, TYPE_OR_CATEGORY, OTHER = 0, 1, 2


def item_search_key(serial: str, type_name: str, holder: str) -> str:
    """`Item.search_key`: what a word of the search box is matched against (the ledger's writer keeps it)."""
    return search_fold(f"{serial} {type_name} {holder}")


@dataclass(frozen=True)
class Search:
    text: str  # as typed, normalised
    key: str  # folded as search keys are
    type_ids: frozenset[int]  # types whose name, short name, code or category matches

    @classmethod
    def of(cls, text: str) -> "Search | None":
        """The search of what was typed, or None if nothing searchable was typed."""
        key = search_fold(text or "")
        if not key:
            return None
        # The catalogue is small (hundreds of types): folded in Python, as the catalogue page does.
        categories = {c.pk: search_fold(c.name) for c in Category.objects.only("name")}
        types = EquipmentType.objects.values_list("pk", "search_key", "category_id")
        matching = frozenset(pk for pk, name, category in types if key in f"{search_fold(name)} {categories[category]}")
        return cls(text=nfc(text), key=key, type_ids=matching)

    def items(self) -> Q:
        return Q(search_key__contains=self.key) | Q(equipment_type_id__in=self.type_ids)

    def lots(self) -> Q:
        return Q(equipment_type_id__in=self.type_ids) | Q(lot_number__icontains=self.text)

    def item_rank(self) -> Case:
        """0 for the serial typed exactly, 1 for a match of the type or category, 2 for the rest."""
        return Case(
            When(serial__iexact=self.text, then=Value(EXACT_SERIAL)),
            When(equipment_type_id__in=self.type_ids, then=Value(TYPE_OR_CATEGORY)),
            default=Value(OTHER),
            output_field=IntegerField(),
        )
