"""Who may see an intake form and its answers: the coordinators of its value chain (and
superusers); everybody else gets a 404. The public page is reached by its token alone."""

from __future__ import annotations

from django.db.models import OuterRef
from django.http import Http404

from partners.permissions import coordinates_chain, is_coordinator

from .models import IntakeForm, IntakeSubmission


def get_form_for_user(request, pk) -> IntakeForm:
    """The intake form `pk`, for a coordinator of its chain (404 otherwise)."""
    user = request.user
    if not user.is_authenticated or not (user.is_superuser or is_coordinator(user)):
        raise Http404
    form = (
        IntakeForm.objects.filter(pk=pk)
        .filter(coordinates_chain(user, OuterRef("value_chain_id")))
        .select_related("value_chain")
        .first()
    )
    if form is None:
        raise Http404("No such intake form.")
    return form


def get_submission_for_user(request, pk) -> IntakeSubmission:
    """Answers to an intake form, for a coordinator of the form's chain (404 otherwise)."""
    user = request.user
    if not user.is_authenticated or not (user.is_superuser or is_coordinator(user)):
        raise Http404
    submission = (
        IntakeSubmission.objects.filter(pk=pk)
        .filter(coordinates_chain(user, OuterRef("form__value_chain_id")))
        .select_related("form__value_chain", "duplicate", "partner", "decided_by")
        .first()
    )
    if submission is None:
        raise Http404("No such answers.")
    return submission
