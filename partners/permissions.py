"""One place that answers "may this user do this to that object?".

Roles:
- a **coordinator** is a member of the Coordinators group (not a staff user: `is_staff` is the
  administrator's, for the Django admin); they see and change the partners, people and chains
  of the value chains they coordinate (ValueChain.coordinators). Superusers see everything.
- an **observer** (a funder, a board member) is named per chain (ValueChain.observers); they
  read what the chain's coordinators read and change nothing: read views take them
  (`viewer_required`, the access helpers' read paths), write views answer 403.
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
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.http import Http404

from .models import Affiliation, Participation, Partner, Person, ValueChain

COORDINATORS_GROUP = "Coordinators"


class Role:
    ANONYMOUS = "anonymous"
    COORDINATOR = "coordinator"
    OBSERVER = "observer"
    PARTNER = "partner"


def _role_flags(user) -> tuple[bool, bool]:
    """(coordinates: in the Coordinators group or named on a chain; observes a chain) for a
    signed-in user.

    partners.backends.RoleBackend annotates the session's user row with both, so a request
    asks no query for them; a user loaded any other way (a task, a test) asks one, once."""
    flags = getattr(user, "_vcc_role_flags", None)
    if flags is None:
        coordinator = getattr(user, "vcc_is_coordinator", None)
        observer = getattr(user, "vcc_is_observer", None)
        if coordinator is None or observer is None:
            from django.contrib.auth import get_user_model

            row = (
                get_user_model()
                .objects.filter(pk=user.pk)
                .annotate(**role_annotations())
                .values_list("vcc_is_coordinator", "vcc_is_observer")
                .first()
            )
            coordinator, observer = row or (False, False)
        flags = user._vcc_role_flags = (bool(coordinator), bool(observer))
    return flags


def role_annotations() -> dict:
    """The annotations of a user row that say its roles (see _role_flags)."""
    from django.contrib.auth.models import Group

    in_group = Exists(
        Group.user_set.through.objects.filter(
            user_id=OuterRef("pk"), group__name=COORDINATORS_GROUP
        )
    )
    # Named a chain's coordinator (in the admin, say) is coordinating too, group or not.
    names_a_chain = Exists(ValueChain.coordinators.through.objects.filter(user_id=OuterRef("pk")))
    return {
        "vcc_is_coordinator": ExpressionWrapper(
            Q(in_group) | Q(names_a_chain), output_field=BooleanField()
        ),
        "vcc_is_observer": Exists(
            ValueChain.observers.through.objects.filter(user_id=OuterRef("pk"))
        ),
    }


def forget_roles(user) -> None:
    """Drop what _role_flags read of `user`, after its roles changed."""
    for name in ("_vcc_role_flags", "vcc_is_coordinator", "vcc_is_observer"):
        user.__dict__.pop(name, None)


def role_of(user) -> str:
    """The user's role: superusers, members of the Coordinators group and the coordinators
    named on a chain coordinate; someone a chain's coordinators appointed as its observer
    reads that chain; everyone else signed in is a partner member. No query in a request
    (see _role_flags)."""
    if not user.is_authenticated:
        return Role.ANONYMOUS
    if user.is_superuser:
        return Role.COORDINATOR
    coordinator, observer = _role_flags(user)
    if coordinator:
        return Role.COORDINATOR
    if observer:
        return Role.OBSERVER
    return Role.PARTNER


def is_coordinator(user) -> bool:
    return role_of(user) == Role.COORDINATOR


def is_observer(user) -> bool:
    return role_of(user) == Role.OBSERVER


def sees_network(user) -> bool:
    """May the user read the coordinator's pages (of the chains they coordinate or observe)?"""
    return role_of(user) in (Role.COORDINATOR, Role.OBSERVER)


def is_administrator(user) -> bool:
    """Administrators, and only they, use the Django admin site (`is_staff`)."""
    return user.is_active and (user.is_staff or user.is_superuser)


def _required(allowed, message):
    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


