"""Form widgets written without a template per option."""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SELECTED = mark_safe(" selected")


def option_tags(
    choices: Iterable[tuple[object, object]], selected: Callable[[Any], bool] = lambda value: False
) -> SafeString:
    """<option>s of (value, label) pairs, escaped, joined in Python; `selected(value)` marks them:
    one join instead of a template per option, whose cost grows with the list (hundreds of units or
    types)."""
    rows = ((value, SELECTED if selected(value) else "", label) for value, label in choices)
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)


class QuickSelect(forms.Select):
    """forms.Select's markup, its options joined in Python.

    Django renders every <option> through a template of its own; for a list of units or equipment
    types (hundreds at a province, thousands nationally) that cost more than the rest of the page
    (the item page's transfer form: two thirds of the page's time). No optgroups: none are used."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = [option for _group, group, _index in widget["optgroups"] for option in group]
        chosen = {str(option["value"]) for option in options if option["selected"]}
        tags = option_tags(((o["value"], o["label"]) for o in options), lambda value: str(value) in chosen)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), tags)
