"""Receiving equipment in the browser (tiếp nhận), and the lot movements of counted stock.

A receipt is two plain form posts: *Xem trước* checks the form and shows what will be written (for
serials, how many and the first and last of them); *Ghi tiếp nhận* writes it all in one transaction
through documents.services, which calls the ledger's services, and opens the record drawn up with it.
From outside the tree the record is a receipt record (biên bản giao nhận) naming the outside party;
from a unit of the tree it is a transfer (docs/decisions.md): the serials must be on that unit's
books, and they move with their history.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, own_units, receiving_units
from materiel.core.errors import DomainError
from materiel.core.serials import parse_serials
from materiel.core.views import object_view
from materiel.documents import services as documents
from materiel.documents.numbering import propose_number
from materiel.equipment.models import Lot
from materiel.formats.numbers import number
from materiel.ledger import services

from .receipt_forms import ItemReceiptForm, LotIssueForm, LotReceiptForm, LotTransferForm
from .views import forbidden


def can_receive(user) -> bool:
    """Whether the register and the dashboard offer *Tiếp nhận* (the service checks the unit again)."""
    return allowed(user, "ledger.record")


def open_units(user):
    return own_units(user)  # not the subtrees the user only reads (ScopeGrant)


# The form field a ledger or documents refusal names (the rest are named alike).
FIELD_OF = {"serial": "serials", "items": "serials", "unit": "to_unit"}


def _error_to_form(form, error: DomainError, *, serial_lines=None) -> None:
    """Put the service's refusal on the field it names (the serials' field for a refused serial,
    with its line), or above the form."""
    message = error.message
    field = FIELD_OF.get(error.field or "", error.field)
    if isinstance(error, documents.LineRefused) and serial_lines is not None and field in ("serials", None):
        message = _("Dòng %(line)s: %(message)s") % {"line": serial_lines[error.position], "message": message}
        field = "serials"
    form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET"])
def serial_preview(request):
    """The receipt form's live preview (htmx, as the serials are typed): how many serials the field
    makes and the first and last, or why it makes none. Reads nothing from the database. A GET: a
    list of several hundred serials typed one per line outgrows a server's request line (gunicorn:
    4 KB) and the live preview stays empty; *Xem trước* (a POST) shows it then."""
    if not can_receive(request.user):
        return forbidden(request, _("Vai trò của bạn không được phép tiếp nhận trang bị."))
    preview, problem = None, None
    if request.GET.get("serials", "").strip():
        try:
            serials = [s.serial for s in parse_serials(request.GET["serials"])]
        except DomainError as error:
            problem = error.message
        else:
            preview = _preview(serials)
    return render(request, "web/receipt.html#serial_preview", {"preview": preview, "problem": problem})


def _preview(serials: list[str]) -> dict:
    return {"count": len(serials), "first": serials[0], "last": serials[-1], "serials": serials}


def _receive_items(form, actor):
    data = form.cleaned_data
    serials = [s.serial for s in data["serials"]]
    if form.from_tree:
        return documents.hand_over_serials(
            equipment_type=data["equipment_type"],
            serials=serials,
            from_unit=data["from_unit"],
            to_unit=data["to_unit"],
            parties=form.parties(),
            actor=actor,
        )
    note = form.storage_note()
    return documents.receive_items(
        equipment_type=data["equipment_type"],
        serials=serials,
        to_unit=data["to_unit"],
        outside_party=data["outside_party"],
        parties=form.parties(),
        actor=actor,
        grade=data["grade"],
        purpose=data["purpose"],
        year_made=data["year_made"],
        origin=data["origin"],
        note=note,
    )


class _DryRun(Exception):
    """Raised to roll the previewed write back."""


def _check_by_writing(form, actor) -> None:
    """The write itself, rolled back: the preview finds every problem the write would find (a
    serial already in the register, a day in the future), not only what the form sees."""
    try:
        with transaction.atomic():
            _receive_items(form, actor)
            raise _DryRun
    except _DryRun:
        pass


@require_http_methods(["GET", "POST"])
def receive(request):
    """Tiếp nhận trang bị: one item, several serials, or a range, into a unit of the user's scope."""
    if not can_receive(request.user):
        return forbidden(request, _("Vai trò của bạn không được phép tiếp nhận trang bị."))
    scope = page_scope(request)
    data = request.POST if request.method == "POST" else None
    form = ItemReceiptForm(data, units=open_units(request.user), initial={"to_unit": scope.unit.code})
    preview = None
    status = 200
    if data is not None:
        status = 422
        if form.is_valid():
            preview = _preview([s.serial for s in form.cleaned_data["serials"]])
            status = 200
            try:
                if "confirm" not in request.POST:
                    _check_by_writing(form, request.user)
            except PermissionDenied as error:
                return forbidden(request, error.message)
            except DomainError as error:
                _error_to_form(form, error, serial_lines=[s.line for s in form.cleaned_data["serials"]])
                preview, status = None, 422
            if preview is not None and "confirm" in request.POST:
                try:
                    record = _receive_items(form, request.user)
                except PermissionDenied as error:
                    return forbidden(request, error.message)
                except DomainError as error:
                    _error_to_form(form, error, serial_lines=[s.line for s in form.cleaned_data["serials"]])
                    preview, status = None, 422
                else:
                    done = {**preview, "number": record.number, "unit": record.to_unit.name}
                    text = (
                        _(
                            "Đã tiếp nhận %(count)s trang bị (%(first)s … %(last)s) vào %(unit)s, "
                            "biên bản số %(number)s."
                        )
                        if preview["count"] > 1
                        else _("Đã tiếp nhận trang bị %(first)s vào %(unit)s, biên bản số %(number)s.")
                    )
                    messages.success(request, text % done)
                    return redirect("web:handover", pk=record.pk)
    context = {"scope": scope, "form": form, "preview": preview, "lots": False}
    return render(request, "web/receipt.html", context, status=status)


