"""The review queue of captured email (coordinators, per chain), a message's page with its
decisions (assign an address, create the person, add to the timeline, discard), and the
download of an attachment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners.permissions import coordinated_chains, coordinator_required
from vcc.paging import keyset_page

from . import mailbox, selectors, services
from .forms import AssignForm, NewPersonForm
from .models import CaptureStatus
from .permissions import get_attachment_for_user, get_message_for_user


@coordinator_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The messages waiting for a decision, in one chain or all the user coordinates."""
    chain = None
    if request.GET.get("chain", "").isdigit():
        chain = get_object_or_404(coordinated_chains(request.user), pk=request.GET["chain"])
    page = keyset_page(
        selectors.review_queue(request.user, chain),
        ["-sent_at", "-id"],
        request.GET.get("cursor"),
        selectors.QUEUE_PAGE,
    )
    config = mailbox.configured()
    context = {
        "page": page,
        "chain": chain,
        "query": f"chain={chain.pk}" if chain else "",
        "counts": selectors.review_counts(request.user),
        "capture_on": config is not None,
        "capture_address": config.address if config else "",
    }
    return render(request, "capture/review_queue.html", context)


def _message_page(request, message, *, assign_forms=None, person_forms=None, status=200):
    detail = selectors.message_detail(message)
    waiting = message.status == CaptureStatus.REVIEW
    partners = selectors.partners_for_new_person(message, request.user) if waiting else None
    for address in detail["addresses"]:
        if waiting and address.person_id is None:
            address.assign_form = (assign_forms or {}).get(address.pk) or AssignForm(
                prefix=f"a{address.pk}"
            )
            address.person_form = (person_forms or {}).get(address.pk) or NewPersonForm(
                prefix=f"p{address.pk}", partners=partners
            )
    context = {
        "message": message,
        "waiting": waiting,
        "unknown": [a for a in detail["addresses"] if a.person_id is None],
        **detail,
    }
    return render(request, "capture/message.html", context, status=status)


@login_required
def message(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_page(request, get_message_for_user(request, pk))


def _waiting_address(request, pk, address_pk):
    message = get_message_for_user(request, pk)
    if message.status != CaptureStatus.REVIEW:
        raise Http404("This message has been decided.")
    address = get_object_or_404(message.addresses, pk=address_pk, person__isnull=True)
    return message, address


@login_required
@require_POST
def assign(request: HttpRequest, pk: int, address_pk: int) -> HttpResponse:
    message, address = _waiting_address(request, pk, address_pk)
    form = AssignForm(
        request.POST,
        prefix=f"a{address.pk}",
        people=lambda q: selectors.people_matching(request.user, q),
    )
    if not form.is_valid():
        return _message_page(request, message, assign_forms={address.pk: form}, status=400)
    services.assign_address(address, person=form.cleaned_data["person"], by=request.user)
    messages.success(request, f"{address.address} is {form.cleaned_data['person'].full_name}.")
    return redirect(message)


@login_required
@require_POST
def create_person(request: HttpRequest, pk: int, address_pk: int) -> HttpResponse:
    message, address = _waiting_address(request, pk, address_pk)
    form = NewPersonForm(
        request.POST,
        prefix=f"p{address.pk}",
        partners=selectors.partners_for_new_person(message, request.user),
    )
    if not form.is_valid():
        return _message_page(request, message, person_forms={address.pk: form}, status=400)
    values = {k: form.cleaned_data[k] for k in ("first_name", "last_name")}
    person = services.create_person_for_address(
        address, partner=form.cleaned_data["partner"], values=values, by=request.user
    )
    messages.success(request, f"Added {person.full_name} at {form.cleaned_data['partner'].name}.")
    return redirect(message)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_user(request, pk)
    if message.status == CaptureStatus.REVIEW:
        message = services.accept_message(message, by=request.user)
        messages.success(request, "The email is on the timeline.")
    return redirect(message)


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for_user(request, pk)
    if message.status == CaptureStatus.REVIEW:
        services.discard_message(message, by=request.user)
        messages.success(request, f"Discarded “{message}”.")
    return redirect("capture:review")


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, as an attachment (never shown inline: it came from outside)."""
    file = get_attachment_for_user(request, pk)
    response = HttpResponse(bytes(file.content), content_type="application/octet-stream")
    response["Content-Disposition"] = _disposition(file.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
