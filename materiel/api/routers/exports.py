"""Exports over HTTP: the same XLSX files as the pages' "Xuất Excel", with the same filters and scope."""

from datetime import date

from ninja import Query, Router, Schema

from materiel.accounts.page_scope import PageScope
from materiel.reports import register
from materiel.reports import views as report_pages

from ..common import Day, Grade, Id, Year, unit_for
from ..errors import responses

router = Router(tags=["Xuất Excel"])

XLSX = {
    200: {
        "description": "Tệp XLSX",
        "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            }
        },
    }
}


class RegisterFilters(Schema):
    unit: str | None = None
    on: Day | None = None
    category: str | None = None
    type: str | None = None
    grade: Grade | None = None
    status: str | None = None
    q: str | None = None
    holder: str | None = None
    purpose: str | None = None
    year: Year | None = None
    place: Id | None = None  # a storage place: the items kept there now
    sort: str | None = None


class ExportEventFilters(Schema):
    unit: str | None = None
    kind: str | None = None
    since: Day | None = None
    until: Day | None = None
    q: str | None = None


def _scope(request, code: str | None, day: date | None = None) -> PageScope:
    unit = unit_for(request, code)
    return PageScope(root=unit, unit=unit, day=day if day and day < date.today() else None)


def _params(filters: Schema, **extra) -> dict:
    """The filters as the pages read them from their query string (dates as dd/mm/yyyy)."""
    params = {}
    for key, value in filters.dict().items():
        if value is None or key in ("unit", "on"):
            continue
        params[key] = value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
    return params | extra


@router.get(
    "/exports/items",
    response=responses(None),
    openapi_extra={"responses": XLSX},
    summary="Sổ đăng ký trang bị (XLSX), như trang Trang bị",
)
def export_items(request, filters: Query[RegisterFilters]):
    return register.register_export(request.user, _scope(request, filters.unit, filters.on), _params(filters))


@router.get(
    "/exports/lots",
    response=responses(None),
    openapi_extra={"responses": XLSX},
    summary="Vật tư, đạn dược theo lô (XLSX)",
)
def export_lots(request, filters: Query[RegisterFilters]):
    return register.lots_export(request.user, _scope(request, filters.unit, filters.on), _params(filters))


@router.get(
    "/exports/events",
    response=responses(None),
    openapi_extra={"responses": XLSX},
    summary="Sổ sự kiện (XLSX), như trang Sổ sự kiện",
)
def export_events(request, filters: Query[ExportEventFilters]):
    scope = _scope(request, filters.unit)
    return report_pages.events_export(request.user, scope, _params(filters))