coordinator_required = _required(is_coordinator, "This page is for coordinators.")
coordinator_required.__doc__ = (
    "Signed-in coordinators only: anonymous visitors go to sign in, everyone else gets a 403 "
    "(observers too: every page that changes something is behind it)."
)
viewer_required = _required(sees_network, "This page is for coordinators and observers.")
viewer_required.__doc__ = (
    "Pages that only read: coordinators and observers; anonymous visitors go to sign in, "
    "partner members get a 403."
)


def coordinated_chains(user) -> QuerySet[ValueChain]:
    """The value chains the user coordinates (all of them for a superuser)."""
    if user.is_superuser:
        return ValueChain.objects.all()
    if not is_coordinator(user):
        return ValueChain.objects.none()
    return ValueChain.objects.filter(coordinators=user)


def seen_chains(user) -> QuerySet[ValueChain]:
    """The value chains whose pages the user reads: those they coordinate or observe."""
    if user.is_superuser:
        return ValueChain.objects.all()
    if not sees_network(user):
        return ValueChain.objects.none()
    return ValueChain.objects.filter(sees_chain(user, OuterRef("pk")))


def active_chains(user) -> QuerySet[ValueChain]:
    """The chains the user coordinates that are not archived: what pickers offer."""
    return coordinated_chains(user).filter(archived_at__isnull=True)


# --- the access core: every app's get_*_for_user asks these questions ---------------------------


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


def observes_chain(user, chain) -> Exists | Value:
    """Is the user an observer of the value chain `chain` (an id or OuterRef)? (read only)"""
    if not user.is_authenticated or not _role_flags(user)[1]:
        return Value(False)
    return Exists(ValueChain.observers.through.objects.filter(valuechain_id=chain, user_id=user.pk))


def sees_chain(user, chain) -> Exists | Value | ExpressionWrapper:
    """Does the user coordinate or observe the value chain `chain` (an id or OuterRef)?"""
    if user.is_superuser or not sees_network(user):
        return coordinates_chain(user, chain)
    return _either(coordinates_chain(user, chain), observes_chain(user, chain))


def _either(a, b):
    """a OR b, where either may be a constant Value (and then costs nothing)."""
    if isinstance(a, Value):
        return a if a.value else b
    if isinstance(b, Value):
        return b if b.value else a
    return ExpressionWrapper(Q(a) | Q(b), output_field=BooleanField())


def coordinates_partner(user, partner) -> Exists | Value:
    """Does the user coordinate one of the value chains of `partner` (an id or OuterRef)?"""
    if user.is_superuser:
        return Value(True)
    if not is_coordinator(user):
        return Value(False)
    return Exists(Participation.objects.filter(partner=partner, value_chain__coordinators=user))


def observes_partner(user, partner) -> Exists | Value:
    """Does the user observe one of the value chains of `partner` (an id or OuterRef)?"""
    if not user.is_authenticated or not _role_flags(user)[1]:
        return Value(False)
    return Exists(Participation.objects.filter(partner=partner, value_chain__observers=user))


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


def seen_chain_ids(user) -> list[int]:
    """The ids of the chains the user coordinates or observes, read once."""
    return list(seen_chains(user).values_list("pk", flat=True))


def seen_chain_ids_and_all(user) -> tuple[list[int], bool]:
    """seen_chain_ids, and whether they are every chain there is (one query)."""
    if not sees_network(user):
        return [], False
    chains = list(ValueChain.objects.values_list("pk", sees_chain(user, OuterRef("pk"))))
    chain_ids = [pk for pk, seen in chains if seen]
    return chain_ids, len(chain_ids) == len(chains)


def visible_partners(user, chain_ids: list[int] | None = None) -> QuerySet[Partner]:
    """Partners the user may see in directories: those in the chains they coordinate or
    observe (`chain_ids`, when the caller has already read seen_chain_ids)."""
    if user.is_superuser:
        return Partner.objects.all()
    if not sees_network(user):
        return Partner.objects.none()
    if chain_ids is None:
        chain_ids = seen_chain_ids(user)
    return Partner.objects.filter(
        Exists(Participation.objects.filter(partner=OuterRef("pk"), value_chain_id__in=chain_ids))
    )


