"""Pages: thin views that read through `visible_to`, call one service on POST, and render."""

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit, receiving_units, restrict
from materiel.catalog.models import Category, EquipmentType, KitLine, grade_labels, grade_names
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.counts.models import CountLine, Sheet
from materiel.disposal.models import DisposalLine, Proposal
from materiel.documents.models import HandoverRecord
from materiel.documents.numbering import propose_number
from materiel.documents.services import hand_over
from materiel.equipment.models import HOLDINGS, Item, Kit, Purpose, Status
from materiel.inspections.models import ItemReadiness, ReadinessReason, RunItem
from materiel.inspections.readiness import reason_counts, reason_counts_on
from materiel.ledger import asof, coefficients, kinds, services
from materiel.ledger.history import item_history
from materiel.ledger.kit import KIT
from materiel.ledger.models import Event, EventKind
from materiel.ledger.rules import STATUS_MOVES
from materiel.maintenance import board as maintenance_board
from materiel.people.issuing import holder_of
from materiel.reports.register import SORTS, lot_matches, lot_rows, register_export, register_items
from materiel.storage import depot_log
from materiel.storage import places as storage_places
from materiel.units.models import Unit, UnitChange

from . import charts, forms
from .labels import item_label

PAGE_SIZE = 50


def forbidden(request, exception=None):
    """403 with the reason in Vietnamese (Django calls this for PermissionDenied)."""
    message = str(exception) if exception and str(exception) else _("Bạn không được phép thực hiện thao tác này.")
    return render(request, "web/403.html", {"message": message}, status=403)


def register_url(scope, **filters) -> str:
    params = {"unit": scope.unit.code}
    if scope.day:
        params["on"] = scope.day_param
    params.update({k: v for k, v in filters.items() if v not in (None, "")})
    return "/trang-bi/?" + urlencode(params)


def dashboard_url(scope, unit) -> str:
    """The dashboard of `unit` on the same day (a child unit's drill-down)."""
    params = {"unit": unit.code, **({"on": scope.day_param} if scope.day else {})}
    return "/?" + urlencode(params)


def recent_event_ids(user, unit, count: int = 12) -> list[int]:
    """The ids of the subtree's latest events, looked for in the last 90 days first.

    Ids first on the lean (unit, occurred_on) path, then the rows with their relations (joining
    everything before the sort made SQLite sort the whole subtree's events). The window matters for
    a large subtree: over every unit of a national tree SQLite walked each unit's events, 650 ms at
    a million items; the last quarter's events are a small set whatever the scale."""
    events = Event.objects.visible_to(user).in_subtree(unit).order_by("-occurred_on", "-id")
    since = timezone.localdate() - timedelta(days=90)
    ids = list(events.filter(occurred_on__gte=since).values_list("id", flat=True)[:count])
    if len(ids) < count:
        ids = list(events.values_list("id", flat=True)[:count])
    return ids


