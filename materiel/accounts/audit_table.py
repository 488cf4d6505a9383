"""The audit log as a table, for its XLSX export (the audit page's list, in the same order)."""

import json
from collections.abc import Iterator

from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from materiel.core.xlsx import Column

from .models import AuditQuerySet

AUDIT_COLUMNS = [
    Column(_("Thời điểm"), 18, "datetime"),
    Column(_("Loại"), 24),
    Column(_("Tên đăng nhập"), 16),
    Column(_("Người thực hiện"), 16),
    Column(_("Tài khoản"), 16),
    Column(_("Địa chỉ"), 16),
    Column(_("Nội dung thay đổi"), 50),
]


def audit_table(entries: AuditQuerySet) -> Iterator[tuple[object, ...]]:
    for entry in entries.select_related("actor", "target").iterator(chunk_size=2000):
        yield (
            localtime(entry.at).replace(tzinfo=None),
            entry.get_kind_display(),
            entry.username,
            entry.actor.username if entry.actor_id else "",
            entry.target.username if entry.target_id else "",
            entry.address or "",
            json.dumps(entry.changes, ensure_ascii=False) if entry.changes else "",
        )
