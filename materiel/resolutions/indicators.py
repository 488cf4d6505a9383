"""The indicator catalogue: named, documented functions over the domains' datasets, with typed
parameters, that measure a target (chỉ tiêu) for a unit subtree and a year. No formula language:
a target names one of these and gives its parameters, checked by its schema (docs/reviews.md).

Each returns a `Figure`: the value (a percentage, a count), the link that opens what it counts, and
what it was computed from. A figure whose domain has not landed yet is "not measured", never zero.
A year is read on the unit tree of its last day (`ledger.coefficients` folds a past day on the tree
of that day): a 2007–2022 review counts the district commands that existed then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pydantic
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.catalog.models import Category
from materiel.core.errors import DomainError
from materiel.ledger import coefficients
from materiel.units.models import Unit


class Params(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CategoryParams(Params):
    # A category's code (catalog.Category); empty: every serialised item.
    category: str = pydantic.Field("", max_length=20)


class NoParams(Params):
    pass


@dataclass
class Figure:
    value: Decimal | None
    measured: bool = True
    basis: str = ""  # what it counts, in words: "1.203 tốt / 1.310 trang bị"
    url: str = ""  # what opens the rows behind it


@dataclass
class Context:
    """What the indicators of one year share: the day read, the period, and one fold per day."""

    user: Any
    unit: Unit
    start: date
    end: date
    today: date = field(default_factory=timezone.localdate)
    _summary: coefficients.Summary | None = None

    @property
    def day(self) -> date | None:
        """The day a state indicator reads: the period's end, or None for today (the rollups)."""
        return None if self.end >= self.today else self.end

    def summary(self) -> coefficients.Summary:
        """The subtree's figures on the day, computed once for every indicator of the year."""
        if self._summary is None:
            day = self.day
            past = coefficients.PastCounts(day, within=self.unit) if day is not None else None
            self._summary = coefficients.summarise(self.unit, day, past=past)
        return self._summary

    def on(self) -> dict[str, str]:
        return {"on": f"{self.day:%d/%m/%Y}"} if self.day else {}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Any  # lazy Vietnamese
    formula: Any  # how it is computed, from what (docs/reviews.md repeats it)
    params: type[Params]
    compute: Callable[[Context, Any], Figure]
    unit_label: str = "%"


def _category(code: str) -> Category | None:
    if not code:
        return None
    found = Category.objects.filter(code=code).first()
    if found is None:
        raise DomainError(_("Không có nhóm trang bị mã “%(code)s”.") % {"code": code}, field="params")
    return found


def _line_of(summary: coefficients.Summary, category: Category | None) -> coefficients.CategoryLine | None:
    return next((line for line in summary.lines if line.serialised and line.category == category), None)


def technical_coefficient(ctx: Context, params: CategoryParams) -> Figure:
    category = _category(params.category)
    summary = ctx.summary()
    query = {"unit": ctx.unit.code, **ctx.on(), "kind": "serialised"}
    tally: coefficients.Tally | None
    if category is None:
        tally, value = summary.overall, summary.coefficient
    else:
        line = _line_of(summary, category)
        tally, value = (line.tally, line.coefficient) if line else (None, None)
        query["category"] = category.code
    if tally is None:
        return Figure(None, basis=_("không có trang bị"))
    basis = _("%(good)s tốt / %(counted)s trang bị") % {"good": tally.serviceable, "counted": tally.counted}
    return Figure(value, basis=basis, url="/trang-bi/?" + urlencode(query))


def completeness(ctx: Context, params: CategoryParams) -> Figure:
    category = _category(params.category)
    summary = ctx.summary()
    query = {"unit": ctx.unit.code, **ctx.on(), "kit": "incomplete"}
    if category is None:
        held, incomplete, value = summary.overall.total, summary.incomplete, summary.completeness
    else:
        line = _line_of(summary, category)
        if line is None:
            return Figure(None, basis=_("không có trang bị"))
        held, incomplete = line.tally.total, line.kit.incomplete(summary.completeness_policy)
        value = line.completeness
        query["category"] = category.code
    basis = _("%(incomplete)s không đồng bộ / %(held)s trang bị") % {"incomplete": incomplete, "held": held}
    return Figure(value, basis=basis, url="/trang-bi/?" + urlencode(query))


def fill_rate(ctx: Context, params: NoParams) -> Figure:
    summary = ctx.summary()
    basis = _("%(filled)s / %(authorised)s theo biên chế") % {
        "filled": summary.filled,
        "authorised": summary.authorised,
    }
    return Figure(summary.fill_rate, basis=basis, url="/?" + urlencode({"unit": ctx.unit.code, **ctx.on()}))


def maintenance_compliance(ctx: Context, params: NoParams) -> Figure:
    from materiel.maintenance.compliance import compliance

    line = compliance(ctx.user, ctx.unit, ctx.start, ctx.end).total
    basis = _("%(on_time)s đúng hạn / %(due)s đến hạn") % {"on_time": line.on_time, "due": line.counted}
    period = {"from": f"{ctx.start:%d/%m/%Y}", "to": f"{ctx.end:%d/%m/%Y}"}
    return Figure(
        line.rate, basis=basis, url="/phieu-cong-viec/do-tin-cay/?" + urlencode({"unit": ctx.unit.code, **period})
    )


