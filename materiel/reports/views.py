"""List pages that are mostly read and exported: the events log (Sổ sự kiện) and unit coefficients."""

from datetime import date
from urllib.parse import urlencode

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.core import bounds
from materiel.core.days import parse_day
from materiel.core.views import object_view
from materiel.core.xlsx import write_xlsx, xlsx_response
from materiel.ledger import coefficients, kinds
from materiel.ledger.models import Event
from materiel.units.models import Unit

from .lists import EVENT_COLUMNS, coefficient_columns, coefficient_table, event_table
from .models import SavedReport

PAGE_SIZE = 50


def filtered_events(user, unit, params):
    """The subtree's events with the filters of the events page, newest first by date: the events of
    its units, and the transfers it gave away (their unit is the receiving one, outside the subtree,
    but they are the giving unit's own acts and belong in its book)."""
    units = list(Unit.objects.visible_to(user).subtree_of(unit).values_list("pk", flat=True))
    events = Event.objects.filter(Q(unit_id__in=units) | Q(from_unit_id__in=units))
    if params.get("kind") in kinds.values():
        events = events.filter(kind=params["kind"])
    since, until = parse_day(params.get("since")), parse_day(params.get("until"))
    if since:
        events = events.filter(occurred_on__gte=since)
    if until:
        events = events.filter(occurred_on__lte=until)
    q = (params.get("q") or "").strip()
    if q:
        events = events.filter(
            Q(item__serial__icontains=q) | Q(lot__lot_number__icontains=q) | Q(document_number__icontains=q)
        )
    return events.order_by("-occurred_on", "-id")


def _described(scope, params) -> list[tuple[str, str]]:
    described = [(_("Đơn vị"), scope.unit_name)]
    labels = dict(kinds.choices())
    if params.get("kind") in labels:
        described.append((_("Loại sự kiện"), str(labels[params["kind"]])))
    for key, label in (("since", _("Từ ngày")), ("until", _("Đến ngày")), ("q", _("Tìm"))):
        if params.get(key):
            described.append((label, params[key]))
    return described


def events_export(user, scope, params):
    output = write_xlsx(
        title=_("SỔ SỰ KIỆN VŨ KHÍ, TRANG BỊ KỸ THUẬT"),
        filters=_described(scope, params),
        columns=EVENT_COLUMNS,
        rows=event_table(filtered_events(user, scope.unit, params)),
        sheet=_("Sổ sự kiện"),
    )
    return xlsx_response(output, f"so-su-kien-{scope.unit.code}.xlsx")


def events_page(request):
    scope = page_scope(request)
    params = request.GET
    if params.get("format") == "xlsx":
        return events_export(request.user, scope, params)
    events = filtered_events(request.user, scope.unit, params)
    # The next page starts after the last row shown: "yyyy-mm-dd.id" (the order is by date, then id).
    day, _dot, last_id = (params.get("before") or "").partition(".")
    try:
        after = (date.fromisoformat(day), bounds.parse_id(last_id))
    except ValueError:
        after = None
    if after and after[1] is not None:
        events = events.filter(Q(occurred_on__lt=after[0]) | Q(occurred_on=after[0], id__lt=after[1]))
    # Ids first on the (unit) index alone, then the page's rows with their relations: sorting the
    # joined rows of a whole province's events took 600 ms at 100k events, the ids alone 25 ms.
    ids = list(events.values_list("id", flat=True)[: PAGE_SIZE + 1])
    rows = list(
        Event.objects.filter(id__in=ids)
        .select_related("item__equipment_type", "lot__equipment_type", "unit", "recorded_by")
        .order_by("-occurred_on", "-id")
    )
    query = params.copy()
    query.pop("before", None)
    query.pop("format", None)
    return render(
        request,
        "reports/events.html",
        {
            "scope": scope,
            "events": rows[:PAGE_SIZE],
            "next_before": f"{rows[PAGE_SIZE - 1].occurred_on.isoformat()}.{rows[PAGE_SIZE - 1].pk}"
            if len(rows) > PAGE_SIZE
            else None,
            "params": params,
            "query": query.urlencode(),
            "kinds": kinds.choices(),
        },
    )


