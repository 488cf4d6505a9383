from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


SELECTED = mark_safe(" selected")


@register.simple_tag
def options(choices, selected=None):
    """The <option>s of (value, label) pairs, `selected` marked: one join instead of a template loop
    (the register's list of types has ~500 entries, and looping over them in the template cost more
    than all of the page's queries)."""
    chosen = "" if selected is None else str(selected)
    rows = ((value, SELECTED if str(value) == chosen else "", label) for value, label in choices)
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)
