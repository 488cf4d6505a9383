"""Charts drawn on the server as SVG geometry: no script, print like the page, every bar a link.

The template `web/_charts.html` draws what these functions measure; sizes are SVG user units.
"""

from dataclasses import dataclass, field

WIDTH = 720
LABEL_WIDTH = 230  # room for a category or unit name left of the bars
BAR_AREA = WIDTH - LABEL_WIDTH - 70  # and for the value right of them
BAR_HEIGHT = 22
ROW_HEIGHT = 32
TOP = 8


@dataclass
class Segment:
    grade: int
    count: int
    x: float
    width: float
    url: str
    share: float  # percent of the bar

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def labelled(self) -> bool:
        """Wide enough to carry its count inside."""
        return self.width >= 28


@dataclass
class Bar:
    label: str
    y: float
    url: str
    value: object  # a count, a percentage or None; the template formats it for the language
    percent: bool = False
    width: float = 0
    segments: list[Segment] = field(default_factory=list)

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 5


@dataclass
class Chart:
    bars: list[Bar]
    height: float
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + BAR_AREA + 8


def grade_distribution(lines: list[dict]) -> Chart:
    """One 100 % bar per category, split by grade (shares, so rounds of ammunition and vehicles
    sit side by side); `lines` are the dashboard's rows: line, grades [(grade, count, url)], total_url."""
    bars = []
    for n, row in enumerate(lines):
        total = row["line"].tally.total
        bar = Bar(row["line"].category.name, TOP + n * ROW_HEIGHT, row["total_url"], total)
        x = float(LABEL_WIDTH)
        for grade, count, url in row["grades"]:
            if not count or not total:
                continue
            width = BAR_AREA * count / total
            bar.segments.append(Segment(grade, count, x, width, url, round(100 * count / total, 1)))
            x += width
        bars.append(bar)
    return Chart(bars, TOP * 2 + len(bars) * ROW_HEIGHT)


def coefficient_ranking(children: list, url_of) -> Chart:
    """Child units ranked by technical coefficient (best first, units without items last)."""
    bars = []
    for n, summary in enumerate(children):
        coefficient = summary.coefficient
        bar = Bar(summary.unit.name, TOP + n * ROW_HEIGHT, url_of(summary.unit), coefficient, percent=True)
        bar.width = BAR_AREA * float(coefficient) / 100 if coefficient is not None else 0
        bars.append(bar)
    return Chart(bars, TOP * 2 + len(bars) * ROW_HEIGHT)
