"""Equipment labels: a QR code that opens the item's page on this server when scanned on the intranet."""

from functools import lru_cache

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe


def item_url(request, item) -> str:
    """The absolute address of the item page: MATERIEL_BASE_URL when set (the address users reach the
    server by, behind a proxy), otherwise the address of the current request."""
    path = reverse("web:item", args=[item.pk])
    base = getattr(settings, "MATERIEL_BASE_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


@lru_cache(maxsize=2048)
def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG (no script, no style attribute: allowed by the CSP).

    Cached: an item's address never changes, and encoding costs more than the rest of its label."""
    # segno writes only its own numbers and class names into the markup.
    return mark_safe(segno.make(text, error="m").svg_inline(scale=4, omitsize=True, svgclass="qr-code"))


def item_label(request, item) -> dict:
    url = item_url(request, item)
    return {"url": url, "qr": qr_svg(url), "item": item}
