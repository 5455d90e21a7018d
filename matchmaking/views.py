"""Views of matchmaking: the introduction board, making and moving introductions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from partners.permissions import (
    active_chains,
    coordinator_required,
    get_partner_for_user,
    is_coordinator,
    viewer_required,
)
from partners.selectors import directory_choices
from vcc.ids import parse_id

from . import emails, selectors, services
from .forms import FeedbackForm, IntroductionForm, MoveForm
from .models import PIPELINE, Introduction
from .permissions import get_introduction_for_user


@viewer_required
def board(request: HttpRequest) -> HttpResponse:
    """Introductions by status, filterable by chain and stage; moved with a click (observers
    read the board of the chains they observe, without the buttons)."""
    chain, stage = parse_id(request.GET.get("chain")), parse_id(request.GET.get("stage"))
    context = {
        "columns": selectors.introduction_board(request.user, chain, stage),
        "chain_id": chain,
        "stage_id": stage,
        **directory_choices(request.user),
        "query": request.GET.urlencode(),
        "can_move": is_coordinator(request.user),
    }
    template = "matchmaking/board.html#board" if request.htmx else "matchmaking/board.html"
    return render(request, template, context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def introduce(request: HttpRequest, pk: int) -> HttpResponse:
    """Introduce partner `pk` to another partner, found by search."""
    access = get_partner_for_user(request, pk, coordinate=True)
    q = request.GET.get("q", "")
    candidates = selectors.introduction_candidates(request.user, access.partner, q)
    chains = active_chains(request.user)
    form = IntroductionForm(
        request.POST or None, partner_a=access.partner, chains=chains, candidates=candidates
    )
    if request.method == "POST" and form.is_valid():
        try:
            introduction = services.introduce(
                partner_a=access.partner, **form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.add_error("partner_b", error)
        else:
            messages.success(request, f"Introduction made: {introduction}.")
            return redirect(introduction)
    if request.method == "POST" and form.data.get("partner_b"):
        # Keep the chosen partner in the menu when the form comes back with errors.
        chosen = form.fields["partner_b"].queryset.filter(pk=parse_id(form.data["partner_b"]))
        candidates = list(chosen) + [c for c in candidates if c not in chosen]
        form.fields["partner_b"].widget.choices = [("", "Choose from the search results")] + [
            (p.pk, p.name) for p in candidates
        ]
    context = {"form": form, "partner": access.partner, "q": q, "candidates": candidates}
    template = "matchmaking/introduce.html#form" if request.htmx else "matchmaking/introduce.html"
    return render(request, template, context)


@login_required
def introduction(request: HttpRequest, pk: int) -> HttpResponse:
    intro = get_introduction_for_user(request, pk)
    form_class = MoveForm if intro.user_coordinates else FeedbackForm
    may_act = intro.user_coordinates or intro.user_is_party
    context = {
        "introduction": intro,
        "events": intro.events.select_related("by"),
        # An observer reads the introduction and its history; there is nothing to fill in.
        "form": form_class(
            introduction=intro, initial={"status": intro.next_status or intro.status}
        )
        if may_act
        else None,
        "pipeline": PIPELINE,
    }
    return render(request, "matchmaking/introduction.html", context)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Coordinators move an introduction; partners say how it is going (feedback)."""
    intro = get_introduction_for_user(request, pk, act=True)
    form_class = MoveForm if intro.user_coordinates else FeedbackForm
    form = form_class(request.POST, introduction=intro)
    if form.is_valid():
        try:
            services.move_introduction(intro, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("status", error)
    if form.is_valid():
        if request.htmx and request.POST.get("from") == "board":
            return board(request)
        messages.success(request, f"Now {intro.get_status_display().lower()}.")
        if request.htmx:
            return HttpResponseClientRedirect(intro.get_absolute_url())
        return redirect(intro)
    if request.htmx and request.POST.get("from") == "board":
        # The board's one-click move lacks the sales figure: open the full form instead.
        return HttpResponseClientRedirect(intro.get_absolute_url())
    context = {
        "introduction": intro,
        "events": intro.events.select_related("by"),
        "form": form,
        "pipeline": PIPELINE,
    }
    return render(request, "matchmaking/introduction.html", context, status=200)


def introduction_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A one-click answer to "how did the introduction go?" (confirmed by a POST)."""
    parsed = emails.read_answer_token(token, emails.answer_max_age())
    introduction = (
        Introduction.objects.select_related("partner_a", "partner_b").filter(pk=parsed[0]).first()
        if parsed
        else None
    )
    if introduction is None or parsed[1] not in (
        introduction.partner_a_id,
        introduction.partner_b_id,
    ):
        return render(request, "link_refused.html", status=400)
    answer = parsed[2]
    label = emails.INTRODUCTION_ANSWERS[answer]
    if request.method == "POST":
        services.answer_introduction_by_email(
            introduction, partner_id=parsed[1], answer=answer, label=label
        )
        return render(request, "matchmaking/answer_done.html", {"label": label})
    return render(
        request,
        "matchmaking/answer_confirm.html",
        {"introduction": introduction, "label": label},
    )
