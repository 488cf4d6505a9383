"""Báo cáo: the printable views and exports of the chosen subtree, in one list."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from materiel.accounts.page_scope import page_scope


@dataclass(frozen=True)
class Report:
    title: StrOrPromise
    description: StrOrPromise
    url_name: str
    form: str  # "print", "xlsx" or "page"
    params: tuple = ()


# Printable first, then exports. Entries whose page is not installed are left out (see `links`).
REPORTS = [
    Report(
        _("Báo cáo số lượng, chất lượng VKTBKT"),
        _(
            "Theo nhóm trang bị, cho một tháng, quý, 6 tháng hoặc năm: biên chế, hiện có, từng cấp, đồng bộ, "
            "tình trạng, hệ số kỹ thuật và biến động trong kỳ; bản in, DOCX, PDF, Excel."
        ),
        "reports:quantity",
        "print",
    ),
    Report(
        _("Sổ đăng ký vũ khí, trang bị kỹ thuật"),
        _(
            "Bản in A4 toàn bộ sổ đăng ký, đánh số trang; lọc trên trang Trang bị rồi bấm “Bản in” để in trích "
            "phần đã lọc."
        ),
        "web:register_print",
        "print",
    ),
    Report(
        _("Biên bản bàn giao"),
        _("Các biên bản bàn giao mà đơn vị là bên giao hoặc bên nhận, mỗi biên bản có bản in A4."),
        "web:handovers",
        "print",
    ),
    Report(
        _("Tổng quan (in trực tiếp)"),
        _("Hệ số kỹ thuật, phân cấp chất lượng và biểu đồ; dùng lệnh in của trình duyệt."),
        "web:dashboard",
        "print",
    ),
    Report(
        _("Sổ đăng ký trang bị (Excel)"),
        _("Toàn bộ sổ đăng ký của đơn vị; tệp này nhập lại được."),
        "web:register",
        "xlsx",
        (("format", "xlsx"),),
    ),
    Report(
        _("Vật tư, đạn dược theo lô (Excel)"),
        _("Các lô của đơn vị với cấp và số lượng."),
        "web:register",
        "xlsx",
        (("kind", "lots"), ("format", "xlsx")),
    ),
    Report(
        _("Mẫu trình bày văn bản"),
        _("Lề, phông, cỡ chữ và tiêu đề của văn bản nhà nước và văn bản của Đảng, có ngày áp dụng."),
        "web:profiles",
        "page",
    ),
    Report(_("Sổ sự kiện"), _("Mọi sự kiện của đơn vị, lọc theo loại và ngày; xuất Excel."), "reports:events", "page"),
    Report(
        _("Hệ số kỹ thuật theo đơn vị (Excel)"),
        _("Đơn vị và từng đơn vị trực thuộc với hệ số và số lượng theo cấp."),
        "reports:units",
        "xlsx",
    ),
]
FORMS = {"print": _("Bản in"), "xlsx": _("Excel"), "page": _("Trang")}


def links(scope) -> list[dict]:
    """Each report with its address for the chosen unit (and day, when a past day is chosen)."""
    query = {"unit": scope.unit.code}
    if scope.day:
        query["on"] = scope.day_param
    rows = []
    for report in REPORTS:
        try:
            path = reverse(report.url_name)
        except NoReverseMatch:
            continue
        rows.append(
            {
                "report": report,
                "form": FORMS[report.form],
                "url": f"{path}?{urlencode({**query, **dict(report.params)})}",
            }
        )
    return rows


def reports_index(request):
    scope = page_scope(request)
    return render(request, "web/reports.html", {"scope": scope, "reports": links(scope)})