def inspection_compliance(ctx: Context, params: NoParams) -> Figure:
    from materiel.inspections.compliance import compliance

    line = compliance(ctx.user, ctx.unit, ctx.start, ctx.end, today=ctx.today).total
    basis = _("%(done)s đã kiểm tra / %(owed)s phải kiểm tra") % {"done": line.done, "owed": line.done + line.missed}
    period = {"from": f"{ctx.start:%d/%m/%Y}", "to": f"{ctx.end:%d/%m/%Y}"}
    return Figure(line.rate, basis=basis, url="/kiem-tra/thuc-hien/?" + urlencode({"unit": ctx.unit.code, **period}))


def depot_conditions(ctx: Context, params: NoParams) -> Figure:
    """Lines of the depot logs of the year with nothing out of range ÷ lines written."""
    from materiel.storage.depot_log import visible_readings

    readings = visible_readings(ctx.user).filter(
        place__unit__path__gte=ctx.unit.path,
        place__unit__path__lt=ctx.unit.path + "~",
        taken_at__date__gte=ctx.start,
        taken_at__date__lte=ctx.end,
    )
    written = readings.count()
    if not written:
        return Figure(None, basis=_("chưa có dòng sổ theo dõi kho nào"))
    in_range = readings.filter(alarm="").count()
    value = (Decimal(100) * in_range / written).quantize(Decimal("0.1"))
    basis = _("%(ok)s dòng trong ngưỡng / %(all)s dòng sổ") % {"ok": in_range, "all": written}
    return Figure(value, basis=basis, url="/kho/canh-bao/?" + urlencode({"unit": ctx.unit.code}))


def not_measured(domain: Any) -> Callable[[Context, Any], Figure]:
    def compute(ctx: Context, params: Any) -> Figure:
        return Figure(
            None, measured=False, basis=_("Chưa đo được: %(domain)s chưa có trong hệ thống.") % {"domain": domain}
        )

    return compute


CATALOGUE: dict[str, Indicator] = {
    i.code: i
    for i in [
        Indicator(
            "technical_coefficient", gettext_lazy("Hệ số kỹ thuật"),
            gettext_lazy("Số trang bị cấp tốt / số trang bị được tính, theo cách tính hệ số kỹ thuật có hiệu lực "
                         "(docs/glossary.md), của cả khối hoặc một nhóm trang bị, tại ngày cuối kỳ."),
            CategoryParams, technical_coefficient,
        ),
        Indicator(
            "completeness", gettext_lazy("Hệ số đồng bộ"),
            gettext_lazy("(Trang bị hiện có − trang bị không đồng bộ) / trang bị hiện có, tại ngày cuối kỳ."),
            CategoryParams, completeness,
        ),
        Indicator(
            "fill_rate", gettext_lazy("Hệ số trang bị (so biên chế)"),
            gettext_lazy("Σ min(hiện có, biên chế) / Σ biên chế theo chủng loại, tại ngày cuối kỳ."),
            NoParams, fill_rate,
        ),
        Indicator(
            "maintenance_compliance", gettext_lazy("Bảo dưỡng đúng hạn"),
            gettext_lazy("Lần bảo dưỡng làm đúng hạn / lần đến hạn trong kỳ, theo kế hoạch bảo dưỡng của chủng loại."),
            NoParams, maintenance_compliance,
        ),
        Indicator(
            "inspection_compliance", gettext_lazy("Thực hiện kiểm tra"),
            gettext_lazy("Kỳ đã kiểm tra / kỳ phải kiểm tra đã hết, theo ma trận trách nhiệm kiểm tra, trong kỳ."),
            NoParams, inspection_compliance,
        ),
        Indicator(
            "depot_conditions", gettext_lazy("Điều kiện kho trong ngưỡng"),
            gettext_lazy("Dòng sổ theo dõi kho không có cảnh báo / mọi dòng sổ trong kỳ."),
            NoParams, depot_conditions,
        ),
        Indicator(
            "staff_trained", gettext_lazy("Cán bộ, nhân viên kỹ thuật được đào tạo, bồi dưỡng"),
            gettext_lazy("Người được đào tạo, tập huấn, bồi dưỡng trong kỳ / cán bộ, nhân viên kỹ thuật."),
            NoParams, not_measured(gettext_lazy("sổ cán bộ, nhân viên kỹ thuật")),
        ),
        Indicator(
            "serious_incidents", gettext_lazy("Vụ việc mất an toàn nghiêm trọng"),
            gettext_lazy("Số vụ việc nghiêm trọng trong kỳ."),
            NoParams, not_measured(gettext_lazy("sổ sự cố, vụ việc")), unit_label="",
        ),
        Indicator(
            "initiatives", gettext_lazy("Sáng kiến cải tiến kỹ thuật"),
            gettext_lazy("Số sáng kiến được công nhận trong kỳ."),
            NoParams, not_measured(gettext_lazy("sổ sáng kiến")), unit_label="",
        ),
    ]
}  # fmt: skip


def check(code: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters as stored, or a refusal naming the field: an unknown indicator, wrong params."""
    indicator = CATALOGUE.get(code)
    if indicator is None:
        raise DomainError(_("Không có chỉ số đo “%(code)s” trong danh mục.") % {"code": code}, field="indicator")
    try:
        typed = indicator.params.model_validate(params or {})
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        raise DomainError(
            _("Tham số “%(name)s” của chỉ số “%(indicator)s” không hợp lệ.")
            % {"name": name, "indicator": indicator.name},
            field="params",
        ) from None
    if isinstance(typed, CategoryParams):
        _category(typed.category)
    return typed.model_dump(exclude_defaults=True)


def measure(code: str, params: dict[str, Any], ctx: Context) -> Figure:
    indicator = CATALOGUE[code]
    return indicator.compute(ctx, indicator.params.model_validate(params or {}))
