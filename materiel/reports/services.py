"""Saving a report definition (reports.SavedReport): in the saver's scope, one name per unit."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from materiel.accounts.scoping import PermissionDenied, can_see_unit
from materiel.core.errors import DomainError

from .models import Rule, SavedReport
from .quantity import KINDS


def save_report(*, actor, unit, name: str, period: str, rule: str, profile=None, options=None) -> SavedReport:
    if not can_see_unit(actor, unit):
        raise PermissionDenied(_("Đơn vị %(unit)s nằm ngoài phạm vi quản lý của bạn.") % {"unit": unit})
    name = " ".join((name or "").split())[:120]
    if not name:
        raise DomainError(_("Đặt tên cho báo cáo cần lưu."), field="name")
    if period not in KINDS:
        raise DomainError(_("Kỳ báo cáo không hợp lệ: chọn tháng, quý, 6 tháng hoặc năm."), field="period")
    if rule not in Rule.values:
        raise DomainError(_("Chọn kỳ đang diễn ra hoặc kỳ gần nhất đã kết thúc."), field="rule")
    try:
        with transaction.atomic():
            return SavedReport.objects.create(
                name=name, unit=unit, period=period, rule=rule, profile=profile, options=options or {}, created_by=actor
            )
    except IntegrityError:
        raise DomainError(
            _("Đơn vị %(unit)s đã có báo cáo lưu tên “%(name)s”.") % {"unit": unit.name, "name": name}, field="name"
        ) from None
