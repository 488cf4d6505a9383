"""Choosing a unit by typing its name or code, with suggestions (the receiving unit of a transfer).

A <select> of every unit in scope holds thousands of options for a national user: a heavy page that
took most of the item page's time, and no way to find a unit but scrolling. Here the field is a text
input with a <datalist>: it starts with the units a transfer most often goes to (under the giving
unit's parent), and htmx refills it from `unit_suggestions` as the user types, diacritics and case
ignored. The form accepts a unit's code (what choosing a suggestion fills in) or its exact name.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from materiel.core.text import fold, nfc
from materiel.core.widgets import option_tags
from materiel.units.models import PATH_END, Unit

SUGGESTIONS = 30


def options_html(units) -> str:
    return option_tags((u.code, u.name) for u in units)


def nearby(units, unit: Unit | None, limit: int = SUGGESTIONS) -> list[Unit]:
    """The units of `units` under `unit`'s parent (its siblings and their subunits, not `unit`
    itself), nearest first."""
    if unit is None:
        return list(units.order_by("depth", "path")[:limit])
    parent = unit.parent or unit
    under = units.filter(path__gte=parent.path, path__lt=parent.path + PATH_END).exclude(pk=unit.pk)
    return list(under.order_by("depth", "path")[:limit])


def matching(units, text: str, limit: int = SUGGESTIONS) -> list[Unit]:
    """Units whose name, short name or code contains `text`, diacritics and case ignored (folded as
    the units' search key is: `fold`, which keeps the hyphens of codes)."""
    return list(units.filter(search_key__contains=fold(text)).order_by("depth", "path")[:limit])


class UnitPicker(forms.TextInput):
    """A text input with its own <datalist> of suggestions, refilled by htmx as the user types."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        placeholder = _("gõ tên hoặc mã đơn vị…")
        super().__init__(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": placeholder, **(attrs or {})}
        )
        self.suggested: list[Unit] = []

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-list"
        attrs.update(
            {
                "list": list_id,
                "hx-get": reverse("web:unit_suggestions") + "?" + urlencode({"field": name}),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{list_id}",
                "hx-swap": "innerHTML",
            }
        )
        field = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options_html(self.suggested))


class UnitField(forms.CharField):
    """A unit among `queryset`, given by its code or its exact name."""

    widget = UnitPicker
    default_error_messages = {
        "unknown": _(
            "Không có đơn vị “%(value)s” trong phạm vi được chọn: gõ tên hoặc mã đơn vị rồi chọn trong danh sách gợi ý."
        ),
        "ambiguous": _("Có nhiều đơn vị tên “%(value)s”: hãy chọn trong danh sách gợi ý (theo mã đơn vị)."),
    }

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(max_length=300, **kwargs)
        self.queryset = queryset if queryset is not None else Unit.objects.none()

    def suggest(self, near: Unit | None, also=()) -> None:
        """Start the suggestions with `near`'s neighbours (the giving unit of a transfer), then `also`."""
        suggested = nearby(self.queryset, near)
        self.widget.suggested = suggested + [unit for unit in also if unit not in suggested]

    def clean(self, value):
        text = nfc(super().clean(value) or "").strip()
        if not text:
            return None
        found = self.queryset.filter(code=text).first() or self.queryset.filter(code__iexact=text).first()
        if found is not None:
            return found
        folded = fold(text)
        # The folded search key starts with the folded name: every unit of that exact name, however
        # many others merely contain it.
        starting = self.queryset.filter(search_key__startswith=folded)
        named = [u for u in starting if fold(u.name) == folded]
        if len(named) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": text})
        if not named:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"value": text})
        return named[0]


def unit_suggestions(request):
    """<option>s of the units in the user's scope matching what is typed in the field `field`."""
    text = request.GET.get(request.GET.get("field", ""), "")
    units = Unit.objects.visible_to(request.user).filter(dissolved_on__isnull=True)
    return HttpResponse(options_html(matching(units, text) if text.strip() else nearby(units, None)))