def dashboard(request):
    scope = page_scope(request)
    # One fold of the ledger serves the unit and all its children on a past day.
    past = coefficients.PastCounts.of_unit_and_children(scope.day, scope.unit) if scope.day else None
    summary = coefficients.summarise(scope.unit, scope.day, past=past)
    children = coefficients.children_summaries(scope.unit, scope.day, past=past)
    children.sort(key=lambda s: (s.coefficient is None, -(s.coefficient or 0)))
    for child in children:
        child.unit.name = scope.name_of(child.unit)  # for display (the ranking chart): the day's name
    recent = []
    if scope.day is None:
        ids = recent_event_ids(request.user, scope.unit)
        recent = (
            Event.objects.filter(id__in=ids)
            .select_related("item__equipment_type", "lot__equipment_type", "unit", "recorded_by")
            .order_by("-occurred_on", "-id")
        )
    names = grade_names(scope.day)
    lines = [
        {
            "line": line,
            "name": line.category.name,
            "grades": [
                (g, line.tally.by_grade.get(g, 0), register_url(scope, category=line.category.code, grade=g))
                for g in names
            ],
            "total_url": register_url(scope, category=line.category.code),
            "incomplete": line.kit.incomplete(summary.completeness_policy),
            "incomplete_url": register_url(scope, category=line.category.code, kit="incomplete"),
        }
        for line in summary.lines
        if line.serialised
    ]
    lot_lines = lot_rows_of(scope, summary, names)
    return render(
        request,
        "web/dashboard.html",
        {
            "scope": scope,
            "summary": summary,
            "lines": lines,
            "lot_lines": lot_lines,
            "grade_names": names,
            "children": children,
            # What the unit holds itself, beside its children: the rows then add up to the total.
            "direct_total": summary.overall.total - sum(child.overall.total for child in children),
            "recent": recent,
            "overall_grades": [
                (g, summary.overall.by_grade.get(g, 0), register_url(scope, grade=g, kind="serialised")) for g in names
            ],
            "links": {
                "all": register_url(scope, kind="serialised"),
                "serviceable": register_url(scope, grade=_grades(summary.policy.serviceable_grades)),
                "counted": register_url(scope, grade=_grades(summary.policy.counted_grades)),
                "incomplete": register_url(scope, kind="serialised", kit="incomplete"),
                "in_repair": register_url(scope, status=Status.IN_REPAIR),
                "sealed": register_url(scope, status=Status.SEALED),
                "awaiting_disposal": register_url(scope, status=Status.AWAITING_DISPOSAL),
            },
            "grade_chart": charts.grade_distribution(lines + lot_lines),
            "ranking_chart": charts.coefficient_ranking(children, url_of=lambda unit: dashboard_url(scope, unit)),
            "watch": watch_lists(request.user, scope, summary) if scope.day is None else [],
            # Alarms are of today: a past day's dashboard does not show them.
            "depot_alarms": depot_log.open_alarms(request.user, scope.unit).count() if scope.day is None else 0,
            # The readiness reasons of the day (a past day's from the events), each count a register link.
            "readiness": readiness_lines(request.user, scope),
        },
    )


def readiness_lines(user, scope) -> list[dict]:
    """The items not ready, by reason, each count linking to exactly those items in the register."""
    return [
        {"name": row.name, "count": row.items, "url": register_url(scope, readiness=row.code, kind="serialised")}
        for row in (
            reason_counts(user, scope.unit) if scope.day is None else reason_counts_on(user, scope.unit, scope.day)
        )
    ]


def lot_rows_of(scope, summary, names) -> list[dict]:
    """The dashboard's rows of counted stock: one per type, in that type's unit of measure, each
    number linking to exactly the lots whose quantities it adds up."""
    types = EquipmentType.objects.in_bulk([line.type_id for line in summary.lot_lines])
    rows = []
    for line in summary.lot_lines:
        etype = types[line.type_id]
        rows.append(
            {
                "line": line,
                "name": etype.name,
                "unit_of_measure": etype.unit_of_measure,
                "grades": [
                    (g, line.tally.by_grade.get(g, 0), register_url(scope, type=etype.code, grade=g, kind="lots"))
                    for g in names
                ],
                "total_url": register_url(scope, type=etype.code, kind="lots"),
            }
        )
    return rows


def _grades(grades) -> str:
    return ",".join(str(g) for g in sorted(grades))


WATCHED = (Status.IN_REPAIR, Status.SEALED, Status.AWAITING_DISPOSAL)
WATCH_SIZE = 8


def watch_lists(user, scope, summary) -> list[dict]:
    """The first items in repair, in sealed storage and awaiting disposal, each list with its count
    (from the summary) and the link to all of them in the register."""
    counts = {
        Status.IN_REPAIR: summary.in_repair,
        Status.SEALED: summary.sealed,
        Status.AWAITING_DISPOSAL: summary.awaiting_disposal,
    }
    lists = []
    for status in WATCHED:
        # Ids first, newest in the register first: the (unit, status) index alone answers it, where
        # joining the rows' relations or ordering by date reads every such item of the subtree
        # (tens of milliseconds for the 9 000 items in repair of a 100k register).
        items: Iterable[Item] = []
        if counts[status]:
            ids = list(
                Item.objects.visible_to(user)
                .in_subtree(scope.unit)
                .filter(status=status)
                .order_by("-id")
                .values_list("id", flat=True)[:WATCH_SIZE]
            )
            items = Item.objects.filter(id__in=ids).select_related("equipment_type", "unit").order_by("-id")
        lists.append(
            {
                "label": Status(status).label,
                "items": items,
                "count": counts[status],
                "url": register_url(scope, status=status),
            }
        )
    return lists


