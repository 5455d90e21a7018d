"""Intake forms: the coordinator's list of forms and review queue, a form's set-up page, one
set of answers with its decision, and the public page a visitor fills in (no sign-in)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners.permissions import active_chains, coordinated_chains, coordinator_required
from vcc.paging import keyset_page
from vcc.ratelimits import limit

from . import selectors, services
from .forms import AcceptForm, AnswersForm, IntakeFormForm, RejectForm
from .models import IntakeForm, SubmissionStatus
from .permissions import get_form_for_user, get_submission_for_user


@coordinator_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The forms of the chains the user coordinates and the answers waiting for review."""
    chain = None
    if request.GET.get("chain", "").isdigit():
        chain = get_object_or_404(coordinated_chains(request.user), pk=request.GET["chain"])
    page = keyset_page(
        selectors.review_queue(request.user, chain),
        ["-submitted_at", "-id"],
        request.GET.get("cursor"),
        selectors.QUEUE_PAGE,
    )
    context = {
        "page": page,
        "chain": chain,
        "chains": list(coordinated_chains(request.user).order_by("name")),
        "forms": list(selectors.forms_for(request.user, chain)),
        "query": f"chain={chain.pk}" if chain else "",
    }
    return render(request, "intake/review_queue.html", context)


@coordinator_required
def new_form(request: HttpRequest) -> HttpResponse:
    chains = active_chains(request.user)
    form = IntakeFormForm(request.POST or None, chains=chains)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "value_chain"}
        created = services.create_form(
            chain=form.cleaned_data["value_chain"], values=values, by=request.user
        )
        messages.success(request, "Form created. Share its link below.")
        return redirect(created)
    return render(request, "intake/form_edit.html", {"form": form, "has_chains": chains.exists()})


@login_required
def form_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A form's set-up (edit it, open or close it), its link, and its answers."""
    intake_form = get_form_for_user(request, pk)
    form = IntakeFormForm(request.POST or None, instance=intake_form, chains=None)
    if request.method == "POST" and form.is_valid():
        services.update_form(intake_form, values=form.cleaned_data, by=request.user)
        messages.success(request, "Form saved.")
        return redirect(intake_form)
    context = {
        "form": form,
        "intake_form": intake_form,
        "public_url": settings.SITE_URL + intake_form.public_path(),
        "waiting": list(selectors.review_queue(request.user, form=intake_form)[:50]),
        "decided": list(selectors.decided(intake_form)[:50]),
    }
    return render(request, "intake/form_page.html", context)


def _submission_page(request, submission, *, accept=None, reject=None, status=200):
    context = {
        "submission": submission,
        "intake_form": submission.form,
        "waiting": submission.status == SubmissionStatus.REVIEW,
        "accept_form": accept or AcceptForm(submission=submission),
        "reject_form": reject or RejectForm(),
    }
    return render(request, "intake/submission.html", context, status=status)


@login_required
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    return _submission_page(request, get_submission_for_user(request, pk))


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request, pk)
    form = AcceptForm(request.POST, submission=submission)
    if not form.is_valid():
        return _submission_page(request, submission, accept=form, status=400)
    partner = submission.duplicate if form.cleaned_data["target"] != "new" else None
    try:
        partner = services.accept_submission(
            submission,
            partner=partner,
            chain_role=form.cleaned_data["chain_role"],
            by=request.user,
        )
    except services.AlreadyDecided:
        messages.info(request, "These answers were decided already.")
        return redirect(submission)
    messages.success(request, f"Accepted: {partner.name} is in the directory.")
    return redirect(partner)


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _submission_page(request, submission, reject=form, status=400)
    try:
        services.reject_submission(submission, note=form.cleaned_data["note"], by=request.user)
    except services.AlreadyDecided:
        messages.info(request, "These answers were decided already.")
        return redirect(submission)
    messages.success(request, "Rejected; the answers and your note are kept.")
    return redirect(submission.form)


@limit(group="intake", rate=settings.VCC_INTAKE_RATE_LIMIT, method="POST")
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    """The form a visitor fills in, found by its token alone; a closed one says so and takes
    nothing. A filled honeypot is thanked and dropped."""
    intake_form = get_object_or_404(IntakeForm.objects.select_related("value_chain"), token=token)
    if not intake_form.accepting:
        status = 410 if request.method == "POST" else 200
        return render(request, "intake/public.html", {"intake_form": intake_form}, status=status)
    form = AnswersForm(request.POST or None, intake_form=intake_form)
    if request.method == "POST":
        if form.is_valid():
            if not form.is_bot:
                services.submit_answers(form=intake_form, values=form.answers())
            return redirect("intake:thanks", token=token)
        status = 400
    else:
        status = 200
    context = {"intake_form": intake_form, "form": form}
    return render(request, "intake/public.html", context, status=status)


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    intake_form = get_object_or_404(IntakeForm, token=token)
    return render(request, "intake/thanks.html", {"intake_form": intake_form})
