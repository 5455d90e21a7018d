"""The working-group lead's rights, shaped like partners.permissions.

- a **coordinator** of the group's (or convening's) value chain sees and changes everything;
- the **lead** of a working group (a partner member whose Person leads it) may edit the
  group's page, schedule its meetings, record minutes, and post and update action items;
- a **member** of the group sees the group and its action items; an **invitee** sees the
  convening and answers its RSVP; an **observer** of the chain sees its convenings, groups
  and action items and changes nothing; nobody else sees them (404).

Read-only users asking to change something get a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from partners.models import Person
from partners.permissions import coordinates_chain, observes_chain

from .models import ActionItem, Convening, Invitee, WorkingGroup


def person_of(user) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def get_own_invitation(request, pk: int) -> Invitee:
    """The signed-in person's own invitation; anyone else's is 404 (a coordinator included:
    only the invitee answers for themselves)."""
    invitee = (
        Invitee.objects.select_related("convening")
        .filter(pk=pk, person__user_id=request.user.pk)
        .first()
    )
    if invitee is None:
        raise Http404("No such invitation.")
    return invitee


@dataclass(frozen=True)
class GroupAccess:
    group: WorkingGroup
    can_coordinate: bool
    is_lead: bool
    is_member: bool
    can_observe: bool = False

    @property
    def can_edit(self) -> bool:
        return self.can_coordinate or self.is_lead


def get_group_for_user(request, pk, *, write=False, coordinate=False) -> GroupAccess:
    """The working group `pk` with the user's rights, in one query; 404 to outsiders."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    group = (
        WorkingGroup.objects.filter(pk=pk)
        .select_related("value_chain", "lead")
        .annotate(
            user_coordinates=coordinates_chain(user, OuterRef("value_chain_id")),
            user_observes=observes_chain(user, OuterRef("value_chain_id")),
            user_is_member=Exists(
                WorkingGroup.members.through.objects.filter(
                    workinggroup_id=OuterRef("pk"), person__user=user
                )
            ),
        )
        .first()
    )
    if group is None:
        raise Http404("No such working group.")
    is_lead = group.lead is not None and group.lead.user_id == user.pk
    access = GroupAccess(
        group,
        bool(group.user_coordinates),
        is_lead,
        bool(group.user_is_member),
        bool(group.user_observes),
    )
    if not (access.can_coordinate or access.is_lead or access.is_member or access.can_observe):
        raise Http404("No such working group.")
    if coordinate and not access.can_coordinate:
        raise PermissionDenied("Only the chain's coordinators may do this.")
    if write and not access.can_edit:
        raise PermissionDenied("Only the group's lead and the chain's coordinators may do this.")
    return access


@dataclass(frozen=True)
class ConveningAccess:
    convening: Convening
    can_coordinate: bool
    is_lead: bool
    invitee: Invitee | None
    can_observe: bool = False

    @property
    def can_edit(self) -> bool:
        return self.can_coordinate or self.is_lead


def get_convening_for_user(request, pk, *, write=False) -> ConveningAccess:
    """The convening `pk`: its chain's coordinators and its group's lead may change it; those
    invited (or members of its group) may see it; 404 for everyone else."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    convening = (
        Convening.objects.filter(pk=pk)
        .select_related("value_chain", "working_group__lead")
        .annotate(
            user_coordinates=coordinates_chain(user, OuterRef("value_chain_id")),
            user_observes=observes_chain(user, OuterRef("value_chain_id")),
            user_is_group_member=Exists(
                WorkingGroup.members.through.objects.filter(
                    workinggroup_id=OuterRef("working_group_id"), person__user=user
                )
            ),
        )
        .first()
    )
    if convening is None:
        raise Http404("No such convening.")
    group = convening.working_group
    is_lead = group is not None and group.lead is not None and group.lead.user_id == user.pk
    invitee = (
        Invitee.objects.filter(convening=convening, person__user=user)
        .select_related("person")
        .first()
    )
    access = ConveningAccess(
        convening, bool(convening.user_coordinates), is_lead, invitee, bool(convening.user_observes)
    )
    if not (
        access.can_coordinate
        or is_lead
        or invitee is not None
        or convening.user_is_group_member
        or access.can_observe
    ):
        raise Http404("No such convening.")
    if write and not access.can_edit:
        raise PermissionDenied("Only the chain's coordinators and the group's lead may do this.")
    return access


def get_action_for_user(request, pk, *, write=False) -> tuple[ActionItem, bool]:
    """An action item and whether the user may update it (coordinator, the group's lead, or
    its owner); members of its group see it; 404 for everyone else."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    item = (
        ActionItem.objects.filter(pk=pk)
        .select_related("owner", "working_group__lead", "convening", "value_chain")
        .annotate(
            user_coordinates=coordinates_chain(user, OuterRef("value_chain_id")),
            user_observes=observes_chain(user, OuterRef("value_chain_id")),
            user_is_member=Exists(
                WorkingGroup.members.through.objects.filter(
                    Q(workinggroup_id=OuterRef("working_group_id")), person__user=user
                )
            ),
        )
        .first()
    )
    if item is None:
        raise Http404("No such action item.")
    group = item.working_group
    is_lead = group is not None and group.lead is not None and group.lead.user_id == user.pk
    is_owner = item.owner.user_id == user.pk
    can_edit = bool(item.user_coordinates) or is_lead or is_owner
    if not (can_edit or item.user_is_member or item.user_observes):
        raise Http404("No such action item.")
    if write and not can_edit:
        raise PermissionDenied("Only the owner, the group's lead and coordinators may do this.")
    return item, can_edit
