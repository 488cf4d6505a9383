"""P1: every main page of the web interface, signed in, through the whole middleware stack.

Issue 4 asks that each page answer in under 150 ms at the demo scale; this measures each one (the
Django test client, in process: server time without the network) and reports the slowest as the
scenario's figure, every page in its own row.
"""

from materiel.equipment.models import Item
from materiel.ledger.models import Event

from .scenarios import Context, get_page, result
from .timing import measure

TARGET_MS = 150


def main_pages(ctx: Context) -> dict[str, tuple[str, dict]]:
    """Name -> (url, query) for the pages a user opens every day, on the province (mid) subtree."""
    unit = {"unit": ctx.mid.code}
    item = Item.objects.filter(unit__path__startswith=ctx.mid.path).order_by("id").values_list("id", flat=True)[:1]
    item_id = item[0] if item else Item.objects.values_list("id", flat=True).first()
    event_types = Event.objects.filter(item_id=item_id).count()  # type: ignore[misc]  # None: no item at all
    return {
        "dashboard": ("/", unit),
        "dashboard, past day": ("/", {**unit, "on": ctx.past_day.strftime("%d/%m/%Y")}),
        "units": ("/don-vi/", unit),
        "register": ("/trang-bi/", unit),
        "register, search": ("/trang-bi/", {**unit, "q": "sung"}),
        "lots": ("/trang-bi/", {**unit, "kind": "lots"}),
        f"item page ({event_types} events)": (f"/trang-bi/{item_id}/", {}),
        "item history print": (f"/trang-bi/{item_id}/in/", {}),
        "events log": ("/su-kien/", unit),
        "import/export": ("/nhap-xuat/", unit),
        "catalogue": ("/danh-muc/", {}),
        "authorised holdings": ("/danh-muc/bien-che/", unit),
        "reports": ("/bao-cao/", unit),
        "handover records": ("/bien-ban/", unit),
    }


def p1(ctx: Context) -> dict[str, dict]:
    rows = {}
    for name, (url, params) in main_pages(ctx).items():
        found = measure(lambda url=url, params=params: get_page(ctx, url, params), repeat=ctx.repeat, warmup=1)
        rows[f"P1 {name}"] = result(f"page {url} {params or ''}".strip(), found, target_ms=TARGET_MS)
    return rows
