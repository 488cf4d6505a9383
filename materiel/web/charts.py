"""Charts drawn on the server as SVG: no script, they print like the page, every bar is a link.

Geometry and markup are made here with `format_html` (a template with a loop per bar segment costs
tens of milliseconds on a large dashboard; this costs about one). Sizes are SVG user units; colours
come from site.css classes (g1…g5 per grade), not from attributes, so the stylesheet decides.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from materiel.formats.numbers import percent

WIDTH = 720
LABEL_WIDTH = 230  # room for a category or unit name left of the bars
BAR_AREA = WIDTH - LABEL_WIDTH - 70  # and for the value right of them
VALUE_X = LABEL_WIDTH + BAR_AREA + 8
BAR_HEIGHT = 22
ROW_HEIGHT = 32
TOP = 8
MIN_LABELLED = 28  # a segment narrower than this carries no count inside


@dataclass
class Chart:
    svg: SafeString  # the <svg> element, empty when there is nothing to draw
    rows: int


def _svg(rows: int, label: str, body: SafeString) -> SafeString:
    height = TOP * 2 + rows * ROW_HEIGHT
    return format_html('<svg viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>', WIDTH, height, label, body)


def _label(y: float, url: str, text: str) -> SafeString:
    return format_html(
        '<a href="{}"><text x="0" y="{}" class="label">{}</text></a>',
        url,
        f"{y + BAR_HEIGHT / 2 + 5:.1f}",
        Truncator(text).chars(34),
    )


def _value(y: float, text: str) -> SafeString:
    return format_html('<text x="{}" y="{}" class="value">{}</text>', VALUE_X, f"{y + BAR_HEIGHT / 2 + 5:.1f}", text)


def _segment(x: float, y: float, width: float, grade: int, count: int, total: int, url: str) -> SafeString:
    share = percent((Decimal(100 * count) / total).quantize(Decimal("0.1"), ROUND_HALF_UP))
    title = _("Cấp %(grade)s: %(count)s (%(share)s)") % {
        "grade": grade,
        "count": number_format(count, force_grouping=True),
        "share": share,
    }
    inside = ""
    if width >= MIN_LABELLED:
        inside = format_html(
            '<text x="{}" y="{}" class="in-bar g{}">{}</text>',
            f"{x + width / 2:.1f}",
            f"{y + BAR_HEIGHT / 2 + 5:.1f}",
            grade,
            number_format(count, force_grouping=True),
        )
    return format_html(
        '<a href="{}"><rect x="{}" y="{}" width="{}" height="{}" class="g{}"><title>{}</title></rect>{}</a>',
        url,
        f"{x:.1f}",
        f"{y:.1f}",
        f"{width:.1f}",
        BAR_HEIGHT,
        grade,
        title,
        inside,
    )


def grade_distribution(lines: list[dict]) -> Chart:
    """One 100 % bar per category, split by grade (shares, so rounds of ammunition and vehicles sit
    side by side); `lines` are the dashboard's rows: line, name, grades [(grade, count, url)], total_url."""
    parts = []
    for n, row in enumerate(lines):
        y = TOP + n * ROW_HEIGHT
        total = row["line"].tally.total
        parts.append(_label(y, row["total_url"], row["name"]))
        x = float(LABEL_WIDTH)
        for grade, count, url in row["grades"]:
            if count and total:
                width = BAR_AREA * count / total
                parts.append(_segment(x, y, width, grade, count, total, url))
                x += width
        parts.append(_value(y, number_format(total, force_grouping=True)))
    if not parts:
        return Chart(mark_safe(""), 0)
    body = format_html_join("", "{}", ((p,) for p in parts))
    return Chart(_svg(len(lines), _("Biểu đồ phân cấp chất lượng theo nhóm trang bị"), body), len(lines))


def coefficient_ranking(children: list, url_of) -> Chart:
    """Child units ranked by technical coefficient (best first, units without items last); each bar
    opens the child's own dashboard."""
    parts = []
    for n, summary in enumerate(children):
        y = TOP + n * ROW_HEIGHT
        url = url_of(summary.unit)
        coefficient = summary.coefficient
        width = BAR_AREA * float(coefficient) / 100 if coefficient is not None else 0
        parts.append(_label(y, url, summary.unit.name))
        parts.append(
            format_html(
                '<a href="{}"><rect x="{}" y="{}" width="{}" height="{}" class="coefficient">'
                "<title>{}</title></rect></a>",
                url,
                LABEL_WIDTH,
                f"{y:.1f}",
                f"{width:.1f}",
                BAR_HEIGHT,
                summary.unit.name,
            )
        )
        parts.append(_value(y, percent(coefficient) if coefficient is not None else "—"))
    if not parts:
        return Chart(mark_safe(""), 0)
    body = format_html_join("", "{}", ((p,) for p in parts))
    label = _("Biểu đồ hệ số kỹ thuật của các đơn vị trực thuộc")
    return Chart(_svg(len(children), label, body), len(children))
