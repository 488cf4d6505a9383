"""The compliance page of inspections (tình hình thực hiện kiểm tra), its drill-down and its XLSX.

Each number of the page links to the drill-down of the same line and outcome, which lists exactly
the obligations, runs or corrective actions the number counts (`compliance.Line`)."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.accounts.page_scope import page_scope
from materiel.core.days import parse_day
from materiel.core.xlsx import Column, write_xlsx, xlsx_response

from .compliance import DONE, MAX_DAYS, MISSED, PENDING, Compliance, Line, compliance, overdue_actions_of, runs_of
from .models import DutyRow

OUTCOMES = {DONE: gettext_lazy("Đã kiểm tra"), MISSED: gettext_lazy("Bỏ sót"), PENDING: gettext_lazy("Chưa hết kỳ")}
WHATS = (DONE, MISSED, PENDING, "runs", "actions")


def _period(request) -> tuple[date, date, str]:
    """The range of the query string (a year back to today by default), at most five years long;
    what was typed and could not be used is said (the note), never silently replaced."""
    today = timezone.localdate()
    typed_from, typed_to = (request.GET.get(key, "").strip() for key in ("from", "to"))
    start = parse_day(typed_from) or today.replace(year=today.year - 1) + timedelta(days=1)
    end = parse_day(typed_to) or today
    notes = [
        _("“%(label)s” %(typed)s không phải ngày dd/mm/yyyy: dùng %(day)s.")
        % {"label": label, "typed": typed[:20], "day": day.strftime("%d/%m/%Y")}
        for label, typed, day in ((_("Từ ngày"), typed_from, start), (_("Đến ngày"), typed_to, end))
        if typed and parse_day(typed) is None
    ]
    if start > end:
        start, end = end, start
        notes.append(_("Từ ngày sau đến ngày: đã đổi chỗ hai ngày."))
    if (end - start).days > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS)
        notes.append(_("Kỳ dài quá 5 năm: chỉ tính từ %(day)s.") % {"day": start.strftime("%d/%m/%Y")})
    return start, end, " ".join(notes)


def _report(request, keep: str | None = None) -> tuple:
    scope = page_scope(request)
    start, end, note = _period(request)
    return scope, compliance(request.user, scope.unit, start, end, today=timezone.localdate(), keep=keep), note


def _query(scope, report: Compliance, **extra) -> str:
    params = {
        "unit": scope.unit.code,
        "from": report.start.strftime("%d/%m/%Y"),
        "to": report.end.strftime("%d/%m/%Y"),
        **extra,
    }
    return urlencode(params)


def compliance_page(request):
    """Tình hình thực hiện kiểm tra: required, done, missed per unit branch and per matrix row."""
    scope, report, note = _report(request)
    return render(
        request,
        "inspections/compliance.html",
        {
            "scope": scope,
            "report": report,
            "note": note,
            "query": _query(scope, report),
            # Another unit chosen above keeps the period.
            "scope_keep": [("from", f"{report.start:%d/%m/%Y}"), ("to", f"{report.end:%d/%m/%Y}")],
        },
    )


def _duty_names() -> dict[int, str]:
    return {row.pk: str(row) for row in DutyRow.objects.all()}


def compliance_detail(request):
    """What one number of the compliance page counts: the obligations of one outcome, the runs or
    the overdue corrective actions of a line."""
    key = request.GET.get("line", "")
    scope, report, _note = _report(request, keep=key)
    line = report.line(key)
    what = request.GET.get("what", MISSED)
    if line is None or what not in WHATS:
        raise Http404(_("Không có dòng này trong báo cáo."))
    context = {"scope": scope, "report": report, "line": line, "what": what, "query": _query(scope, report)}
    if what == "runs":
        runs = runs_of(request.user, scope.unit, report.start, report.end, key)
        context["runs"] = runs.select_related("unit", "place", "duty").order_by("-inspected_on", "-pk")
    elif what == "actions":
        actions = overdue_actions_of(request.user, scope.unit, report.today, key)
        context["actions"] = actions.select_related("run__unit").order_by("deadline", "pk")
    else:
        context["obligations"] = line.of(what)
        context["outcome"] = OUTCOMES[what]
        context["duties"] = _duty_names()
    return render(request, "inspections/compliance_detail.html", context)


def _rows(report: Compliance):
    def row(kind: str, line: Line):
        overdue = line.overdue_actions if kind != _("Dòng ma trận") else None  # actions are a unit's
        return [kind, line.name, line.required, line.done, line.missed, line.pending, line.rate, line.runs, overdue]

    yield row(_("Cộng"), report.total)
    for line in report.by_unit:
        yield row(_("Đơn vị"), line)
    for line in report.by_duty:
        yield row(_("Dòng ma trận"), line)


def compliance_xlsx(request):
    scope, report, _note = _report(request)
    output = write_xlsx(
        title=_("Tình hình thực hiện kiểm tra kỹ thuật"),
        filters=[
            (_("Đơn vị"), scope.unit_name),
            (_("Từ ngày"), report.start.strftime("%d/%m/%Y")),
            (_("Đến ngày"), report.end.strftime("%d/%m/%Y")),
        ],
        columns=[
            Column(_("Theo"), 12),
            Column(_("Tên"), 30),
            Column(_("Phải kiểm tra"), 10, "int"),
            Column(_("Đã kiểm tra"), 10, "int"),
            Column(_("Bỏ sót"), 10, "int"),
            Column(_("Chưa hết kỳ"), 10, "int"),
            Column(_("Tỷ lệ (%)"), 10, "decimal"),
            Column(_("Số lần kiểm tra"), 10, "int"),
            Column(_("Biện pháp khắc phục quá hạn"), 12, "int"),
        ],
        rows=([*r[:6], float(r[6]) if r[6] is not None else None, *r[7:]] for r in _rows(report)),
        sheet=_("Thực hiện kiểm tra"),
    )
    return xlsx_response(output, f"thuc-hien-kiem-tra-{scope.unit.code}.xlsx")
