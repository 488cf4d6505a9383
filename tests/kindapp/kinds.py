"""The kind this test app declares: a calibration of an item (hiệu chuẩn), with typed details."""

from dataclasses import replace
from decimal import Decimal

import pydantic

from materiel.core.errors import DomainError
from materiel.equipment.models import Status
from materiel.ledger import kinds, rules
from materiel.ledger.kinds import Details, Kind

CALIBRATION = "calibration"


class CalibrationDetails(Details):
    instrument: str = pydantic.Field(min_length=1, max_length=80, title="thiết bị chuẩn")
    deviation: Decimal = pydantic.Field(title="độ lệch")


def calibrate(state, ctx, item, *, occurred_on, details, **_facts):
    """A calibration changes nothing of the item's state; it may only be made of an item in service."""
    rules.check_date(state, occurred_on, ctx.today)
    if state.status != Status.IN_SERVICE:
        raise DomainError("Chỉ hiệu chuẩn trang bị đang sử dụng.", field="item")
    if abs(details.deviation) > 5:
        raise DomainError("Độ lệch quá 5: đưa đi sửa chữa, không hiệu chuẩn.", field="deviation")
    return replace(state, last_event_on=occurred_on)


CALIBRATION_KIND = Kind(
    CALIBRATION,
    "Hiệu chuẩn",
    target=kinds.ITEM,
    action="ledger.record",
    rule=calibrate,
    details=CalibrationDetails,
    app="kindapp",
)
