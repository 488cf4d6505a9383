"""The count and grading campaign (kiểm kê): campaigns, their progress, the units' sheets, filling
them, submitting, the unit commander's and the launching echelon's approvals, sending back. The same
services as the pages (materiel.counts)."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from materiel.catalog.models import Category, EquipmentType
from materiel.core.errors import DomainError
from materiel.counts import discrepancies, services
from materiel.counts.models import Campaign, Sheet, SheetState
from materiel.units.models import UnitKind

from ..common import Day, Grade, Id, Text, Version, unit_for
from ..errors import responses

router = Router(tags=["Kiểm kê"])
MAX_CHANGES = 5000


class SheetBrief(Schema):
    id: int
    unit: str
    state: str
    version: int


class CampaignOut(Schema):
    id: int
    launching_unit: str
    title: str
    reference_date: date
    deadline: date
    state: str
    categories: list[str]
    unit_kinds: list[str]
    progress: dict[str, int]  # state -> how many of the sheets the reader sees
    sheets: list[SheetBrief]


def campaign_out(request, campaign: Campaign) -> dict:
    sheets = list(services.visible_sheets(request.user).filter(campaign=campaign).order_by("unit__path"))
    progress = dict.fromkeys(SheetState.values, 0)
    for sheet in sheets:
        progress[sheet.state] += 1
    return {
        "id": campaign.pk,
        "launching_unit": campaign.launching_unit.code,
        "title": campaign.title,
        "reference_date": campaign.reference_date,
        "deadline": campaign.deadline,
        "state": campaign.state,
        "categories": [c.code for c in campaign.categories.all()],
        "unit_kinds": [k.code for k in campaign.unit_kinds.all()],
        "progress": progress,
        "sheets": [{"id": s.pk, "unit": s.unit.code, "state": s.state, "version": s.version} for s in sheets],
    }


class CountLineOut(Schema):
    id: int
    position: int
    kind: str
    type: str
    place: str
    serial_expected: str
    grade_expected: int | None
    quantity_expected: int | None
    found: bool | None
    serial_read: str
    grade_found: int | None
    kit_missing: str
    quantity_counted: int | None
    note: str


class SheetOut(Schema):
    id: int
    campaign: int
    unit: str
    state: str
    version: int
    figures: dict
    lines: list[CountLineOut]
    events: list[int]  # the ledger events the final approval wrote


def sheet_out(sheet: Sheet) -> dict:
    lines = sheet.lines.select_related("equipment_type", "place").order_by("position")
    return {
        "id": sheet.pk,
        "campaign": sheet.campaign_id,
        "unit": sheet.unit.code,
        "state": sheet.state,
        "version": sheet.version,
        "figures": discrepancies.figures(sheet),
        "lines": [
            {
                "id": line.pk,
                "position": line.position,
                "kind": line.kind,
                "type": line.equipment_type.code,
                "place": line.place.code if line.place else "",
                "serial_expected": line.serial_expected,
                "grade_expected": line.grade_expected,
                "quantity_expected": line.quantity_expected,
                "found": line.found,
                "serial_read": line.serial_read,
                "grade_found": line.grade_found,
                "kit_missing": line.kit_missing,
                "quantity_counted": line.quantity_counted,
                "note": line.note,
            }
            for line in lines
        ],
        "events": list(sheet.event_lines.order_by("position").values_list("event_id", flat=True)),
    }


def _campaign(request, campaign_id: int) -> Campaign:
    return get_object_or_404(services.visible_campaigns(request.user), pk=campaign_id)


def _sheet(request, sheet_id: int) -> Sheet:
    return get_object_or_404(services.visible_sheets(request.user), pk=sheet_id)


class CampaignFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]


@router.get("/counts/campaigns", response=responses(list[CampaignOut]), summary="Các đợt kiểm kê của một cây đơn vị")
def list_campaigns(request, filters: Query[CampaignFilters]):
    rows = services.campaigns_for(request.user, unit_for(request, filters.unit))
    return [campaign_out(request, c) for c in rows[:100]]


@router.get("/counts/campaigns/{campaign_id}", response=responses(CampaignOut), summary="Một đợt kiểm kê và tiến độ")
def get_campaign(request, campaign_id: Id):
    return campaign_out(request, _campaign(request, campaign_id))


class CampaignIn(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    title: Text(200)  # type: ignore[valid-type]
    reference_date: Day
    deadline: Day
    categories: list[Text(40)] = Field(default_factory=list, max_length=100)  # type: ignore[valid-type]
    unit_kinds: list[Text(40)] = Field(default_factory=list, max_length=100)  # type: ignore[valid-type]


@router.post("/counts/campaigns", response=responses(CampaignOut), summary="Mở đợt kiểm kê")
def launch(request, payload: CampaignIn):
    categories = list(Category.objects.filter(code__in=payload.categories))
    if len(categories) != len(set(payload.categories)):
        raise DomainError(_("Có mã nhóm trang bị không có trong danh mục."), field="categories")
    kinds = list(UnitKind.objects.filter(code__in=payload.unit_kinds))
    if len(kinds) != len(set(payload.unit_kinds)):
        raise DomainError(_("Có mã loại đơn vị không có trong danh mục."), field="unit_kinds")
    campaign = services.launch(
        actor=request.user,
        unit=unit_for(request, payload.unit),
        title=payload.title,
        reference_date=payload.reference_date,
        deadline=payload.deadline,
        categories=categories,
        unit_kinds=kinds,
    )
    return campaign_out(request, campaign)


@router.get("/counts/sheets/{sheet_id}", response=responses(SheetOut), summary="Một phiếu kiểm kê")
def get_sheet(request, sheet_id: Id):
    return sheet_out(_sheet(request, sheet_id))


class LineChangeIn(Schema):
    line: Id
    found: bool | None = None
    serial_read: Text(80) | None = None  # type: ignore[valid-type]
    grade_found: Grade | None = None
    kit_missing: Text(300) | None = None  # type: ignore[valid-type]
    quantity_counted: int | None = Field(None, ge=0, le=10**9)
    note: Text(300) | None = None  # type: ignore[valid-type]


class CountLinesIn(Schema):
    lines: list[LineChangeIn] = Field(..., min_length=1, max_length=MAX_CHANGES)
    version: Version | None = None


@router.post("/counts/sheets/{sheet_id}/lines", response=responses(SheetOut), summary="Ghi kết quả kiểm kê các dòng")
def update_lines(request, sheet_id: Id, payload: CountLinesIn):
    changes = [
        services.LineChange(
            c.line,
            found=c.found,
            serial_read=c.serial_read,
            grade_found=c.grade_found,
            kit_missing=c.kit_missing,
            quantity_counted=c.quantity_counted,
            note=c.note,
            row=f"lines[{n}]",
        )
        for n, c in enumerate(payload.lines)
    ]
    return sheet_out(
        services.update_lines(_sheet(request, sheet_id), changes, actor=request.user, version=payload.version)
    )


class CountVersionIn(Schema):
    version: Version | None = None


@router.post(
    "/counts/sheets/{sheet_id}/all-found", response=responses(SheetOut), summary="Đánh dấu có mọi dòng chưa kiểm kê"
)
def all_found(request, sheet_id: Id, payload: CountVersionIn):
    sheet = _sheet(request, sheet_id)
    services.mark_all_found(sheet, actor=request.user, version=payload.version)
    return sheet_out(Sheet.objects.get(pk=sheet.pk))


class SurplusIn(Schema):
    type: Text(40)  # type: ignore[valid-type]
    serial: Text(80)  # type: ignore[valid-type]
    grade: Grade
    kit_missing: Text(300) = ""  # type: ignore[valid-type]
    note: Text(300) = ""  # type: ignore[valid-type]
    version: Version | None = None


@router.post("/counts/sheets/{sheet_id}/surplus", response=responses(SheetOut), summary="Thêm trang bị thừa")
def add_surplus(request, sheet_id: Id, payload: SurplusIn):
    sheet = _sheet(request, sheet_id)
    kind = EquipmentType.objects.filter(code=payload.type).first()
    if kind is None:
        raise DomainError(_("Không có loại trang bị mã này."), field="type")
    services.add_surplus(
        sheet,
        actor=request.user,
        equipment_type=kind,
        serial=payload.serial,
        grade=payload.grade,
        kit_missing=payload.kit_missing,
        note=payload.note,
        version=payload.version,
    )
    return sheet_out(Sheet.objects.get(pk=sheet.pk))


@router.post("/counts/sheets/{sheet_id}/submit", response=responses(SheetOut), summary="Nộp phiếu kiểm kê")
def submit(request, sheet_id: Id, payload: CountVersionIn):
    return sheet_out(services.submit(_sheet(request, sheet_id), actor=request.user, version=payload.version))


@router.post(
    "/counts/sheets/{sheet_id}/unit-approval", response=responses(SheetOut), summary="Chỉ huy đơn vị duyệt phiếu"
)
def approve_unit(request, sheet_id: Id, payload: CountVersionIn):
    return sheet_out(services.approve_unit(_sheet(request, sheet_id), actor=request.user, version=payload.version))


class CountSendBackIn(Schema):
    reason: Text(300)  # type: ignore[valid-type]
    version: Version | None = None


@router.post(
    "/counts/sheets/{sheet_id}/unit-return", response=responses(SheetOut), summary="Chỉ huy đơn vị trả lại phiếu"
)
def unit_send_back(request, sheet_id: Id, payload: CountSendBackIn):
    sheet = _sheet(request, sheet_id)
    if sheet.state != SheetState.SUBMITTED:
        raise DomainError(_("Chỉ huy đơn vị chỉ trả lại được phiếu đã nộp."), field="state")
    return sheet_out(services.send_back(sheet, actor=request.user, reason=payload.reason, version=payload.version))


@router.post(
    "/counts/sheets/{sheet_id}/approval",
    response=responses(SheetOut),
    summary="Cấp tổ chức kiểm kê phê duyệt: mọi sự kiện trong một lần ghi",
)
def approve(request, sheet_id: Id, payload: CountVersionIn):
    return sheet_out(services.approve(_sheet(request, sheet_id), actor=request.user, version=payload.version))


@router.post(
    "/counts/sheets/{sheet_id}/return", response=responses(SheetOut), summary="Cấp tổ chức kiểm kê trả lại phiếu"
)
def send_back(request, sheet_id: Id, payload: CountSendBackIn):
    sheet = _sheet(request, sheet_id)
    if sheet.state != SheetState.UNIT_APPROVED:
        raise DomainError(_("Cấp tổ chức kiểm kê chỉ trả lại được phiếu chỉ huy đơn vị đã duyệt."), field="state")
    return sheet_out(services.send_back(sheet, actor=request.user, reason=payload.reason, version=payload.version))