def visible_people(user) -> QuerySet[Person]:
    """People the user may see in directories: those affiliated with a visible partner (of
    a chain they coordinate or observe)."""
    if user.is_superuser:
        return Person.objects.all()
    if not sees_network(user):
        return Person.objects.none()
    chain_ids = seen_chain_ids(user)
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
    can_observe: bool = False  # an observer of one of the partner's chains (reads only)

    @property
    def can_edit(self) -> bool:
        """Profile, offers and needs: the partner's own people and its coordinators."""
        return self.can_coordinate or self.is_member

    @property
    def sees_all(self) -> bool:
        """Reads what the partner's coordinators read (its coordinators and observers)."""
        return self.can_coordinate or self.can_observe


def get_partner_for_user(request, pk, *, write=False, coordinate=False) -> PartnerAccess:
    """The partner `pk` with the user's rights on it, in one query.

    404 when the user may not see it; 403 when they may see it but not do what is asked
    (`write`: edit profile, offers, needs; `coordinate`: coordinator-only changes). Observers
    of its chains see it and change nothing.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    partner = (
        Partner.objects.filter(pk=pk)
        .annotate(
            user_coordinates=coordinates_partner(user, OuterRef("pk")),
            user_is_member=works_at(user, OuterRef("pk")),
            user_observes=observes_partner(user, OuterRef("pk")),
        )
        .first()
    )
    if partner is None or not (
        partner.user_coordinates or partner.user_is_member or partner.user_observes
    ):
        raise Http404("No such partner.")
    access = PartnerAccess(
        partner,
        bool(partner.user_coordinates),
        bool(partner.user_is_member),
        bool(partner.user_observes),
    )
    if coordinate and not access.can_coordinate:
        raise PermissionDenied("Only the coordinators of this partner's value chains may do this.")
    if write and not access.can_edit:
        raise PermissionDenied
    return access


def get_person_for_user(request, pk, *, write=False) -> Person:
    """The person `pk`: coordinators of one of their partners' chains, or the person themself;
    observers of those chains see them (`write`: 403 for observers)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    # A coordinator (or observer) of a chain of one of the partners the person works at.
    if user.is_superuser:
        coordinates = observes = Value(True)
    else:
        coordinates, observes = (
            Value(False)
            if isinstance(test, Value)
            else Exists(Affiliation.objects.filter(test, person=OuterRef("pk")))
            for test in (
                coordinates_partner(user, OuterRef("partner_id")),
                observes_partner(user, OuterRef("partner_id")),
            )
        )
    person = (
        Person.objects.filter(pk=pk)
        .annotate(user_coordinates=coordinates, user_observes=observes)
        .first()
    )
    if person is None:
        raise Http404("No such person.")
    may_change = bool(person.user_coordinates) or person.user_id == user.pk
    if not (may_change or person.user_observes):
        raise Http404("No such person.")
    if write and not may_change:
        raise PermissionDenied("Only the coordinators of this person's value chains may do this.")
    return person


def get_chain_for_user(request, pk, *, read=False) -> ValueChain:
    """A value chain its coordinators may see and change; 404 for everyone else. With
    `read`, its observers get it too (`chain.user_coordinates` says who may change it)."""
    user = request.user
    chains = seen_chains(user) if read else coordinated_chains(user)
    chain = chains.filter(pk=pk).annotate(user_coordinates=coordinates_chain(user, pk)).first()
    if chain is None:
        raise Http404("No such value chain.")
    return chain


def member_partner_ids(user) -> list[int]:
    """The partners the user works at (for "My organisation")."""
    if not user.is_authenticated:
        return []
    return list(Affiliation.objects.filter(person__user=user).values_list("partner_id", flat=True))
