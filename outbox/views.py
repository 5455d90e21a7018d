"""The coordinator's outbox page and the opt-out link of every email."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from partners.permissions import coordinator_required

from . import selectors, services
from .models import Kind, State


@coordinator_required
def outbox(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    page = selectors.outbox(request.user, state=state, cursor=request.GET.get("cursor"))
    context = {
        "page": page,
        "state": state,
        "states": State.choices,
        "query": f"state={state}" if state in State.values else "",
    }
    template = "outbox/outbox.html#rows" if request.htmx else "outbox/outbox.html"
    return render(request, template, context)


@require_POST
@coordinator_required
def send_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue an unconfirmed or failed message once more (a message of another chain is a 404)."""
    message = get_object_or_404(selectors.outbox_messages(request.user), pk=pk)
    if services.send_again(message):
        messages.success(request, f"Sending again to {message.to_address}.")
    else:
        messages.error(
            request, "Only an unconfirmed or failed message with an address is sent again."
        )
    state = request.POST.get("state", "")
    query = f"?state={state}" if state in State.values else ""
    return redirect(reverse("outbox:outbox") + query)


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST records: mail scanners that follow links opt nobody out."""
    parsed = services.read_opt_out_token(token)
    if parsed is None:
        return render(request, "outbox/opt_out.html", {"refused": True}, status=400)
    address, kind = parsed
    done = request.method == "POST"
    if done:
        services.opt_out(address, kind)
    context = {"address": address, "kind": Kind(kind).label, "done": done}
    return render(request, "outbox/opt_out.html", context)
