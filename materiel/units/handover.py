"""Where a unit may hand equipment over to, beyond the sender's own scope.

A transfer inside the scope of the person recording it is always possible (scoping.require). Beyond
it, a giving unit may hand over to:
- the depots and repair stations of the echelons above it (direct children of one of its
  ancestors): equipment goes up to the region's depot or workshop for storage and repair;
- the units a policy names for it or for a unit above it (`HandoverRoute`).
Anything else is refused with the reason (scoping.require_receiver)."""

from django.db.models import Q

from .models import HandoverRoute, Unit

SERVICE_KINDS = ("repair-station",)  # besides the kinds marked is_depot


def receivers(giving_unit: Unit):
    """The units outside the tree below `giving_unit` that it may hand over to (open ones)."""
    above = giving_unit.ancestor_paths()[:-1]
    higher_depots = Q(parent__path__in=above) & (Q(kind__is_depot=True) | Q(kind__code__in=SERVICE_KINDS))
    routed = Q(pk__in=HandoverRoute.objects.filter(from_unit__path__in=giving_unit.ancestor_paths()).values("to_unit"))
    return Unit.objects.filter(higher_depots | routed).filter(dissolved_on__isnull=True)


def may_receive(giving_unit: Unit, to_unit: Unit) -> bool:
    return receivers(giving_unit).filter(pk=to_unit.pk).exists()
