from django import template

from materiel.catalog.models import Meter
from materiel.core.widgets import option_tags
from materiel.formats import numbers

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.simple_tag
def options(choices, selected=None):
    """The <option>s of (value, label) pairs, `selected` marked (core.widgets.option_tags): the
    register's list of types has ~500 entries, and looping over them in the template cost more than
    all of the page's queries."""
    chosen = "" if selected is None else str(selected)
    return option_tags(choices, lambda value: str(value) == chosen)


@register.filter
def named_on(unit, scope):
    """The unit's name on the page's day (`PageScope.name_of`): past pages show past names."""
    return scope.name_of(unit) if unit is not None else ""


@register.filter
def number(value):
    """A number in the language's notation without useless zeros: "1.600", "1.700,5" (formats.numbers)."""
    return numbers.number(value)


@register.filter
def percent(value):
    """One percentage format everywhere: "94,2%" (formats.numbers)."""
    return numbers.percent(value)


@register.filter
def meter_label(meter: str) -> str:
    """A meter's name ("Số phát bắn"), never its stored code ("rounds")."""
    # The member's label, not dict(Meter.choices): that translated every meter's name per call, and
    # the item page calls this once per reading of its history.
    return str(Meter(meter).label) if meter in Meter.values else meter
