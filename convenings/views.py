"""Pages of convenings, working groups and action items; public signed-link pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from partners.permissions import (
    active_chains,
    coordinated_chains,
    coordinator_required,
    seen_chains,
    sees_network,
)
from partners.pickers import people_of_chains
from vcc.ids import parse_id

from . import emails, ics, selectors, services
from .forms import (
    ActionItemForm,
    ActionUpdateForm,
    CancelConveningForm,
    ConveningForm,
    InviteForm,
    MinutesForm,
    RsvpForm,
    WorkingGroupForm,
)
from .models import CalendarFeed, Invitee, Rsvp
from .permissions import (
    get_action_for_user,
    get_convening_for_user,
    get_group_for_user,
    get_own_invitation,
    person_of,
)

CANCELLED_NOTE = "This convening was cancelled: it cannot be changed, and answers are not recorded."


def _refuse_if_cancelled(request: HttpRequest, convening) -> HttpResponse | None:
    """Back to the convening's page with a note, for a change asked of a cancelled one."""
    if convening.is_cancelled:
        messages.error(request, CANCELLED_NOTE)
        return redirect(convening)
    return None


def _attendance_url(convening) -> str:
    """The checklist's URL up to the invitee's id (reversed once, not once per row)."""
    return reverse("convenings:attendance", args=[convening.pk, 0]).removesuffix("0/")


# Convenings ---------------------------------------------------------------------------------


@login_required
def convening_list(request: HttpRequest) -> HttpResponse:
    past = request.GET.get("when") == "past"
    chain_id = parse_id(request.GET.get("chain"))
    page = selectors.convenings_for_user(
        request.user, chain_id=chain_id, past=past, cursor=request.GET.get("cursor")
    )
    chains = list(seen_chains(request.user)) if sees_network(request.user) else []
    context = {"page": page, "past": past, "chains": chains, "chain_id": chain_id}
    context["query"] = "&".join(
        p for p in (f"chain={chain_id}" if chain_id else "", "when=past" if past else "") if p
    )
    return render(request, "convenings/list.html", context)


@coordinator_required
def convening_create(request: HttpRequest) -> HttpResponse:
    chains = active_chains(request.user)
    chain = chains.filter(
        pk=parse_id(request.GET.get("chain") or request.POST.get("chain"))
    ).first()
    if chain is None:
        chain = chains.first()
    if chain is None:
        raise Http404("You coordinate no value chain.")
    form = ConveningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        convening = services.save_convening(values=form.cleaned_data, by=request.user, chain=chain)
        messages.success(request, "Convening scheduled. Now invite people.")
        return redirect(convening)
    return render(request, "convenings/form.html", {"form": form, "chain": chain, "chains": chains})


