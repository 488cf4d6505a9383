"""`{% idempotency_key %}`: the hidden key of a write form (core.idempotency), a builtin tag.

Without arguments the key is new at every drawing of the form. With arguments it is derived from
them: a form about one state of one thing (`"meter" item.pk item.version`) then carries the same key
wherever it is drawn again before that state changes: re-fetched by the Back button, or open in two
tabs. Its second submission is then a replay, while a form drawn after the write gets a new key."""

import hashlib
import hmac

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

from materiel.core.idempotency import FIELD, new_key

register = template.Library()


@register.simple_tag
def idempotency_key(*state: object) -> SafeString:
    if state:
        message = "|".join(str(part) for part in state).encode()
        key = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]
    else:
        key = new_key()
    # A text input, hidden: browsers restore a text input's value when Back re-fetches a page (ours
    # are never cached) and refills its form, but not a type="hidden" one. The refilled form so
    # keeps the key it was first sent with, and sending it again is a replay.
    return format_html(
        '<input type="text" name="{}" value="{}" class="submission-key" tabindex="-1" aria-hidden="true">', FIELD, key
    )
