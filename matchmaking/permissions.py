"""Who may see and move an introduction, and read or act on suggestions (see
partners.permissions for the roles)."""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef
from django.http import Http404

from partners.models import Need, Offer, Participation, ValueChain
from partners.permissions import (
    coordinated_chain_ids,
    coordinates_chain,
    get_partner_for_user,
    is_coordinator,
    observes_chain,
    seen_chain_ids,
    sees_network,
    works_at,
)

from .models import Introduction, Suggestion


def get_introduction_for_user(request, pk, *, coordinate=False, act=False) -> Introduction:
    """The introduction `pk`, for the coordinators of its chain and the people of either side,
    and (to read) the chain's observers.

    404 to everyone else; 403 when a partner asks for a coordinator's action (`coordinate`),
    or an observer for any change (`act`).
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    coordinates = coordinates_chain(user, OuterRef("value_chain_id"))
    member = works_at(user, OuterRef("partner_a"), OuterRef("partner_b"))
    introduction = (
        Introduction.objects.filter(pk=pk)
        .select_related("partner_a", "partner_b", "person_a", "person_b", "value_chain")
        .select_related("offer__product", "need__product")
        .annotate(
            user_coordinates=coordinates,
            user_is_party=member,
            user_observes=observes_chain(user, OuterRef("value_chain_id")),
        )
        .first()
    )
    if introduction is None or not (
        introduction.user_coordinates or introduction.user_is_party or introduction.user_observes
    ):
        raise Http404("No such introduction.")
    if coordinate and not introduction.user_coordinates:
        raise PermissionDenied("Only the chain's coordinators may do this.")
    if act and not (introduction.user_coordinates or introduction.user_is_party):
        raise PermissionDenied("Observers read introductions; they change nothing.")
    return introduction


# --- suggestions -------------------------------------------------------------------------------


def suggestion_chain_ids(user, partner_id: int) -> list[int]:
    """The chains whose suggestions about partner `partner_id` the user may read: the chains
    they coordinate or observe, or (for the partner's own people) its chains that show partners
    their suggestions. Call after the partner itself passed an access helper."""
    if user.is_superuser:
        return list(ValueChain.objects.values_list("pk", flat=True))
    if is_coordinator(user):
        return coordinated_chain_ids(user)
    if sees_network(user):
        return seen_chain_ids(user)
    return list(
        Participation.objects.filter(
            works_at(user, OuterRef("partner_id")),
            partner_id=partner_id,
            value_chain__match_settings__show_to_partners=True,
        ).values_list("value_chain_id", flat=True)
    )


def get_need_for_user(request, pk) -> tuple[Need, list[int]]:
    """The need `pk` and the chains whose suggestions for it the user may read.

    404 when the user may not see the buyer; 403 for the buyer's people when none of its
    chains shows partners their suggestions."""
    need = (
        Need.objects.filter(pk=pk)
        .select_related("product", "partner")
        .prefetch_related("required_certifications")
        .first()
    )
    if need is None:
        raise Http404("No such need.")
    get_partner_for_user(request, need.partner_id)
    chain_ids = suggestion_chain_ids(request.user, need.partner_id)
    if not chain_ids:
        raise PermissionDenied("This chain's coordinator has not shared suggestions with partners.")
    return need, chain_ids


def get_pair_for_user(request, need_id, offer_id, chain_id=None, *, coordinate=False) -> Suggestion:
    """The suggestion of offer `offer_id` for need `need_id` (in chain `chain_id`, or the first
    chain both partners share that the user may act in), addressed by the pair so that a page
    loaded before a recompute still works. When the pair is no longer suggested but both
    listings exist, an unsaved Suggestion stands for it (its `pk` and `score` are None).

    404 to anyone who may not see the pair; 403 when a partner asks for a coordinator's action.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    need = Need.objects.filter(pk=need_id).select_related("partner", "product").first()
    offer = Offer.objects.filter(pk=offer_id).select_related("partner", "product").first()
    if need is None or offer is None:
        raise Http404("No such need or offer.")
    chains = (
        ValueChain.objects.filter(participations__partner=need.partner_id)
        .filter(participations__partner=offer.partner_id)
        .annotate(
            user_coordinates=coordinates_chain(user, OuterRef("pk")),
            user_is_party=works_at(user, need.partner_id, offer.partner_id),
        )
        .select_related("match_settings")
        .order_by("pk")
    )
    if chain_id is not None:
        chains = chains.filter(pk=chain_id)
    chains = list(chains)
    acting = [c for c in chains if c.user_coordinates]
    shown = [
        c
        for c in chains
        if c.user_is_party
        and getattr(c, "match_settings", None)
        and c.match_settings.show_to_partners
    ]
    if not (acting or shown):
        raise Http404("No such suggestion.")
    if coordinate and not acting:
        raise PermissionDenied("Only the chain's coordinators may act on suggestions.")
    chain = (acting or shown)[0]
    suggestion = (
        Suggestion.objects.filter(need_id=need.pk, offer_id=offer.pk, value_chain_id=chain.pk)
        .order_by()
        .first()
    )
    if suggestion is None:
        suggestion = Suggestion(value_chain=chain, buyer=need.partner, supplier=offer.partner)
        suggestion.score = None
    suggestion.value_chain = chain
    suggestion.need, suggestion.offer = need, offer
    suggestion.buyer, suggestion.supplier = need.partner, offer.partner
    return suggestion
