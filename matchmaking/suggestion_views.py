"""Views of suggestions: one need's ranked offers, a producer's buyers worth approaching, the
coordinator's overview with the on-demand recompute, the chain's weights; accept, dismiss,
snooze."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from partners.permissions import (
    coordinator_required,
    get_chain_for_user,
    get_partner_for_user,
    is_coordinator,
    viewer_required,
)
from partners.selectors import partner_people
from vcc.ids import parse_id

from . import selectors, services
from .forms import AcceptForm, DismissForm, MatchSettingsForm, SnoozeForm
from .models import MatchSettings, RecomputeRun
from .permissions import get_need_for_user, get_pair_for_user, suggestion_chain_ids


def _need_page(request, need, chain_ids, *, forms=None, status=200) -> HttpResponse:
    context = {
        "need": need,
        "rows": selectors.need_suggestions(need, chain_ids),
        "can_act": is_coordinator(request.user),
        "forms": forms or {},
    }
    template = "matchmaking/need_suggestions.html"
    if request.htmx and request.method == "POST":
        template += "#suggestions"
    return render(request, template, context, status=status)


@login_required
def need_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """The offers suggested for one need, best first, each with why."""
    need, chain_ids = get_need_for_user(request, pk)
    return _need_page(request, need, chain_ids)


@login_required
def partner_buyers(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyers worth approaching for a producer (needs its offers rank well for)."""
    access = get_partner_for_user(request, pk)
    chain_ids = suggestion_chain_ids(request.user, access.partner.pk)
    if not chain_ids:
        raise PermissionDenied("This chain's coordinator has not shared suggestions with partners.")
    context = {
        "partner": access.partner,
        "access": access,
        "rows": selectors.partner_buyers(access.partner, chain_ids),
    }
    return render(request, "matchmaking/partner_buyers.html", context)


@viewer_required
def overview(request: HttpRequest) -> HttpResponse:
    """Suggestions per chain for the coordinator, with the full recompute and its progress
    (observers read the suggestions of the chains they observe)."""
    context = selectors.suggestion_overview(request.user, parse_id(request.GET.get("chain")))
    context["can_act"] = is_coordinator(request.user)
    return render(request, "matchmaking/suggestions.html", context)


@coordinator_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    run = services.start_recompute(by=request.user)
    if request.htmx:
        return render(request, "matchmaking/suggestions.html#progress", {"run": run})
    messages.success(request, "Recomputing your chains' suggestions; this page shows the progress.")
    return redirect("matchmaking:suggestions")


@coordinator_required
def recompute_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = RecomputeRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404("No such recompute.")
    return render(request, "matchmaking/suggestions.html#progress", {"run": run})


@coordinator_required
@require_http_methods(["GET", "POST"])
def chain_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The chain's weights and rules, with a preview of how a sample need's ranking moves."""
    chain = get_chain_for_user(request, pk)
    settings = MatchSettings.objects.filter(value_chain=chain).first() or MatchSettings(
        value_chain=chain
    )
    form = MatchSettingsForm(request.POST or None, instance=settings)
    need = selectors.sample_need(
        chain.pk, parse_id(request.GET.get("need") or request.POST.get("need"))
    )
    if request.method == "POST" and request.POST.get("preview"):
        preview = (
            selectors.preview_ranking(need, chain.pk, form.preview_settings())
            if need and form.is_valid()
            else None
        )
        current = selectors.preview_ranking(need, chain.pk, settings) if need else []
        context = {"chain": chain, "need": need, "preview": preview, "current": current}
        return render(request, "matchmaking/chain_settings.html#preview", context)
    if request.method == "POST" and form.is_valid():
        services.save_match_settings(settings, values=form.cleaned_data)
        messages.success(request, f"Saved. {chain}'s suggestions are being recomputed.")
        return redirect("matchmaking:chain_settings", chain.pk)
    current = selectors.preview_ranking(need, chain.pk, settings) if need else []
    context = {
        "chain": chain,
        "form": form,
        "need": need,
        "needs": selectors.chain_needs(chain.pk),
        "current": current,
        "preview": None,
    }
    return render(request, "matchmaking/chain_settings.html", context)


def _pair(request, need: int, offer: int, *, coordinate=True):
    return get_pair_for_user(
        request,
        need,
        offer,
        parse_id(request.POST.get("chain") or request.GET.get("chain")),
        coordinate=coordinate,
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, need: int, offer: int) -> HttpResponse:
    """Accept a suggestion, addressed by its (need, offer) pair so a page loaded before a
    recompute still works: choose each side's contact person, then the buyer and supplier are
    introduced and the "how did it go?" follow-up is scheduled."""
    suggestion = _pair(request, need, offer)
    people_a = partner_people(suggestion.buyer_id)
    people_b = partner_people(suggestion.supplier_id)
    form = AcceptForm(
        request.POST if "person_a" in request.POST or "confirm" in request.POST else None,
        buyer=suggestion.buyer,
        supplier=suggestion.supplier,
        people_a=people_a,
        people_b=people_b,
    )
    if request.method == "POST" and form.is_valid():
        try:
            introduction = services.accept_suggestion(
                suggestion,
                person_a=form.cleaned_data["person_a"],
                person_b=form.cleaned_data["person_b"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            url = reverse("matchmaking:need_suggestions", args=[suggestion.need_id])
        else:
            messages.success(request, f"Introduction made: {introduction}.")
            url = introduction.get_absolute_url()
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {"s": suggestion, "form": form, "stale": suggestion.pk is None}
    return render(request, "matchmaking/accept.html", context)


def _hold_back(request, need, offer, form_class, act) -> HttpResponse:
    suggestion = _pair(request, need, offer)
    form = form_class(request.POST)
    need, chain_ids = get_need_for_user(request, suggestion.need_id)
    if not form.is_valid():
        return _need_page(request, need, chain_ids, forms={suggestion.offer_id: form})
    message = act(suggestion, form.cleaned_data)
    messages.success(request, message)
    if request.htmx:
        return _need_page(request, need, chain_ids)
    return redirect("matchmaking:need_suggestions", need.pk)


@login_required
@require_POST
def dismiss(request: HttpRequest, need: int, offer: int) -> HttpResponse:
    """Dismiss a suggestion with a reason: the pair is held back for the chain's set time."""

    def act(suggestion, data):
        dismissal = services.dismiss_suggestion(suggestion, data["reason"], by=request.user)
        return f"Dismissed {suggestion.supplier} until {dismissal.until:%-d %b %Y}."

    return _hold_back(request, need, offer, DismissForm, act)


@login_required
@require_POST
def snooze(request: HttpRequest, need: int, offer: int) -> HttpResponse:
    """Snooze a suggestion until a date."""

    def act(suggestion, data):
        services.snooze_suggestion(suggestion, data["until"], by=request.user)
        return f"Snoozed {suggestion.supplier} until {data['until']:%-d %b %Y}."

    return _hold_back(request, need, offer, SnoozeForm, act)
