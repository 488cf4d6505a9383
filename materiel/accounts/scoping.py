"""The one scoping door: which units a user may see, and which actions a role may take.

Every read of domain data goes through `visible_to(user)` on a queryset (units, items, lots, events),
and each of those calls `scope_root` here. Write permission is checked again inside each service
with `require`.
"""

from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from materiel.core.errors import DomainError

from .models import Role, User

if TYPE_CHECKING:
    from materiel.units.models import Unit, UnitQuerySet

# Who reads: a signed-in user, the anonymous one of a request, or nobody (a background task).
Reader = User | AnonymousUser | None
Rows = TypeVar("Rows", bound=QuerySet[Model])  # restrict() keeps the queryset's own class

# Which roles may take which actions. docs/security.md shows this table and a test keeps the two equal.
# Reading one's own subtree needs no entry: every role may read it.
RECORDERS = {Role.TECHNICAL_OFFICER, Role.ADMIN}
ACTIONS = {
    "ledger.record": RECORDERS | {Role.DEPOT_KEEPER},
    "ledger.transfer": RECORDERS,
    "ledger.grade": RECORDERS | {Role.INSPECTOR},
    "ledger.reverse": RECORDERS,
    "units.reorganise": RECORDERS,
    "users.manage": {Role.ADMIN},
    "audit.view": {Role.ADMIN},
    "catalog.manage": RECORDERS,
    "holdings.manage": RECORDERS,
    "storage.manage": RECORDERS | {Role.DEPOT_KEEPER},
    "maintenance.plan": RECORDERS,  # technical-day schedules and sessions (maintenance.schedule)
    "workorders.manage": RECORDERS,
    "disposal.propose": RECORDERS,  # a unit's proposals to remove items (disposal)
    "disposal.decide": RECORDERS,  # the echelon above: sends back or decides (writes the disposals)
    "inspections.manage": RECORDERS | {Role.INSPECTOR},  # checklists, duty matrix, runs (inspections)
    "people.manage": RECORDERS,  # technical staff, their certifications, training, contests, initiatives (people)
    "people.gate": {Role.ADMIN},  # the qualification gate of each equipment category (people.issuing)
    "resolutions.manage": RECORDERS | {Role.REVIEWER},  # resolutions, targets, tasks (resolutions)
    "counts.launch": RECORDERS,  # an echelon's count campaigns: launch, final approval, send back (counts)
    "counts.count": RECORDERS | {Role.DEPOT_KEEPER},  # fill and submit a unit's count sheet
    "counts.approve": {Role.COMMANDER, Role.ADMIN},  # the unit commander approves or sends back its sheet
}


def allowed(user: User, action: str) -> bool:
    """Whether the user's role allows `action` at all (the unit is checked by `require`)."""
    return user.is_superuser or user.role in ACTIONS.get(action, set())


class PermissionDenied(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="forbidden")


def scope_root(user: Reader) -> "Unit | None":
    """The unit whose subtree the user sees, or None (superusers see everything, others nothing)."""
    if user is None or not user.is_authenticated:
        return None
    return user.unit


def home_unit(user: User) -> "Unit":
    """The unit a user's pages and API calls speak of by default: their own, or for a top-level
    administrator the first root of the tree. 404 for a user bound to nothing."""
    from django.http import Http404

    from materiel.units.models import Unit

    if user.unit is not None:
        return user.unit
    root: Unit | None = restrict(Unit.objects.filter(parent__isnull=True), user, "path").order_by("path").first()
    if root is None:
        raise Http404(_("Tài khoản chưa được gắn với đơn vị nào."))
    return root


def scope_roots(user: Reader, *, grants: bool = True) -> "list[Unit]":
    """The units whose subtrees the user reads: their own and, with `grants`, those of their read
    grants (ScopeGrant), a root inside another dropped. Read once per user object (a request's)."""
    own = scope_root(user)
    roots = [own] if own is not None else []
    if grants and user is not None and user.is_authenticated:
        granted: list[Unit] | None = getattr(user, "_granted_roots", None)
        if granted is None:
            from materiel.units import models as units

            from .models import ScopeGrant

            granted = list(units.Unit.objects.filter(pk__in=ScopeGrant.objects.filter(user=user).values("unit")))
            user._granted_roots = granted  # type: ignore[attr-defined]  # kept on the user object: read once per request
        roots += granted
    kept: list[Unit] = []
    for root in sorted(roots, key=lambda unit: unit.path):
        if not any(root.path.startswith(outer.path) for outer in kept):
            kept.append(root)
    return kept


