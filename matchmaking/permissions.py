"""Who may see and move an introduction (see partners.permissions for the roles)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, Value
from django.http import Http404

from partners.models import Affiliation
from partners.permissions import is_coordinator

from .models import Introduction


def get_introduction_for_user(request, pk, *, coordinate=False) -> Introduction:
    """The introduction `pk`, for the coordinators of its chain and the people of either side.

    404 to everyone else; 403 when a partner asks for a coordinator's action.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    if user.is_superuser:
        coordinates = Value(True)
    elif is_coordinator(user):
        coordinates = Exists(
            Introduction.objects.filter(pk=OuterRef("pk"), value_chain__coordinators=user)
        )
    else:
        coordinates = Value(False)
    member = Exists(
        Affiliation.objects.filter(
            Q(partner=OuterRef("partner_a")) | Q(partner=OuterRef("partner_b")),
            person__user=user,
        )
    )
    introduction = (
        Introduction.objects.filter(pk=pk)
        .select_related("partner_a", "partner_b", "person_a", "person_b", "value_chain")
        .select_related("offer__product", "need__product")
        .annotate(user_coordinates=coordinates, user_is_party=member)
        .first()
    )
    if introduction is None or not (introduction.user_coordinates or introduction.user_is_party):
        raise Http404("No such introduction.")
    if coordinate and not introduction.user_coordinates:
        raise PermissionDenied("Only the chain's coordinators may do this.")
    return introduction
