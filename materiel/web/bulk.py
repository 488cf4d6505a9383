"""Actions on many items of the register at once: transfer them (one handover record) or re-grade them.

Two steps, no script needed: the register posts the ticked items and the chosen action here, which
shows them with the action's form (for a transfer, the giving unit and its next record number); the
form posted back with `confirm` applies it. All or nothing: every item goes through its ledger service
inside one transaction, and the first refusal rolls back everything with a message naming the item
and the field.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from materiel.accounts.scoping import PermissionDenied
from materiel.core.errors import DomainError
from materiel.documents.services import about_item, giving_unit, hand_over
from materiel.equipment.models import Item
from materiel.ledger import services

from .forms import BULK_ACTIONS, bulk_actions, bulk_form
from .views import forbidden

# One action may touch at most this many items: a page of the register is 50.
BULK_LIMIT = 500


def selected_items(request) -> list[Item]:
    """The ticked items, all inside the user's scope (404 if any is not: no hint of what exists)."""
    ids = {int(value) for value in request.POST.getlist("items") if value.isdigit()}
    items = Item.objects.visible_to(request.user).select_related("equipment_type", "unit").filter(pk__in=ids)
    items = sorted(items, key=lambda i: (i.equipment_type.name, i.serial))
    if len(items) != len(ids):
        raise Http404(_("Không tìm thấy trang bị."))
    return items


@transaction.atomic
def change_grades(items, *, grade, reason: str, document_number: str, occurred_on, actor) -> int:
    if not (reason or "").strip():
        raise DomainError(_("Phân cấp lại phải ghi lý do."), field="reason")
    for item in items:
        try:
            services.record_grade_change(
                item, grade=grade, reason=reason, document_number=document_number, occurred_on=occurred_on, actor=actor
            )
        except DomainError as error:
            raise about_item(error, item.serial, item.equipment_type.name) from None
    return len(items)


def _apply(action: str, items, form, actor):
    """Run the action; the success message and where to go next."""
    data = form.cleaned_data
    if action == "transfer":
        record = hand_over(items=items, to_unit=data["to_unit"], parties=form.parties(), actor=actor)
        done = _("Đã điều chuyển %(n)s trang bị, biên bản số %(number)s.") % {"n": len(items), "number": record.number}
        return done, reverse("web:handover", args=[record.pk])
    count = change_grades(
        items,
        grade=data["grade"],
        reason=data["reason"],
        document_number=data["document_number"],
        occurred_on=data["occurred_on"],
        actor=actor,
    )
    return _("Đã phân cấp lại %(n)s trang bị.") % {"n": count}, None


@require_POST
def register_bulk(request):
    action = request.POST.get("action", "")
    back = reverse("web:register") + "?" + request.GET.urlencode()
    if action not in BULK_ACTIONS:
        return redirect(back)
    if action not in bulk_actions(request.user):
        return forbidden(request, _("Vai trò của bạn không được phép thực hiện thao tác này."))
    items = selected_items(request)
    if not items or len(items) > BULK_LIMIT:
        messages.error(
            request,
            _("Chưa chọn trang bị nào.")
            if not items
            else _("Mỗi lần chỉ thao tác tối đa %(n)s trang bị.") % {"n": BULK_LIMIT},
        )
        return redirect(back)
    giving, problem = None, None
    if action == "transfer":
        try:
            giving = giving_unit(items, [])
        except DomainError as error:
            problem = error.message
    confirming = "confirm" in request.POST
    form = bulk_form(action, request.user, request.POST if confirming else None, giving_unit=giving)
    if confirming and problem is None and form.is_valid():
        try:
            done, next_url = _apply(action, items, form, request.user)
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done)
            return redirect(next_url or back)
    context = {
        "action": action,
        "items": items,
        "form": form,
        "giving": giving,
        "problem": problem,
        "back": back,
        "query": request.GET.urlencode(),
    }
    return render(request, "web/bulk.html", context, status=422 if confirming else 200)
