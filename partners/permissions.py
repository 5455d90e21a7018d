"""One place that answers "may this user do this to that object?".

Roles:
- a **coordinator** is a staff user; they see and change the partners, people and chains of the
  value chains they coordinate (ValueChain.coordinators). Superusers see everything.
- a **partner member** is a user linked to a Person affiliated with a Partner; they may read and
  edit that partner's profile, offers and needs, and see what is shared with them, nothing else.
- a **working-group lead** is a partner member with rights on their group: those rights live in
  convenings.permissions and follow the same shape (an access helper per object that answers
  404 to outsiders and 403 to read-only users).

Views get objects only through the `get_*_for_user` helpers below: an object the user may not
see is a 404 (its existence is not leaked); one they may see but not change is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from .models import Affiliation, Participation, Partner, Person, ValueChain


class Role:
    ANONYMOUS = "anonymous"
    COORDINATOR = "coordinator"
    PARTNER = "partner"


def role_of(user) -> str:
    """The user's role, read from the user row alone (no query)."""
    if not user.is_authenticated:
        return Role.ANONYMOUS
    if user.is_staff or user.is_superuser:
        return Role.COORDINATOR
    return Role.PARTNER


def is_coordinator(user) -> bool:
    return role_of(user) == Role.COORDINATOR


def coordinator_required(view):
    """Signed-in coordinators only: anonymous visitors go to sign in, partners get a 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_coordinator(request.user):
            raise PermissionDenied("This page is for coordinators.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def coordinated_chains(user) -> QuerySet[ValueChain]:
    """The value chains the user coordinates (all of them for a superuser)."""
    if user.is_superuser:
        return ValueChain.objects.all()
    if not is_coordinator(user):
        return ValueChain.objects.none()
    return ValueChain.objects.filter(coordinators=user)


def active_chains(user) -> QuerySet[ValueChain]:
    """The chains the user coordinates that are not archived: what pickers offer."""
    return coordinated_chains(user).filter(archived_at__isnull=True)


# --- the access core: every app's get_*_for_user asks these two questions -----------------------


def coordinates_chain(user, chain) -> Exists | Value:
    """Does the user coordinate the value chain `chain` (an id, or an OuterRef to one)? An
    expression to filter or annotate with: no query of its own."""
    if user.is_superuser:
        return Value(True)
    if not is_coordinator(user):
        return Value(False)
    return Exists(
        ValueChain.coordinators.through.objects.filter(valuechain_id=chain, user_id=user.pk)
    )


def coordinates_partner(user, partner) -> Exists | Value:
    """Does the user coordinate one of the value chains of `partner` (an id or OuterRef)?"""
    if user.is_superuser:
        return Value(True)
    if not is_coordinator(user):
        return Value(False)
    return Exists(Participation.objects.filter(partner=partner, value_chain__coordinators=user))


def works_at(user, *partners) -> Exists | Value:
    """Does the user work at `partner` (or at any of `partners`: ids or OuterRefs)?"""
    if not user.is_authenticated:
        return Value(False)
    at = reduce(or_, (Q(partner=partner) for partner in partners))
    return Exists(Affiliation.objects.filter(at, person__user_id=user.pk))


def coordinated_chain_ids(user) -> list[int]:
    """The ids of the chains the user coordinates, read once: written into a directory's
    query as a list, they let PostgreSQL estimate how many partners it will see."""
    return list(coordinated_chains(user).values_list("pk", flat=True))


def coordinated_chain_ids_and_all(user) -> tuple[list[int], bool]:
    """coordinated_chain_ids, and whether they are every chain there is (one query)."""
    if not is_coordinator(user):
        return [], False
    mine = (
        Value(True)
        if user.is_superuser
        else Exists(
            ValueChain.coordinators.through.objects.filter(valuechain=OuterRef("pk"), user=user)
        )
    )
    chains = list(ValueChain.objects.values_list("pk", mine))
    chain_ids = [pk for pk, coordinated in chains if coordinated]
    return chain_ids, len(chain_ids) == len(chains)


def visible_partners(user, chain_ids: list[int] | None = None) -> QuerySet[Partner]:
    """Partners the user may see in directories: those in the chains they coordinate
    (`chain_ids`, when the caller has already read coordinated_chain_ids)."""
    if user.is_superuser:
        return Partner.objects.all()
    if not is_coordinator(user):
        return Partner.objects.none()
    if chain_ids is None:
        chain_ids = coordinated_chain_ids(user)
    return Partner.objects.filter(
        Exists(Participation.objects.filter(partner=OuterRef("pk"), value_chain_id__in=chain_ids))
    )


def visible_people(user) -> QuerySet[Person]:
    """People the user may see in directories: those affiliated with a visible partner."""
    if user.is_superuser:
        return Person.objects.all()
    if not is_coordinator(user):
        return Person.objects.none()
    chain_ids = coordinated_chain_ids(user)
    # Affiliation to participation by partner id, without joining the partners themselves: a
    # search for a common name tests thousands of people this way.
    in_my_chains = Participation.objects.filter(
        partner_id=OuterRef("partner_id"), value_chain_id__in=chain_ids
    )
    return Person.objects.filter(
        Exists(Affiliation.objects.filter(Exists(in_my_chains), person=OuterRef("pk")))
    )


@dataclass(frozen=True)
class PartnerAccess:
    partner: Partner
    can_coordinate: bool  # a coordinator of one of the partner's chains
    is_member: bool  # the user works at this partner

    @property
    def can_edit(self) -> bool:
        """Profile, offers and needs: the partner's own people and its coordinators."""
        return self.can_coordinate or self.is_member


def get_partner_for_user(request, pk, *, write=False, coordinate=False) -> PartnerAccess:
    """The partner `pk` with the user's rights on it, in one query.

    404 when the user may not see it; 403 when they may see it but not do what is asked
    (`write`: edit profile, offers, needs; `coordinate`: coordinator-only changes).
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    partner = (
        Partner.objects.filter(pk=pk)
        .annotate(
            user_coordinates=coordinates_partner(user, OuterRef("pk")),
            user_is_member=works_at(user, OuterRef("pk")),
        )
        .first()
    )
    if partner is None or not (partner.user_coordinates or partner.user_is_member):
        raise Http404("No such partner.")
    access = PartnerAccess(partner, bool(partner.user_coordinates), bool(partner.user_is_member))
    if coordinate and not access.can_coordinate:
        raise PermissionDenied("Only the coordinators of this partner's value chains may do this.")
    if write and not access.can_edit:
        raise PermissionDenied
    return access


def get_person_for_user(request, pk, *, write=False) -> Person:
    """The person `pk`: coordinators of one of their partners' chains, or the person themself."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    # A coordinator of a chain of one of the partners the person works at.
    coordinates = (
        Value(True)
        if user.is_superuser
        else Exists(
            Affiliation.objects.filter(
                coordinates_partner(user, OuterRef("partner_id")), person=OuterRef("pk")
            )
        )
    )
    person = Person.objects.filter(pk=pk).annotate(user_coordinates=coordinates).first()
    if person is None or not (person.user_coordinates or person.user_id == user.pk):
        raise Http404("No such person.")
    return person


def get_chain_for_user(request, pk) -> ValueChain:
    """A value chain its coordinators may see; 404 for everyone else."""
    chain = coordinated_chains(request.user).filter(pk=pk).first()
    if chain is None:
        raise Http404("No such value chain.")
    return chain


def member_partner_ids(user) -> list[int]:
    """The partners the user works at (for "My organisation")."""
    if not user.is_authenticated:
        return []
    return list(Affiliation.objects.filter(person__user=user).values_list("partner_id", flat=True))