@login_required
def group_convening_create(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_user(request, pk, write=True)
    form = ConveningForm(request.POST or None, initial={"kind": "group_meeting"})
    if request.method == "POST" and form.is_valid():
        convening = services.save_convening(
            values=form.cleaned_data, by=request.user, group=access.group
        )
        messages.success(request, "Meeting scheduled. Now invite the group.")
        return redirect(convening)
    context = {"form": form, "chain": access.group.value_chain, "group": access.group}
    return render(request, "convenings/form.html", context)


@login_required
def convening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_convening_for_user(request, pk)
    convening = access.convening
    invitees = selectors.invitees_of(convening) if access.can_edit else []
    context = {
        "access": access,
        "convening": convening,
        "invitees": invitees,
        "attendance_url": _attendance_url(convening),
        "counts": {value: sum(1 for i in invitees if i.rsvp == value) for value in Rsvp.values},
        "no_email": [i for i in invitees if not i.person.email],
        "suppressed": selectors.suppressed_invitations(convening) if access.can_edit else {},
        "rsvp_form": RsvpForm(initial={"rsvp": access.invitee.rsvp}) if access.invitee else None,
        "minutes_form": MinutesForm(instance=convening) if access.can_edit else None,
        "actions": list(convening.actions.select_related("owner")),
    }
    return render(request, "convenings/detail.html", context)


@login_required
def convening_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_convening_for_user(request, pk, write=True)
    if refused := _refuse_if_cancelled(request, access.convening):
        return refused
    form = ConveningForm(request.POST or None, instance=access.convening)
    if request.method == "POST" and form.is_valid():
        convening = services.save_convening(
            values=form.cleaned_data, convening=access.convening, by=request.user
        )
        messages.success(request, "Saved; everyone invited gets the update.")
        return redirect(convening)
    context = {"form": form, "chain": access.convening.value_chain, "convening": access.convening}
    return render(request, "convenings/form.html", context)


@login_required
def convening_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose people by partner, stage, chain role, working group or by hand."""
    access = get_convening_for_user(request, pk, write=True)
    if refused := _refuse_if_cancelled(request, access.convening):
        return refused
    form = InviteForm(request.POST or None, convening=access.convening)
    if request.method != "POST" or not form.is_valid():
        context = {"form": form, "convening": access.convening}
        return render(request, "convenings/invite.html", context)
    chosen = {k: v for k, v in form.cleaned_data.items() if k != "confirm_past"}
    ids = services.people_to_invite(access.convening, **chosen)
    count, not_emailed = services.invite(access.convening, ids)
    missed = sum(len(people) for people in not_emailed.values())
    messages.success(
        request, f"{count} invited, {missed} not emailed." if missed else f"{count} invited."
    )
    for reason, people in not_emailed.items():
        names = ", ".join(p.full_name for p in people)
        messages.warning(request, f"{reason.removesuffix(': not sent.')}, so not sent: {names}.")
    return redirect(access.convening)


@login_required
def convening_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, with an optional message to the invitees, then cancel."""
    access = get_convening_for_user(request, pk, write=True)
    convening = access.convening
    if convening.is_cancelled:
        messages.info(request, "This convening was already cancelled.")
        return redirect(convening)
    if convening.is_past:
        messages.error(request, "This convening is over: what happened stays on record.")
        return redirect(convening)
    form = CancelConveningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.cancel_convening(convening=convening, note=form.cleaned_data["note"])
        messages.success(request, "Convening cancelled; everyone invited is told.")
        return redirect(convening)
    context = {"form": form, "convening": convening, "invited": convening.invitees.count()}
    return render(request, "convenings/cancel.html", context)


@login_required
@require_POST
def convening_attendance(request: HttpRequest, pk: int, invitee_pk: int) -> HttpResponse:
    access = get_convening_for_user(request, pk, write=True)
    invitee = selectors.invitee_row(access.convening, invitee_pk)
    if invitee is None:
        raise Http404("No such invitee.")
    invitee = services.set_attendance(invitee, request.POST.get("attended") == "on")
    if request.htmx:
        return render(
            request,
            "convenings/detail.html#attendance-row",
            {
                "invitee": invitee,
                "convening": access.convening,
                "access": access,
                "attendance_url": _attendance_url(access.convening),
            },
        )
    return redirect(access.convening)


@login_required
def convening_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_convening_for_user(request, pk, write=True)
    form = MinutesForm(request.POST or None, instance=access.convening)
    if request.method == "POST" and form.is_valid():
        publish = "publish" in request.POST
        convening = services.save_minutes(access.convening, **form.cleaned_data, publish=publish)
        messages.success(
            request, "Minutes published and sent." if publish else "Minutes saved (not sent)."
        )
        for reason, names in (selectors.minutes_not_emailed(convening) if publish else {}).items():
            messages.warning(
                request, f"{reason}, so the minutes were not sent to: {', '.join(names)}."
            )
        return redirect(access.convening)
    return render(request, "convenings/minutes.html", {"form": form, "convening": access.convening})


@login_required
@require_POST
def convening_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_convening_for_user(request, pk)
    if access.invitee is None:
        raise PermissionDenied("You are not invited to this convening.")
    if refused := _refuse_if_cancelled(request, access.convening):
        return refused
    form = RsvpForm(request.POST)
    if form.is_valid():
        services.answer_rsvp(access.invitee, form.cleaned_data["rsvp"])
        messages.success(request, "Thank you for your answer.")
    return redirect(access.convening)


@login_required
def convening_ics(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_convening_for_user(request, pk)
    # Those who run it see everyone invited; an invitee sees themselves (see ics.py).
    if access.can_edit:
        invitees = access.convening.invitees.select_related("person")
    else:
        invitees = [access.invitee] if access.invitee else []
    event = ics.vevent(access.convening, invitees)
    response = HttpResponse(ics.calendar([event], method="PUBLISH"), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="convening-{pk}.ics"'
    return response


def rsvp_link(request: HttpRequest, token: str) -> HttpResponse:
    """RSVP from the email without signing in: GET shows the answer, POST records it."""
    parsed = emails.read_rsvp_token(token)
    invitee = (
        Invitee.objects.select_related("convening", "person").filter(pk=parsed[0]).first()
        if parsed
        else None
    )
    if invitee is None:
        return render(request, "link_refused.html", status=400)
    answer = parsed[1]
    if invitee.convening.is_cancelled:
        return render(request, "convenings/rsvp_cancelled.html", {"invitee": invitee})
    if request.method == "POST":
        services.answer_rsvp(invitee, answer)
        return render(request, "convenings/rsvp_done.html", {"invitee": invitee, "answer": answer})
    return render(
        request,
        "convenings/rsvp_confirm.html",
        {"invitee": invitee, "answer": answer, "label": Rsvp(answer).label},
    )


# Calendar feed ------------------------------------------------------------------------------


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    if person is None:
        raise Http404("Your account has no person to keep a calendar for.")
    if request.method == "POST":
        feed = services.reset_calendar_feed(person)
        messages.success(request, "A new calendar address was made; the old one stops working.")
        return redirect("convenings:my_calendar")
    feed = services.calendar_feed(person)
    context = {
        "feed": feed,
        "invitations": selectors.my_invitations(request.user),
        "rsvp_choices": RsvpForm.base_fields["rsvp"].choices,
    }
    return render(request, "convenings/my_calendar.html", context)


@login_required
@require_POST
def invitation_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    """The invitee answers from their own calendar page: htmx swaps the row, a plain POST
    comes back to the page."""
    invitee = get_own_invitation(request, pk)
    form = RsvpForm(request.POST)
    if invitee.convening.is_cancelled:
        messages.error(request, f"{invitee.convening} was cancelled: no answer is needed.")
    elif form.is_valid():
        invitee = services.answer_rsvp(invitee, form.cleaned_data["rsvp"])
        messages.success(request, f"{invitee.convening}: {invitee.get_rsvp_display()}.")
    else:
        messages.error(request, "Choose yes, no or maybe.")
    if request.htmx:
        context = {"i": invitee, "rsvp_choices": RsvpForm.base_fields["rsvp"].choices}
        return render(request, "convenings/my_calendar.html#invitation", context)
    return redirect("convenings:my_calendar")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.filter(token=token).select_related("person").first()
    if feed is None:
        raise Http404("No such calendar.")
    invitations = (
        Invitee.objects.filter(person=feed.person)
        .select_related("person", "convening__working_group__lead", "convening__created_by")
        .order_by("convening__starts_at", "convening_id")
    )
    body = ics.feed(invitations, name="vcc convenings")
    return HttpResponse(body, content_type="text/calendar")


# Working groups -----------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.groups_for_user(request.user))
    return render(request, "convenings/groups.html", {"groups": groups})


@coordinator_required
def group_create(request: HttpRequest) -> HttpResponse:
    chains = active_chains(request.user).order_by("name")
    chain_ids = [c.pk for c in chains]
    chosen = parse_id(request.POST.get("value_chain") or request.GET.get("chain"))
    chain_id = chosen if chosen in chain_ids else None
    if chain_id is None and len(chain_ids) == 1:
        chain_id = chain_ids[0]
    if chain_id is None:
        # The lead and members are picked from one chain's people: which chain comes first.
        if not chain_ids:
            raise Http404("You coordinate no value chain.")
        return render(request, "convenings/group_chain.html", {"chains": chains})
    form = WorkingGroupForm(
        request.POST or None,
        chains=chains,
        people=people_of_chains([chain_id]),
        chain_id=chain_id,
    )
    if request.method == "POST" and form.is_valid():
        group = services.save_group(values=form.cleaned_data)
        messages.success(request, f"Working group “{group.name}” created.")
        return redirect(group)
    context = {"form": form, "chain": chains.get(pk=chain_id), "other_chains": len(chain_ids) > 1}
    return render(request, "convenings/group_form.html", context)


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_user(request, pk)
    group = access.group
    context = {
        "access": access,
        "group": group,
        "members": list(group.members.order_by("last_name", "first_name")),
        "meetings": selectors.group_meetings(group),
        "actions": selectors.group_actions(group),
        "action_form": ActionItemForm(chain_id=group.value_chain_id) if access.can_edit else None,
    }
    return render(request, "convenings/group.html", context)


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_user(request, pk, write=True)
    form = WorkingGroupForm(
        request.POST or None,
        instance=access.group,
        chains=coordinated_chains(request.user),
        people=people_of_chains([access.group.value_chain_id]),
        chain_id=access.group.value_chain_id,
        lead_edit=not access.can_coordinate,
    )
    if request.method == "POST" and form.is_valid():
        group = services.save_group(values=form.cleaned_data, group=access.group)
        messages.success(request, "Saved.")
        return redirect(group)
    return render(request, "convenings/group_form.html", {"form": form, "group": access.group})


@login_required
@require_POST
def group_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_user(request, pk, write=True)
    group = access.group
    form = ActionItemForm(request.POST, chain_id=group.value_chain_id)
    if form.is_valid():
        services.post_action(values=form.cleaned_data, by=request.user, group=group)
        messages.success(request, "Action item posted; its owner will be reminded.")
        return redirect(group)
    context = {
        "access": access,
        "group": group,
        "members": list(group.members.order_by("last_name", "first_name")),
        "meetings": selectors.group_meetings(group),
        "actions": selectors.group_actions(group),
        "action_form": form,
    }
    return render(request, "convenings/group.html", context, status=400)


@login_required
def convening_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_convening_for_user(request, pk, write=True)
    convening = access.convening
    form = ActionItemForm(request.POST or None, chain_id=convening.value_chain_id)
    if request.method == "POST" and form.is_valid():
        services.post_action(values=form.cleaned_data, by=request.user, convening=convening)
        messages.success(request, "Action item posted.")
        return redirect(convening)
    return render(request, "convenings/action_form.html", {"form": form, "convening": convening})


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item, can_edit = get_action_for_user(request, pk, write=request.method == "POST")
    form = ActionUpdateForm(request.POST or None, initial={"status": item.status})
    if request.method == "POST" and form.is_valid():
        services.update_action(
            item,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            due_on=form.cleaned_data["due_on"],
            by=request.user,
        )
        messages.success(request, "Update posted.")
        return redirect(item)
    context = {
        "item": item,
        "can_edit": can_edit,
        "form": form if can_edit else None,
        "updates": list(item.updates.select_related("by")),
    }
    return render(request, "convenings/action.html", context)


@coordinator_required
def overdue_actions(request: HttpRequest) -> HttpResponse:
    page = selectors.overdue_actions(request.user, request.GET.get("cursor"))
    return render(request, "convenings/overdue.html", {"page": page})


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own open action items, overdue flagged."""
    person = person_of(request.user)
    items = selectors.actions_of_person(person) if person else []
    return render(request, "convenings/my_actions.html", {"items": items})