def unit_tree(request):
    """The unit tree, today's or (with ?on=) the one that stood on a past day, with that day's names."""
    scope = page_scope(request)
    units = Unit.objects.visible_to(request.user).subtree_of(scope.unit).select_related("kind")
    changes = UnitChange.objects.filter(unit__in=units)
    if scope.day is not None:
        units = past_units(request.user, scope)
        changes = UnitChange.objects.filter(unit__in=units, occurred_on__lte=scope.day)
    changes = changes.select_related("unit", "recorded_by").order_by("-occurred_on", "-id")[:50]
    return render(request, "web/units.html", {"scope": scope, "units": units, "changes": changes})


def past_units(user, scope) -> list[Unit]:
    """The units under the chosen one on the page's day, in tree order, each with its depth in that
    day's tree and its name of that day; only those the user may see (the day's tree can hold a unit
    that has since moved out of the user's subtree)."""
    tree = scope.tree
    visible = set(Unit.objects.visible_to(user).values_list("pk", flat=True))
    by_id = Unit.objects.select_related("kind").in_bulk(tree.subtree(scope.unit.pk) & visible)
    ordered: list[Unit] = []
    stack = [(scope.unit.pk, 0)]
    while stack:
        pk, depth = stack.pop()
        unit = by_id.get(pk)
        if unit is None:
            continue
        unit.depth, unit.name = scope.unit.depth + depth, tree.name.get(pk, unit.name)
        unit.dissolved_on = None  # it stood on that day
        ordered.append(unit)
        children = sorted(tree.children.get(pk, []), key=lambda c: tree.name.get(c, ""), reverse=True)
        stack.extend((child, depth + 1) for child in children)
    return ordered


def sort_links(params) -> dict[str, dict]:
    """For each sortable column: the query that sorts by it (toggling the direction) and its state."""
    current = params.get("sort", "")
    links = {}
    for key in SORTS:
        query = params.copy()
        for name in ("page", "format", "sort"):
            query.pop(name, None)
        query["sort"] = f"-{key}" if current == key else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        links[key] = {"query": query.urlencode(), "state": state}
    return links


def lot_totals(rows) -> list[tuple[int, str]]:
    """(quantity, unit of measure) of the lots listed, one per unit of measure, largest first."""
    totals: dict[str, int] = {}
    for lot, quantity in rows:
        measure = lot.equipment_type.unit_of_measure
        totals[measure] = totals.get(measure, 0) + quantity
    return sorted(((quantity, measure) for measure, quantity in totals.items()), reverse=True)


def register(request):
    scope = page_scope(request)
    params = request.GET
    if params.get("format") == "xlsx":
        return register_export(request.user, scope, params)
    if params.get("kind") == "lots":
        rows = lot_rows(request.user, scope, params)
        return render(
            request,
            "web/lots.html",
            {
                "scope": scope,
                "rows": rows,
                "total": sum(q for _, q in rows),
                # Quantities add up only within a unit of measure (viên with viên, never with kg).
                "totals": lot_totals(rows),
                "params": params,
                "categories": Category.objects.all(),
                # Lots can be handed over (today only) like items: web.bulk.
                "can_transfer": scope.day is None and "transfer" in forms.bulk_actions(request.user),
                "query": params.urlencode(),
            },
        )
    items = register_items(request.user, scope, params)
    page = Paginator(items, PAGE_SIZE).get_page(params.get("page"))
    past = asof.item_states_on(scope.day, [i.pk for i in page]) if scope.day else {}
    past_units = {u.pk: u for u in Unit.objects.filter(pk__in={v[0] for v in past.values()})}
    rows = []
    for item in page:
        if scope.day and item.pk in past:
            unit_id, grade, status = past[item.pk]
            rows.append((item, past_units.get(unit_id), grade, Status(status).label))
        else:
            rows.append((item, item.unit, item.grade, item.get_status_display()))
    query = params.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "scope": scope,
        "page": page,
        "rows": rows,
        "params": params,
        "query": query.urlencode(),
        "categories": Category.objects.values_list("code", "name"),
        "types": EquipmentType.objects.filter(serialised=True).values_list("code", "name"),
        "statuses": Status.choices[:-1],
        "purposes": Purpose.choices,
        "places": storage_places.place_choices(request.user, scope.unit),
        # Offered when the link of a readiness count brought the filter (the dashboard's table).
        "reasons": ReadinessReason.objects.values_list("code", "name") if params.get("readiness") else [],
        "kit_filters": [
            ("incomplete", _("Không đồng bộ")),
            (Kit.MISSING.value, Kit.MISSING.label),
            (Kit.DAMAGED.value, Kit.DAMAGED.label),
        ],
        "sorts": sort_links(params),
        "grades": grade_names(scope.day),
        "count": page.paginator.count,
        "lot_matches": lot_matches(request.user, scope, params),
        # Past days are read-only: actions on many items are offered on the register of now.
        "bulk_actions": [] if scope.day else forms.bulk_actions(request.user),
    }
    template = "web/register.html#results" if request.headers.get("HX-Request") else "web/register.html"
    return render(request, template, context)


