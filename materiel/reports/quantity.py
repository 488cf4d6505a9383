"""Report 1 of the standard pack: quantity and quality of VKTBKT by category, for a unit subtree and
a period (docs/reports.md).

Built once as an engine document (documents.engine.Document), then written as the print view, DOCX,
PDF or XLSX. Every figure is read through the ledger's summaries (`ledger.coefficients.summarise`:
the rollups now, the ledger folded on a past day) and the events of the period, never by scanning
items in Python; the unit is the page scope's (404 outside the user's subtree).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.catalog.models import Category
from materiel.core.errors import DomainError
from materiel.documents.engine import Cell, Document, Header, Paragraph, Signature, Table, TableColumn
from materiel.documents.issuers import issuing_body
from materiel.documents.letterhead import place_of
from materiel.documents.models import Family, LayoutProfile
from materiel.documents.signatories import signatory
from materiel.equipment.models import Status
from materiel.formats.numbers import number as fmt
from materiel.formats.numbers import percent
from materiel.ledger import coefficients
from materiel.ledger.models import Event, EventKind
from materiel.units.models import Unit

KINDS = ("month", "quarter", "half", "year")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
CHANGES = ("receipt", "transfer_in", "transfer_out", "dispose", "lose")


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    n: int

    @property
    def start(self) -> date:
        month = {"month": self.n, "quarter": 3 * self.n - 2, "half": 6 * self.n - 5, "year": 1}[self.kind]
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.kind]
        month = self.start.month + months
        year = self.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("tháng %(n)02d năm %(y)s") % {"n": self.n, "y": self.year}
        if self.kind == "quarter":
            return _("quý %(n)s năm %(y)s") % {"n": ROMAN[self.n], "y": self.year}
        if self.kind == "half":
            return (_("6 tháng đầu năm %(y)s") if self.n == 1 else _("6 tháng cuối năm %(y)s")) % {"y": self.year}
        return _("năm %(y)s") % {"y": self.year}

    def previous(self) -> "Period":
        if self.kind == "year":
            return Period("year", self.year - 1, 1)
        count = {"month": 12, "quarter": 4, "half": 2}[self.kind]
        return Period(self.kind, self.year, self.n - 1) if self.n > 1 else Period(self.kind, self.year - 1, count)


def parse_period(params, today: date | None = None) -> Period:
    """The period of ?period=month|quarter|half|year&year=YYYY&n=N; refused when it starts after today."""
    today = today or timezone.localdate()
    kind = params.get("period") or "month"
    if kind not in KINDS:
        raise DomainError(_("Kỳ báo cáo không hợp lệ: chọn tháng, quý, 6 tháng hoặc năm."), field="period")
    try:
        year = int(params.get("year") or today.year)
    except ValueError:
        raise DomainError(_("Năm báo cáo phải là một số, ví dụ 2026."), field="year") from None
    if not 1900 <= year <= 9998:
        raise DomainError(_("Năm báo cáo phải trong khoảng 1900–9998."), field="year")
    limit = {"month": 12, "quarter": 4, "half": 2, "year": 1}[kind]
    default = {"month": today.month, "quarter": (today.month + 2) // 3, "half": 1 if today.month <= 6 else 2}
    try:
        n = int(params.get("n") or default.get(kind, 1)) if kind != "year" else 1
    except ValueError:
        raise DomainError(_("Số thứ tự của kỳ phải là một số."), field="n") from None
    if not 1 <= n <= limit:
        raise DomainError(_("Số thứ tự của kỳ phải từ 1 đến %(limit)s.") % {"limit": limit}, field="n")
    period = Period(kind, year, n)
    if period.start > today:
        raise DomainError(
            _("Kỳ báo cáo %(period)s chưa bắt đầu: không lập báo cáo cho kỳ tương lai.") % {"period": period.label},
            field="period",
        )
    return period


def choose_profile(code: str | None, day: date) -> LayoutProfile:
    if code:
        profile = LayoutProfile.objects.filter(code=code).first()
        if profile is None:
            raise DomainError(_("Không có mẫu trình bày “%(code)s”.") % {"code": code}, field="profile")
        return profile
    profile = LayoutProfile.objects.in_force(Family.STATE, day) or LayoutProfile.objects.order_by("id").first()
    if profile is None:
        raise DomainError(_("Chưa có mẫu trình bày văn bản nào."), field="profile")
    return profile


def changes(unit_ids: set[int], start: date, until: date) -> dict[int | None, dict[str, int]]:
    """category_id -> reason -> number of serialised items, from the ledger's events of the period
    on the subtree (reversed events left out); the None key is the total."""
    ids = list(unit_ids)
    base = Event.objects.filter(
        occurred_on__gte=start, occurred_on__lte=until, item__isnull=False, reversed_by__isnull=True
    ).order_by()
    found: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CHANGES, 0))
    queries = [
        (base.filter(kind__in=[EventKind.RECEIPT, EventKind.DISPOSE, EventKind.LOSE], unit_id__in=ids), None),
        (base.filter(kind=EventKind.TRANSFER, to_unit_id__in=ids).exclude(from_unit_id__in=ids), "transfer_in"),
        (base.filter(kind=EventKind.TRANSFER, from_unit_id__in=ids).exclude(to_unit_id__in=ids), "transfer_out"),
    ]
    for query, reason in queries:
        rows = query.values_list("item__equipment_type__category_id", "kind").annotate(n=Count("id"))
        for category_id, kind, n in rows:
            key = reason or kind
            found[category_id][key] += n
            found[None][key] += n
    return found


def register_link(unit: Unit, day: date | None, **filters) -> str:
    query = {"unit": unit.code, **{k: v for k, v in filters.items() if v != ""}}
    if day is not None:
        query["on"] = day.strftime("%d/%m/%Y")
    return f"{reverse('web:register')}?{urlencode(query)}"


COLUMNS = [
    TableColumn(_("TT"), width=4),
    TableColumn(_("Nhóm trang bị"), width=28),
    TableColumn(_("Biên chế"), kind="int"),
    TableColumn(_("Hiện có"), kind="int"),
    *[TableColumn(str(g), group=_("Cấp chất lượng"), kind="int", width=6) for g in range(1, 6)],
    TableColumn(_("Thiếu đồng bộ"), kind="int"),
    TableColumn(_("Hệ số đồng bộ (%)"), kind="decimal"),
    TableColumn(_("Đang sử dụng"), kind="int"),
    TableColumn(_("Niêm cất"), kind="int"),
    TableColumn(_("Đang sửa chữa"), kind="int"),
    TableColumn(_("Chờ thanh lý"), kind="int"),
    TableColumn(_("Hệ số kỹ thuật (%)"), kind="decimal"),
    TableColumn(_("Đầu kỳ"), group=_("Biến động trong kỳ"), kind="int"),
    TableColumn(_("Tiếp nhận"), group=_("Biến động trong kỳ"), kind="int"),
    TableColumn(_("Chuyển đến"), group=_("Biến động trong kỳ"), kind="int"),
    TableColumn(_("Chuyển đi"), group=_("Biến động trong kỳ"), kind="int"),
    TableColumn(_("Thanh lý"), group=_("Biến động trong kỳ"), kind="int"),
    TableColumn(_("Mất"), group=_("Biến động trong kỳ"), kind="int"),
]


def _count(value: int, href: str = "") -> Cell:
    return Cell(fmt(value), value=value, href=href if value else "", numeric=True)


def _ratio(value) -> Cell:
    return Cell(percent(value) if value is not None else "—", value=value, numeric=True)


@dataclass
class Options:
    number: str = ""
    signer: str = ""
    signer_title: str = ""
    authority: str = ""
    recipients: tuple[str, ...] = ()


def quantity_report(unit: Unit, period: Period, profile: LayoutProfile, options: Options) -> Document:
    today = timezone.localdate()
    until = min(period.end, today)
    day = None if until >= today else until  # None: now, from the rollups
    # On a past day the ledger is folded once per day over what this subtree ever held (`within`),
    # not over the whole country's history.
    past = coefficients.PastCounts(until, within=unit) if day is not None else None
    summary = coefficients.summarise(unit, day, past=past)
    eve = period.start - timedelta(days=1)
    before = coefficients.summarise(unit, eve, past=coefficients.PastCounts(eve, within=unit))
    subtree = coefficients.subtree_unit_ids(unit, day, past)
    moved = changes(subtree, period.start, until)
    types = coefficients.type_index()
    authorised: dict[int, int] = defaultdict(int)
    for type_id, quantity in coefficients.authorised_by_type(unit, day, past).items():
        if type_id in types and types[type_id][1]:
            authorised[types[type_id][0]] += quantity
    earlier = {line.category.pk: line.tally.total for line in before.lines if line.serialised}
    policy = summary.completeness_policy

    def row(label_cells, tally, kit, completeness, coefficient, category: Category | None, held_before, change, auth):
        code = category.code if category else ""
        link = lambda **f: register_link(unit, day, category=code, **f)  # noqa: E731
        return [
            *label_cells,
            _count(auth),
            _count(tally.total, link()),
            *[_count(tally.by_grade.get(g, 0), link(grade=g)) for g in range(1, 6)],
            _count(kit.incomplete(policy), link(kit="incomplete")),
            _ratio(completeness),
            _count(tally.by_status.get(Status.IN_SERVICE, 0), link(status=Status.IN_SERVICE)),
            _count(tally.by_status.get(Status.SEALED, 0), link(status=Status.SEALED)),
            _count(tally.by_status.get(Status.IN_REPAIR, 0), link(status=Status.IN_REPAIR)),
            _count(tally.by_status.get(Status.AWAITING_DISPOSAL, 0), link(status=Status.AWAITING_DISPOSAL)),
            _ratio(coefficient),
            _count(held_before),
            *[_count(change[reason]) for reason in CHANGES],
        ]

    rows = []
    lines = [line for line in summary.lines if line.serialised]
    for n, line in enumerate(lines, start=1):
        rows.append(
            row(
                [Cell(str(n)), Cell(line.category.name)],
                line.tally,
                line.kit,
                line.completeness,
                line.coefficient,
                line.category,
                earlier.get(line.category.pk, 0),
                moved.get(line.category.pk, dict.fromkeys(CHANGES, 0)),
                authorised.get(line.category.pk, 0),
            )
        )
    total = row(
        [Cell(""), Cell(_("Cộng"))],
        summary.overall,
        summary.kit,
        summary.completeness,
        summary.coefficient,
        None,
        before.overall.total,
        moved.get(None, dict.fromkeys(CHANGES, 0)),
        sum(authorised.values()),
    )
    table = Table(COLUMNS, rows, total, testid="quantity-table")

    body = issuing_body(unit, profile.family, until)
    number = profile.number_text(options.number or "……", "BC", body.abbreviation)
    person = signatory(options.signer, options.signer_title)
    name = person.full_name if body.print_rank else person.name
    if profile.family == Family.PARTY:
        signature = Signature(options.authority or _("T/M ĐẢNG ỦY"), person.position or _("BÍ THƯ"), name)
    else:
        signature = Signature(options.authority, person.position or _("CHỈ HUY TRƯỞNG"), name)
    intro = _(
        "Thực hiện chế độ báo cáo công tác kỹ thuật, %(unit)s báo cáo số lượng, chất lượng vũ khí, trang bị kỹ "
        "thuật %(period)s (số liệu đến ngày %(day)s) như sau:"
    ) % {"unit": body.name, "period": period.label, "day": until.strftime("%d/%m/%Y")}
    notes = _(
        "Số lượng tính theo trang bị quản lý theo số hiệu (không gồm vật tư, đạn dược theo lô). Biến động trong kỳ "
        "đếm các sự kiện tiếp nhận, điều chuyển đến, điều chuyển đi, thanh lý và báo mất từ %(start)s đến %(end)s "
        "trên cây đơn vị cuối kỳ; sự kiện đã hủy (ghi nhầm) không tính."
    ) % {"start": period.start.strftime("%d/%m/%Y"), "end": until.strftime("%d/%m/%Y")}
    return Document(
        profile=profile,
        header=Header(profile.family, body.superior, body.name, number, place_of(unit), until),
        kind=_("Báo cáo"),
        subject=_("Số lượng, chất lượng vũ khí, trang bị kỹ thuật %(period)s") % {"period": period.label},
        blocks=[Paragraph(intro), table, Paragraph(notes, style="italic")],
        signatures=[signature],
        recipients=list(options.recipients) or [_("Cấp trên trực tiếp"), _("Lưu: VT")],
        landscape=True,
        filename=f"bao-cao-so-luong-chat-luong-{unit.code}-{period.kind}-{period.year}-{period.n}",
    )


def current_period(kind: str, today: date) -> Period:
    n = {"month": today.month, "quarter": (today.month + 2) // 3, "half": 1 if today.month <= 6 else 2}.get(kind, 1)
    return Period(kind, today.year, n)


def period_by_rule(kind: str, rule: str, today: date | None = None) -> Period:
    """The period a saved report runs for today: the one in progress, or the last one ended."""
    period = current_period(kind, today or timezone.localdate())
    return period if rule == "current" else period.previous()
