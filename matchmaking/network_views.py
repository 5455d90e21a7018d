"""Views of the relationship network: the map and its data, a chain's gaps, recording a
relationship; and the partner page's "Relationships" tab (registered in apps.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from partners.permissions import (
    PartnerAccess,
    coordinated_chains,
    coordinator_required,
    get_chain_for_user,
    get_partner_for_user,
    seen_chains,
    viewer_required,
)

from . import network, selectors, services
from .forms import RelationshipForm


def partner_tab(request: HttpRequest, access: PartnerAccess) -> dict:
    """The partner page's "Relationships" tab: its relationships and its introductions."""
    return {
        "relationships": network.partner_relationships(access.partner),
        "introductions": selectors.partner_introductions(access.partner),
    }


@viewer_required
def chain_gaps(request: HttpRequest, pk: int) -> HttpResponse:
    """What the coordinator should act on in this chain, each line linking to the action
    (its observers read it too, without the actions)."""
    value_chain = get_chain_for_user(request, pk, read=True)
    context = {"chain": value_chain, **network.chain_gaps(value_chain)}
    return render(request, "matchmaking/gaps.html", context)


@viewer_required
def network_map(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The interactive network map of one chain, or of all the user's chains."""
    value_chain = get_chain_for_user(request, pk, read=True) if pk is not None else None
    data_url = (
        reverse("matchmaking:chain_network_data", args=[pk])
        if pk is not None
        else reverse("matchmaking:network_data")
    )
    context = {
        "chain": value_chain,
        "chains": seen_chains(request.user),
        "data_url": data_url,
        "roles": network.ROLE_COLOURS,
    }
    return render(request, "matchmaking/network.html", context)


@viewer_required
def network_data(request: HttpRequest, pk: int | None = None) -> JsonResponse:
    """Nodes and edges for the network map, as JSON."""
    value_chain = get_chain_for_user(request, pk, read=True) if pk is not None else None
    return JsonResponse(
        network.network_data(seen_chains(request.user), value_chain),
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def relationship_create(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_partner_for_user(request, pk, coordinate=True)
    chains = coordinated_chains(request.user)
    form = RelationshipForm(request.POST or None, partner=access.partner, chains=chains)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.record_relationship(
            source=form.instance.source,
            target=form.instance.target,
            kind=data["kind"],
            began_on=data["began_on"],
            notes=data["notes"],
            by=request.user,
        )
        messages.success(request, "Relationship recorded.")
        return redirect(reverse("partners:detail", args=[pk]) + "?tab=introductions")
    context = {
        "form": form,
        "access": access,
        "partner": access.partner,
        "title": f"Record a relationship of {access.partner.name}",
        "intro": "For buyer–supplier, funder–grantee, technical assistance and membership, "
        "say which side this partner is on.",
    }
    return render(request, "partners/simple_form.html", context)