ACTION_FORMS = {
    "transfer": forms.TransferForm,
    "grade": forms.GradeForm,
    "issue": forms.IssueForm,
    "return": forms.EventForm,
    "meter": forms.MeterForm,
    "kit": forms.KitForm,
    **{kind: forms.StatusForm for kind in STATUS_MOVES},
}


def action_form(action, item, user, data=None):
    form_class = ACTION_FORMS[action]
    if form_class is forms.TransferForm:
        # The giving unit stays acceptable: the handover rule then says giver and receiver are one.
        units = receiving_units(user, item.unit)
        proposal = {"document_number": propose_number(item.unit, timezone.localdate().year)}
        return form_class(data, units=units, near=item.unit, prefix=action, initial=proposal)
    if form_class is forms.MeterForm:
        return form_class(data, meters=item.equipment_type.meters, prefix=action)
    if form_class is forms.GradeForm:
        return form_class(data, prefix=action, initial={"grade": item.grade})
    if form_class is forms.KitForm:
        shortages = {s.line_id: (s.missing, s.damaged) for s in item.kit_shortages.all()}
        return form_class(data, prefix=action, lines=item.equipment_type.kit_lines.all(), shortages=shortages)
    return form_class(data, prefix=action)


@object_view(Item)
def item_detail(request, pk, forms_by_action=None):
    item = get_object_or_404(
        Item.objects.visible_to(request.user).select_related("equipment_type__category", "unit"), pk=pk
    )
    history = item_history(request.user, item, newest_first=True)  # what another subtree wrote is masked
    events, reversed_ids, in_scope = history.events, history.reversed_ids, history.in_scope
    latest = next((e for e in events if e.kind != kinds.REVERSAL and e.pk not in reversed_ids), None)
    plan_names = maintenance_board.plan_names(events)
    place_names = storage_places.place_names(request.user, events)
    for event in events:
        if event.kind == "maintenance_done":
            event.plan_name = plan_names.get(int(event.details.get("plan", 0)), "")
        elif event.kind == "relocation":
            event.place_name = place_names.get(int(event.details.get("place", 0)), "")
    kit_names = kit_line_names(events)
    for event in events:
        if event.kind == KIT:
            event.kit_text = kit_text(event, kit_names)
    # The disposal decision an event carried out opens its proposal (one read for the whole history).
    decided = {
        line.event_id: line.record
        for line in DisposalLine.objects.filter(event__in=[e.pk for e in events if e.kind in DISPOSAL_KINDS])
        .filter(record__in=Proposal.objects.visible_to(request.user))
        .select_related("record")
    }
    # A count's final approval opens its sheet, the same way (its events carry the campaign's number,
    # KK-…: an item never counted costs no query).
    counted = {
        line.event_id: line.record
        for line in CountLine.objects.filter(
            event__in=[e.pk for e in events if e.kind in COUNT_KINDS and (e.document_number or "").startswith("KK-")]
        )
        .filter(record__in=Sheet.objects.visible_to(request.user))
        .select_related("record")
    }
    for event in events:
        event.proposal = decided.get(event.pk)
        event.count_sheet = counted.get(event.pk)
    # Forms come with the page only when re-shown with their errors; the others are fetched when
    # opened (item_action, GET): eleven forms and a unit list were most of the page's time.
    forms_by_action = forms_by_action or {}
    actions = [
        (action, _action_label(action), forms_by_action.get(action))
        for action in ACTION_FORMS
        if action in forms_by_action or (_permitted(action, item, request.user) and _applicable(action, item))
    ]
    return render(
        request,
        "web/item.html",
        {
            "item": item,
            "events": events,
            "reversed_ids": reversed_ids,
            "in_scope": in_scope,
            "latest": latest,
            "meters": item.meters.order_by("meter"),
            "kit_lines": kit_lines_of(item),
            "actions": actions,
            "grade_names": grade_labels(),
            "reverse_form": forms.ReverseForm(prefix="reverse"),
            "can_reverse": allowed(request.user, "ledger.reverse") and can_see_unit(request.user, item.unit),
            "label": item_label(request, item),
            # Where it stands against its type's maintenance plans (maintenance.board).
            "due_lines": maintenance_board.item_lines(request.user, item),
            "can_record_maintenance": allowed(request.user, "ledger.record") and can_see_unit(request.user, item.unit),
            "place": storage_places.place_of(item),
            # The holder as a person of the staff register, when it was issued through it (people.issuing).
            "holder_person": holder_of(request.user, item),
            # Why it is not serviceable now, if it carries a reason (inspections.ItemReadiness).
            "readiness": ItemReadiness.objects.filter(item=item).select_related("reason").first(),
            "reason_names": readiness_names(events),
            "inspected": inspections_of(request.user, item),
            "can_inspect": allowed(request.user, "inspections.manage")
            and can_see_unit(request.user, item.unit)
            and item.status not in (Status.DISPOSED, Status.LOST, Status.VOID),
        },
    )


