"""The coordinator's outbox page and the opt-out link of every email."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
    template = "followups/outbox.html#rows" if request.htmx else "followups/outbox.html"
    return render(request, template, context)


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST records: mail scanners that follow links opt nobody out."""
    parsed = services.read_opt_out_token(token)
    if parsed is None:
        return render(request, "followups/opt_out.html", {"refused": True}, status=400)
    address, kind = parsed
    done = request.method == "POST"
    if done:
        services.opt_out(address, kind)
    context = {"address": address, "kind": Kind(kind).label, "done": done}
    return render(request, "followups/opt_out.html", context)