def units_export(request):
    """The unit and each child unit with its coefficient and grade counts, as the dashboard shows them."""
    scope = page_scope(request)
    past = coefficients.PastCounts.of_unit_and_children(scope.day, scope.unit) if scope.day else None
    summaries = [coefficients.summarise(scope.unit, scope.day, past=past)]
    summaries += coefficients.children_summaries(scope.unit, scope.day, past=past)
    described = scope.described()
    output = write_xlsx(
        title=_("HỆ SỐ KỸ THUẬT THEO ĐƠN VỊ"),
        filters=described,
        columns=coefficient_columns(),
        rows=coefficient_table(summaries),
        sheet=_("Hệ số kỹ thuật"),
    )
    suffix = f"-{scope.day.isoformat()}" if scope.day else ""
    return xlsx_response(output, f"he-so-ky-thuat-{scope.unit.code}{suffix}.xlsx")


def quantity_page(request, save_error=None):
    """Report 1 of the pack: choose unit, period and profile; the print view, or its DOCX, PDF, XLSX."""
    from django.urls import reverse

    from materiel.core.errors import DomainError
    from materiel.documents import engine
    from materiel.documents.models import LayoutProfile

    from .quantity import KINDS, Options, choose_profile, parse_period, quantity_report

    scope = page_scope(request)
    params = request.GET
    context: dict = {
        "scope": scope,
        "params": params,
        "kinds": KINDS,
        "profiles": list(LayoutProfile.objects.order_by("family", "-valid_from")),
        "saved": SavedReport.objects.visible_to(request.user).filter(kind="quantity").select_related("unit")[:50],
        "save_error": save_error,
        "query": params.urlencode(),
    }
    try:
        period = parse_period(params)
        profile = choose_profile(params.get("profile"), min(period.end, timezone.localdate()))
    except DomainError as error:
        context["error"] = error
        return render(request, "reports/quantity.html", context, status=422)
    recipients = tuple(line.strip() for line in (params.get("recipients") or "").splitlines() if line.strip())
    options = Options(
        number=(params.get("number") or "").strip()[:20],
        signer=(params.get("signer") or "").strip()[:150],
        signer_title=(params.get("signer_title") or "").strip()[:150],
        authority=(params.get("authority") or "").strip()[:60],
        recipients=recipients[:20],
    )
    document = quantity_report(scope.unit, period, profile, options)
    response = engine.download(document, params.get("format", ""))
    if response is not None:
        return response
    query = params.copy()
    query["unit"] = scope.unit.code
    context.update(engine.html_context(document))
    context.update(
        {
            "period": period,
            "profile": profile,
            "downloads": engine.downloads(query),
            "profile_css": reverse("web:profile_css", args=[profile.code]) + "?landscape=1",
        }
    )
    return render(request, "reports/quantity.html", context, status=422 if save_error else 200)


def quantity_save(request):
    """Save the report as chosen (its query) under a name, to re-run in one click."""
    from django.contrib import messages
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import redirect

    from materiel.core.errors import DomainError
    from materiel.documents.models import LayoutProfile

    from .services import save_report

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scope = page_scope(request)
    params = request.GET
    options = {key: params.get(key, "")[:150] for key in ("number", "signer", "signer_title", "authority")}
    try:
        saved = save_report(
            actor=request.user,
            unit=scope.unit,
            name=request.POST.get("name", ""),
            period=params.get("period") or "month",
            rule=request.POST.get("rule", ""),
            profile=LayoutProfile.objects.filter(code=params.get("profile") or "").first(),
            options={k: v for k, v in options.items() if v},
        )
    except DomainError as error:
        return quantity_page(request, save_error=error)
    messages.success(request, _("Đã lưu báo cáo “%(name)s”.") % {"name": saved.name})
    return redirect(f"{request.path.removesuffix('luu/')}?{params.urlencode()}")


@object_view(SavedReport)
def saved_run(request, pk):
    """Re-run a saved report: its unit, the period its rule gives today, its profile and options."""
    from django.shortcuts import get_object_or_404, redirect
    from django.urls import reverse

    from .quantity import period_by_rule

    saved = get_object_or_404(SavedReport.objects.visible_to(request.user).select_related("unit", "profile"), pk=pk)
    period = period_by_rule(saved.period, saved.rule)
    query = {"unit": saved.unit.code, "period": period.kind, "year": period.year, "n": period.n, **saved.options}
    if saved.profile is not None:
        query["profile"] = saved.profile.code
    return redirect(f"{reverse('reports:quantity')}?{urlencode(query)}")