COUNT_KINDS = ("lose", "grade_change", "find", "receipt")  # what a count's approval writes on items
DISPOSAL_KINDS = (EventKind.AWAIT_DISPOSAL, EventKind.DISPOSE)


def kit_line_names(events) -> dict[int, str]:
    """kit line id -> its name, for the kit events among `events` (none read without one)."""
    ids = {s.get("line") for e in events if e.kind == KIT for s in e.details.get("shortages", [])}
    return dict(KitLine.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def kit_text(event, names: dict[int, str]) -> str:
    """A kit event in the history: what was short after it, or that the kit was whole."""
    parts = []
    for s in event.details.get("shortages", []):
        name = names.get(s.get("line"), "?")
        if s.get("missing"):
            parts.append(_("thiếu %(n)s %(line)s") % {"n": s["missing"], "line": name})
        if s.get("damaged"):
            parts.append(_("hỏng %(n)s %(line)s") % {"n": s["damaged"], "line": name})
    return "; ".join(parts) if parts else _("Đủ đồng bộ")


def kit_lines_of(item: Item) -> list[dict]:
    """The item's standard kit, each line with what is missing and damaged of it now."""
    short = {s.line_id: s for s in item.kit_shortages.all()}
    return [
        {"line": line, "missing": short[line.pk].missing if line.pk in short else 0,
         "damaged": short[line.pk].damaged if line.pk in short else 0}
        for line in item.equipment_type.kit_lines.all()
    ]  # fmt: skip


def inspections_of(user, item, limit: int = 10) -> list[RunItem]:
    """The item's latest inspection runs the user may read, with its number of findings in each."""
    # Scoped on the run's unit path directly: `run__in=<visible runs>` made SQLite read every run
    # of the user's tree (8 ms of the item page at 100k items with a year of inspections).
    rows = (
        restrict(RunItem.objects.filter(item=item), user, "run__unit__path")
        .select_related("run__template")
        .annotate(failed=Count("results", filter=Q(results__passed=False)))
        .order_by("-run__inspected_on", "-run_id")
    )
    return list(rows[:limit])


def readiness_names(events) -> dict[str, str]:
    """reason code -> its name, for the readiness events among `events` (none read without one)."""
    if not any(e.kind == "readiness" for e in events):
        return {}
    return dict(ReadinessReason.objects.values_list("code", "name"))


# The event kind each form of the item page records: its permission and its name are the kind's
# (ledger.kinds), not repeated here.
ACTION_KINDS = {
    "transfer": EventKind.TRANSFER,
    "grade": EventKind.GRADE_CHANGE,
    "issue": EventKind.ISSUE,
    "return": EventKind.RETURN,
    "meter": EventKind.METER_READING,
    "kit": KIT,
    **{kind: kind for kind in STATUS_MOVES},
}


def _permitted(action: str, item: Item, user) -> bool:
    """Offer only the events the user's role may record here (the service checks again)."""
    return allowed(user, kinds.get(ACTION_KINDS[action]).action) and can_see_unit(user, item.unit)


def _applicable(action: str, item: Item) -> bool:
    """Offer only the events the item's state allows (the service checks again)."""
    if action == "meter" and not item.equipment_type.meters:
        return False  # a type without meters has no reading to record
    if action == "kit" and not item.equipment_type.kit_lines.exists():
        return False  # a type without a standard kit has nothing to be short of
    if action in STATUS_MOVES:
        return item.status in STATUS_MOVES[action][0]
    if action == "return":
        return bool(item.holder)
    if action == "issue":
        return item.status == Status.IN_SERVICE and not item.holder
    if action == "transfer":
        return item.status in HOLDINGS and item.status != Status.IN_REPAIR
    return item.status not in (Status.DISPOSED, Status.VOID)


def _action_label(action: str) -> str:
    return kinds.label(ACTION_KINDS[action])


@object_view(Item)
@require_http_methods(["GET", "POST"])
def item_action(request, pk, action):
    """POST records the event; GET gives its empty form: the fragment for the item page's htmx, or
    the item page with that form open (a link followed without scripts)."""
    item = get_object_or_404(Item.objects.visible_to(request.user).select_related("equipment_type"), pk=pk)
    if action not in ACTION_FORMS:
        return redirect("web:item", pk=pk)
    if not _permitted(action, item, request.user):
        return forbidden(request, _("Vai trò của bạn không được phép thực hiện thao tác này."))
    if request.method == "GET":
        form = action_form(action, item, request.user)
        if request.headers.get("HX-Request"):
            return render(request, "web/_action_form.html", {"item": item, "action": action, "form": form})
        return item_detail(request, pk, forms_by_action={action: form})
    form = action_form(action, item, request.user, request.POST)
    if form.is_valid():
        try:
            written = _perform(action, item, request.user, form)
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            done = {"what": _action_label(action)}
            if isinstance(written, HandoverRecord):
                done["number"] = written.number
                messages.success(request, _("Đã ghi: %(what)s, biên bản bàn giao số %(number)s.") % done)
                if not Item.objects.visible_to(request.user).filter(pk=pk).exists():
                    return redirect("web:handover", pk=written.pk)  # handed to a depot above: out of scope
            else:
                messages.success(request, _("Đã ghi: %(what)s.") % done)
            return redirect("web:item", pk=pk)
    response = item_detail(request, pk, forms_by_action={action: form})
    response.status_code = 422
    return response


def _perform(action: str, item: Item, actor, form):
    data = form.cleaned_data
    common = {"occurred_on": data["occurred_on"], "actor": actor}
    if action == "transfer":
        # A transfer is always drawn up as a handover record, in the same transaction as its event.
        return hand_over(items=[item], to_unit=data["to_unit"], parties=form.parties(), actor=actor)
    if action == "grade":
        return services.record_grade_change(
            item, grade=data["grade"], reason=data["reason"], document_number=data["document_number"], **common
        )
    if action == "issue":
        return services.record_issue(item, holder=data["holder"], **common)
    if action == "return":
        return services.record_return(item, **common)
    if action == "meter":
        return services.record_meter_reading(item, meter=data["meter"], value=data["value"], **common)
    if action == "kit":
        return services.record_kit(item, shortages=form.shortages(), note=data["note"], **common)
    return services.record_status_change(
        item, action, reason=data["reason"], document_number=data["document_number"], **common
    )


@object_view(Event)
@require_POST
def reverse_event_view(request, pk):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    form = forms.ReverseForm(request.POST, prefix="reverse")
    form.is_valid()
    try:
        services.reverse_event(event, reason=form.cleaned_data.get("reason", ""), actor=request.user)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã hủy sự kiện ghi nhầm."))
    if event.item_id:
        return redirect("web:item", pk=event.item_id)
    return redirect("web:register")
