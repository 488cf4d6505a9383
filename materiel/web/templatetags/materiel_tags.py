from django import template

from materiel.core.widgets import option_tags

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
