"""The resolutions scenario of BENCH.md's wave 2 (issue #19): V2, the progress page of a resolution
for a province — every target measured year by year on the tree of each year, through the dataset
function the page calls (`resolutions.progress`).

The bench's data set has no resolutions: `ensure` records one implementing the demo's example
shape, in force for the data set's whole history, with targets measured by the state indicators
(technical coefficient overall and of a category, completeness, fill rate) and one reported by hand.
"""

from datetime import date

from django.utils import timezone

from materiel.catalog.models import Category
from materiel.ledger.models import Event
from materiel.resolutions import services
from materiel.resolutions.models import Resolution
from materiel.resolutions.progress import progress

from .scenarios import Context, result
from .timing import measure

NUMBER = "BENCH-NQ"


def ensure(ctx: Context) -> Resolution:
    found = Resolution.objects.filter(number=NUMBER).first()
    if found is not None:
        return found
    first = Event.objects.order_by("occurred_on").values_list("occurred_on", flat=True).first() or date(2010, 1, 1)
    start = date(first.year, 1, 1)
    resolution = services.save_resolution(
        actor=ctx.user, number=NUMBER, issued_on=start, issuer="Bench", title="Đo hiệu năng tiến độ",
        kind="resolution", starts_on=start, unit=ctx.root,
    )  # fmt: skip
    category = Category.objects.order_by("order").first()
    targets = [
        ("Hệ số kỹ thuật", "technical_coefficient", {}),
        ("Hệ số kỹ thuật nhóm", "technical_coefficient", {"category": category.code} if category else {}),
        ("Hệ số đồng bộ", "completeness", {}),
        ("Hệ số trang bị", "fill_rate", {}),
        ("Báo cáo", "", {}),
    ]
    for text, indicator, params in targets:
        services.add_target(resolution, actor=ctx.user, text=text, indicator=indicator, params=params, goal=90)
    return resolution


def v2(ctx: Context) -> dict:
    resolution = ensure(ctx)
    years = timezone.localdate().year - resolution.starts_on.year + 1
    return result(
        f"progress of a resolution for {ctx.mid.code}: {resolution.targets.count()} targets × {years} years, "
        "each state on the tree of its year (resolutions.progress)",
        measure(lambda: progress(ctx.user, resolution, ctx.mid), repeat=max(3, ctx.repeat // 4)),
    )