def forget_grants(user: User) -> None:
    """After a grant changes: the user object reads its roots again."""
    user.__dict__.pop("_granted_roots", None)


def restrict(queryset: Rows, user: Reader, path: str, *, grants: bool = True) -> Rows:
    """THE scoping function: limit `queryset` to the user's subtrees.

    `path` is the lookup of the unit path on the queryset's model ("path" for units, "unit__path"
    for items, lots and events). The user's own subtree, and with `grants` (reads) the subtrees of
    their read grants: one OR of indexed path ranges. Users without a unit or a grant see nothing
    unless they are superusers.
    """
    from materiel.units.models import PATH_END

    if scope_root(user) is None and user is not None and user.is_superuser:
        return queryset
    roots = scope_roots(user, grants=grants)
    if not roots:
        return queryset.none()
    ranges = Q()
    for root in roots:
        ranges |= Q(**{f"{path}__gte": root.path, f"{path}__lt": root.path + PATH_END})
    return queryset.filter(ranges)


def can_see_unit(user: User, unit: "Unit") -> bool:
    """Whether `unit` lies in the user's own subtree: where they may act (read grants do not count)."""
    if user.is_superuser:
        return True
    root = scope_root(user)
    return root is not None and unit.path.startswith(root.path)


def own_units(user: User) -> "UnitQuerySet":
    """The open units of the user's own subtree: where they may record (read grants excluded)."""
    from materiel.units.models import Unit

    return restrict(Unit.objects.all(), user, "path", grants=False).filter(dissolved_on__isnull=True)


def receiving_units(user: User, giving_unit: "Unit | None") -> "UnitQuerySet":
    """The open units a transfer from `giving_unit` may go to: the user's scope, and the units the
    giving unit may hand over to beyond it (units.handover). What the transfer forms offer."""
    from materiel.units.handover import receivers
    from materiel.units.models import Unit

    visible = own_units(user)
    if giving_unit is None or not allowed(user, "ledger.transfer"):
        return visible
    return Unit.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=receivers(giving_unit).values("pk")))


def require_receiver(user: User, giving_unit: "Unit", to_unit: "Unit") -> None:
    """Refuse a transfer's receiving unit unless it lies inside the user's scope or is one the
    giving unit may hand over to (units.handover: the depots and repair stations above it, the
    units a policy names), saying why."""
    from materiel.units.handover import may_receive  # units import scoping: imported when used

    if user.is_superuser or (allowed(user, "ledger.transfer") and can_see_unit(user, to_unit)):
        return
    if not allowed(user, "ledger.transfer"):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))
    if not may_receive(giving_unit, to_unit):
        raise refused_receiver(giving_unit, to_unit.code)


def refused_receiver(giving_unit: "Unit", code: str) -> "PermissionDenied":
    error = PermissionDenied(refused_receiver_message(giving_unit, code))
    error.field = "to_unit"
    return error


def refused_receiver_message(giving_unit: "Unit", code: str) -> str:
    return _(
        "%(giver)s không được bàn giao cho đơn vị “%(unit)s”: đơn vị nhận phải thuộc phạm vi quản lý của bạn, "
        "là kho hay trạm sửa chữa của cấp trên, hoặc được quy định bàn giao cho phép."
    ) % {"giver": giving_unit, "unit": code}


def require(user: User, action: str, *, unit: "Unit") -> None:
    """Refuse unless the user's role allows `action` and `unit` lies inside the user's scope."""
    if not user.is_superuser:
        if not allowed(user, action):
            raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))
        if not can_see_unit(user, unit):
            raise PermissionDenied(_("Đơn vị %(unit)s nằm ngoài phạm vi quản lý của bạn.") % {"unit": unit})
