"""Reads of intake forms: the forms of the chains a coordinator runs, with how many answers
wait, and the review queue of waiting answers."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from partners.permissions import coordinated_chains

from .models import IntakeForm, IntakeSubmission, SubmissionStatus

QUEUE_PAGE = 50


def forms_for(user, chain=None) -> QuerySet[IntakeForm]:
    """The intake forms of the chains the user coordinates (or of `chain`), each with
    `waiting`: its answers not yet decided."""
    forms = IntakeForm.objects.filter(value_chain__in=coordinated_chains(user))
    if chain is not None:
        forms = forms.filter(value_chain=chain)
    return forms.select_related("value_chain").annotate(
        waiting=Count("submissions", filter=Q(submissions__status=SubmissionStatus.REVIEW))
    )


def review_queue(user, chain=None, form=None) -> QuerySet[IntakeSubmission]:
    """Answers waiting for a decision in the chains the user coordinates (or one chain, or
    one form), newest first."""
    waiting = IntakeSubmission.objects.filter(
        status=SubmissionStatus.REVIEW, form__value_chain__in=coordinated_chains(user)
    )
    if chain is not None:
        waiting = waiting.filter(form__value_chain=chain)
    if form is not None:
        waiting = waiting.filter(form=form)
    return waiting.select_related("form__value_chain", "duplicate").order_by("-submitted_at", "-id")


def decided(form: IntakeForm) -> QuerySet[IntakeSubmission]:
    """A form's answers already accepted or rejected, latest decision first."""
    return (
        form.submissions.exclude(status=SubmissionStatus.REVIEW)
        .select_related("partner", "decided_by")
        .order_by("-decided_at", "-id")
    )
