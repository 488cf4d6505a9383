"""What a disposal decision protects: the events it wrote are the decision of an echelon above the
unit, carried out; the unit does not undo them from the item page by a reversal."""

from django.utils.translation import gettext as _

from .models import Proposal


def decided_elsewhere(event) -> str | None:
    """Why `event` may not be reversed: it carries out a disposal decision (None otherwise)."""
    proposal = Proposal.objects.filter(event_lines__event_id=event.pk).first()
    if proposal is None:
        return None
    return _(
        "Sự kiện này thực hiện quyết định thanh lý %(decision)s (đề nghị %(number)s) của cấp trên: "
        "không hủy được từ sổ trang bị."
    ) % {"decision": proposal.decision_number, "number": proposal.number}
