"""Actions on many items of the register at once: transfer them (one handover record) or re-grade them.

All or nothing: every item goes through its ledger service inside one transaction, and the first
refusal rolls back everything with a message naming the item and the field.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from materiel.accounts.scoping import PermissionDenied
from materiel.core.errors import DomainError
from materiel.documents.numbering import propose_number
from materiel.documents.services import about_item, hand_over
from materiel.equipment.models import Item
from materiel.ledger import services

from .forms import bulk_forms
from .views import forbidden, register

# One action may touch at most this many items: a page of the register is 50.
BULK_LIMIT = 500
# Offered to the roles with ledger.transfer and ledger.grade respectively (forms.bulk_forms).
BULK_ACTIONS = ("transfer", "grade")


def selected_items(request) -> list[Item]:
    """The ticked items, all inside the user's scope (404 if any is not: no hint of what exists)."""
    ids = {int(value) for value in request.POST.getlist("items") if value.isdigit()}
    items = list(Item.objects.visible_to(request.user).select_related("equipment_type", "unit").filter(pk__in=ids))
    if len(items) != len(ids):
        raise Http404(_("Không tìm thấy trang bị."))
    return items


@transaction.atomic
def change_grades(items, *, grade, reason: str, document_number: str, occurred_on, actor) -> int:
    if not (reason or "").strip():
        raise DomainError(_("Phân cấp lại phải ghi lý do."), field="reason")
    for item in sorted(items, key=lambda i: (i.equipment_type.name, i.serial)):
        try:
            services.record_grade_change(
                item, grade=grade, reason=reason, document_number=document_number, occurred_on=occurred_on, actor=actor
            )
        except DomainError as error:
            raise about_item(error, item.serial, item.equipment_type.name) from None
    return len(items)


def _transfer(items, form, actor):
    parties = form.parties()
    if not parties.number.strip():
        # The giving unit is known only now: propose its next number, as the item page does.
        parties.number = propose_number(items[0].unit, parties.handed_on.year)
    return hand_over(items=items, to_unit=form.cleaned_data["to_unit"], parties=parties, actor=actor)


@require_POST
def register_bulk(request):
    """Apply the posted action to the ticked items; on a refusal, show the register again with the
    message next to the field it names and the same items ticked."""
    action = request.POST.get("action", "")
    items = selected_items(request)
    offered = bulk_forms(request.user, request.POST, action)
    form = offered.get(action)
    if action in BULK_ACTIONS and form is None:
        return forbidden(request, _("Vai trò của bạn không được phép thực hiện thao tác này."))
    problem = None
    if form is None:
        problem = _("Hãy chọn thao tác.")
    elif not items:
        problem = _("Chưa chọn trang bị nào.")
    elif len(items) > BULK_LIMIT:
        problem = _("Mỗi lần chỉ thao tác tối đa %(n)s trang bị.") % {"n": BULK_LIMIT}
    elif form.is_valid():
        data = form.cleaned_data
        try:
            if action == "transfer":
                record = _transfer(items, form, request.user)
            else:
                count = change_grades(
                    items,
                    grade=data["grade"],
                    reason=data["reason"],
                    document_number=data["document_number"],
                    occurred_on=data["occurred_on"],
                    actor=request.user,
                )
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if action == "transfer":
                messages.success(
                    request,
                    _("Đã điều chuyển %(n)s trang bị, biên bản số %(number)s.")
                    % {"n": len(items), "number": record.number},
                )
                return redirect("web:handover", pk=record.pk)
            messages.success(request, _("Đã phân cấp lại %(n)s trang bị.") % {"n": count})
            return redirect(reverse("web:register") + "?" + request.GET.urlencode())
    bulk = {"forms": offered, "action": action, "selected": {item.pk for item in items}, "problem": problem}
    response = register(request, bulk=bulk)
    response.status_code = 422
    return response