@require_http_methods(["GET", "POST"])
def receive_lot(request):
    """Nhập lô: counted stock into a unit, from outside the tree or from one of its units."""
    if not can_receive(request.user):
        return forbidden(request, _("Vai trò của bạn không được phép tiếp nhận trang bị."))
    scope = page_scope(request)
    data = request.POST if request.method == "POST" else None
    form = LotReceiptForm(data, units=open_units(request.user), initial={"to_unit": scope.unit.code})
    status = 200
    if data is not None:
        status = 422
        if form.is_valid():
            values = form.cleaned_data
            what = {
                "equipment_type": values["equipment_type"],
                "lot_number": values["lot_number"],
                "grade": values["grade"],
                "quantity": values["quantity"],
                "to_unit": values["to_unit"],
                "parties": form.parties(),
                "actor": request.user,
            }
            try:
                if form.from_tree:
                    record = documents.hand_over_lot_of(from_unit=values["from_unit"], **what)
                else:
                    record = documents.receive_lot(outside_party=values["outside_party"], **what)
            except PermissionDenied as error:
                return forbidden(request, error.message)
            except DomainError as error:
                _error_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Đã nhập %(quantity)s %(uom)s %(type)s vào %(unit)s, biên bản số %(number)s.")
                    % {
                        "quantity": number(values["quantity"]),
                        "uom": values["equipment_type"].unit_of_measure,
                        "type": values["equipment_type"].name,
                        "unit": record.to_unit.name,
                        "number": record.number,
                    },
                )
                return redirect("web:handover", pk=record.pk)
    context = {"scope": scope, "form": form, "preview": None, "lots": True}
    return render(request, "web/receipt.html", context, status=status)


def lots_url(lot: Lot) -> str:
    return reverse("web:register") + f"?kind=lots&unit={lot.unit.code}"


@object_view(Lot)
@require_http_methods(["GET", "POST"])
def lot_issue(request, pk):
    """Xuất, tiêu hao: stock of a lot taken out to consumption, with the reason."""
    lot = get_object_or_404(Lot.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=pk)
    if not allowed(request.user, "ledger.record"):
        return forbidden(request, _("Vai trò của bạn không được phép thực hiện thao tác này."))
    form = LotIssueForm(request.POST if request.method == "POST" else None, prefix="issue")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_lot_issue(
                    lot,
                    quantity=data["quantity"],
                    occurred_on=data["occurred_on"],
                    actor=request.user,
                    reason=data["reason"],
                    document_number=data["document_number"],
                )
            except PermissionDenied as error:
                return forbidden(request, error.message)
            except DomainError as error:
                _error_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Đã xuất %(quantity)s %(uom)s khỏi lô %(lot)s (%(type)s).")
                    % {
                        "quantity": number(data["quantity"]),
                        "uom": lot.equipment_type.unit_of_measure,
                        "lot": lot.lot_number or "—",
                        "type": lot.equipment_type.name,
                    },
                )
                return redirect(lots_url(lot))
    return render(request, "web/lot_action.html", {"lot": lot, "form": form, "action": "issue"}, status=status)


@object_view(Lot)
@require_http_methods(["GET", "POST"])
def lot_transfer(request, pk):
    """Điều chuyển lô: part of a lot handed over to another unit, with its handover record."""
    lot = get_object_or_404(Lot.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=pk)
    if not allowed(request.user, "ledger.transfer"):
        return forbidden(request, _("Vai trò của bạn không được phép thực hiện thao tác này."))
    proposal = {"document_number": propose_number(lot.unit, timezone.localdate().year), "quantity": lot.quantity}
    form = LotTransferForm(
        request.POST if request.method == "POST" else None,
        units=receiving_units(request.user, lot.unit),  # as an item's transfer: the depots above too
        near=lot.unit,
        prefix="transfer",
        initial=proposal,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                record = documents.hand_over(
                    lots=[(lot, form.cleaned_data["quantity"])],
                    to_unit=form.cleaned_data["to_unit"],
                    parties=form.parties(),
                    actor=request.user,
                )
            except PermissionDenied as error:
                return forbidden(request, error.message)
            except DomainError as error:
                _error_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Đã điều chuyển %(quantity)s %(uom)s của lô %(lot)s, biên bản số %(number)s.")
                    % {
                        "quantity": number(form.cleaned_data["quantity"]),
                        "uom": lot.equipment_type.unit_of_measure,
                        "lot": lot.lot_number or "—",
                        "number": record.number,
                    },
                )
                return redirect("web:handover", pk=record.pk)
    return render(request, "web/lot_action.html", {"lot": lot, "form": form, "action": "transfer"}, status=status)
