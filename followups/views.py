"""My day (a coordinator's home page) and their tasks."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from convenings.permissions import get_convening_for_user
from matchmaking.permissions import get_introduction_for_user
from partners.permissions import (
    active_chains,
    coordinated_chain_ids,
    coordinated_chains,
    coordinator_required,
    get_partner_for_user,
    get_person_for_user,
    is_coordinator,
    is_observer,
)
from vcc import hooks
from vcc.ids import parse_id

from . import selectors, services
from .forms import QuickTaskForm, TaskForm
from .models import LINKS
from .permissions import get_task_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Coordinators land on My day; observers on the chains they observe; partners on their
    own organisation."""
    if is_coordinator(request.user):
        return my_day(request)
    if is_observer(request.user):
        return redirect("partners:chains")
    return redirect("partners:my_organisation")


@coordinator_required
def my_day(request: HttpRequest) -> HttpResponse:
    """What needs the coordinator today, across the chains they coordinate."""
    since = selectors.note_visit(request.user)
    chains = list(coordinated_chains(request.user).values_list("pk", "name", "archived_at"))
    chain_ids = [pk for pk, _, _ in chains]
    sections = selectors.my_day(request.user, chain_ids=chain_ids, since=since)
    for key, extra in hooks.MY_DAY_SECTIONS.items():
        data = extra.context(request, chain_ids)
        sections.append(
            selectors.Section(
                key,
                extra.label,
                data.get("empty", ""),
                data["rows"],
                data["count"],
                data.get("see_all", ""),
                extra.template,
            )
        )
    context = {
        "sections": sections,
        "has_chains": bool(chain_ids),
        "form": QuickTaskForm(
            chains=active_chains(request.user),
            user=request.user,
            choices=[(pk, name) for pk, name, archived_at in chains if archived_at is None],
        )
        if chain_ids
        else None,
        "since": since,
    }
    return render(request, "followups/my_day.html", context)


# --- tasks -----------------------------------------------------------------------------------


@coordinator_required
def task_list(request: HttpRequest) -> HttpResponse:
    """The coordinator's tasks, or their chains' (`who=chain`); open, or done (`state=done`)."""
    mine = request.GET.get("who") != "chain"
    done = request.GET.get("state") == "done"
    page = selectors.task_list(
        request.user,
        mine=mine,
        done=done,
        chain_ids=coordinated_chain_ids(request.user),
        cursor=request.GET.get("cursor"),
    )
    context = {
        "page": page,
        "mine": mine,
        "done": done,
        "query": urlencode({k: v for k, v in request.GET.items() if k != "cursor"}),
        "here": request.get_full_path(),
    }
    return render(request, "followups/tasks.html", context)


def _about(request: HttpRequest):
    """The partner, person, introduction or convening a new task is about (from `?partner=`
    etc.) through its own access helper, and the chains such a task may be in."""
    chains = active_chains(request.user)
    for name in LINKS:
        raw = request.GET.get(name)
        if raw is None:
            continue
        pk = parse_id(raw)
        if pk is None:
            raise Http404
        if name == "partner":
            about = get_partner_for_user(request, pk, coordinate=True).partner
            return about, chains.filter(participations__partner=about)
        if name == "person":
            about = get_person_for_user(request, pk)
            return about, chains.filter(
                participations__partner__affiliations__person=about
            ).distinct()
        if name == "introduction":
            about = get_introduction_for_user(request, pk, coordinate=True)
            return about, chains.filter(pk=about.value_chain_id)
        access = get_convening_for_user(request, pk)
        if not access.can_coordinate:
            raise PermissionDenied("Only the chain's coordinators may do this.")
        return access.convening, chains.filter(pk=access.convening.value_chain_id)
    return None, chains


@coordinator_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    """A new task, from My day (htmx: the quick form) or from the page of what it is about."""
    about, chains = _about(request)
    quick = request.method == "POST" and "quick" in request.POST
    form_class = QuickTaskForm if quick else TaskForm
    form = form_class(request.POST or None, chains=chains, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {"assignee": request.user, **form.cleaned_data}
        task = services.create_task(values=values, about=about, by=request.user)
        messages.success(request, f"Task added: {task.title}.")
        target = about.get_absolute_url() if about is not None else reverse("home")
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
    if request.htmx:
        return render(request, "followups/my_day.html#quick_add", {"form": form})
    return render(request, "followups/task_form.html", {"form": form, "about": about, "task": None})


@coordinator_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request, pk)
    form = TaskForm(
        request.POST or None, instance=task, chains=active_chains(request.user), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.update_task(task=task, values=form.cleaned_data)
        messages.success(request, "Task saved.")
        return redirect("followups:tasks")
    return render(
        request, "followups/task_form.html", {"form": form, "task": task, "about": task.about}
    )


def _set_done(request: HttpRequest, pk: int, done: bool) -> HttpResponse:
    task = services.set_task_done(task=get_task_for_user(request, pk), done=done)
    if request.htmx:
        return render(request, "followups/_task_row.html", {"task": task, "just_changed": True})
    messages.success(request, f"{'Done' if done else 'Open again'}: {task.title}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("followups:tasks")
    return redirect(back)


@coordinator_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Done in one click; the row then offers to undo it."""
    return _set_done(request, pk, True)


@coordinator_required
@require_POST
def task_undo(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_done(request, pk, False)
