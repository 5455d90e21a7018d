"""Views of the partner directory: parse the request, check access, call a service or selector,
render. A page and its htmx fragments are one template; htmx requests get the fragment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from vcc import hooks
from vcc.ids import parse_id

from . import exporting, selectors, services
from .forms import (
    AffiliationForm,
    CommitmentForm,
    DirectoryFilterForm,
    InteractionForm,
    InterestForm,
    InviteForm,
    NeedForm,
    ObserverForm,
    OfferForm,
    ParticipationForm,
    PartnerForm,
    PersonForm,
    ProductForm,
    ProductMergeForm,
    StageForm,
    ValueChainForm,
)
from .models import (
    Certification,
    ChainRole,
    Commitment,
    Need,
    Offer,
    Participation,
    ParticipationStatus,
    Partner,
    PartnerKind,
    PartnerSize,
    Person,
    Product,
    Stage,
)
from .permissions import (
    active_chains,
    coordinated_chains,
    coordinator_required,
    get_chain_for_user,
    get_partner_for_user,
    get_person_for_user,
    is_coordinator,
    is_observer,
    member_partner_ids,
    seen_chains,
    viewer_required,
)

LISTINGS = {"offers": (Offer, OfferForm), "needs": (Need, NeedForm)}
# The page's own tabs; higher apps add theirs before "history" (vcc.hooks.PARTNER_TABS).
OWN_TABS = {"overview": "Overview", "offers": "Offers & needs", "timeline": "Timeline"}


def _fragment(request: HttpRequest, template: str, partial: str) -> str:
    return f"{template}#{partial}" if request.htmx else template


# --- directory -------------------------------------------------------------------------------


@viewer_required
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET)
    filters = selectors.DirectoryFilters(**form.filters())
    page = selectors.partner_directory(request.user, filters, request.GET.get("cursor"))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": _directory_rows(page.rows),
        "query": _query_without(request, "cursor"),
        **selectors.directory_choices(request.user),
        "products": Product.objects.order_by("name").values_list("pk", "name"),
        "certifications": Certification.objects.values_list("pk", "name"),
    }
    return render(request, _fragment(request, "partners/directory.html", "results"), context)


# The labels the directory's rows show: get_FOO_display() rebuilds its field's choices on every
# call, and a page makes some two hundred.
KIND_LABELS = dict(PartnerKind.choices)
SIZE_LABELS = dict(PartnerSize.choices)
ROLE_LABELS = dict(ChainRole.choices)
STATUS_LABELS = dict(ParticipationStatus.choices)
ANY_ID = 987654321


def _url_pattern(name: str) -> str:
    """The URL of `name` for any id, as a str.format pattern: one reverse() a page, where the
    rows' URLs differ only in their id (each reverse() costs some 20 µs)."""
    return reverse(name, args=[ANY_ID]).replace(str(ANY_ID), "{}")


def _directory_rows(partners) -> list[dict]:
    """The directory's rows as plain values: the template engine reads a dict key at once,
    where a model attribute costs it a failed key lookup first (50 rows, a dozen each)."""
    detail_url = _url_pattern("partners:detail")
    return [
        {
            "url": detail_url.format(p.pk),
            "name": p.name,
            "size": SIZE_LABELS.get(p.size, p.size),
            "kind": KIND_LABELS.get(p.kind, p.kind),
            "region": p.region,
            "chains": [
                {
                    "name": part.value_chain.name,
                    "role": ROLE_LABELS.get(part.chain_role, part.chain_role),
                    "status": part.status,
                    "status_label": STATUS_LABELS.get(part.status, part.status),
                }
                for part in p.chains_shown
            ],
            "updated_at": p.updated_at,
        }
        for p in partners
    ]


def _people_rows(people) -> list[dict]:
    """The people directory's rows as plain values (see _directory_rows)."""
    person_url, partner_url = _url_pattern("partners:person"), _url_pattern("partners:detail")
    return [
        {
            "url": person_url.format(p.pk),
            "name": p.full_name,
            "email": p.email,
            "phone": p.phone,
            "consent": p.consent_to_contact,
            "affiliations": [
                {"url": partner_url.format(a.partner_id), "name": a.partner.name, "title": a.title}
                for a in p.affiliations.all()
            ],
        }
        for p in people
    ]


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@viewer_required
def directory_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The directory as filtered on screen, every page of it, as CSV."""
    filters = selectors.DirectoryFilters(**DirectoryFilterForm(request.GET).filters())
    return _csv_response(exporting.directory_export(request.user, filters), "partners")


def _people_params(request: HttpRequest) -> tuple[str, int | None, str]:
    chain_id = parse_id(request.GET.get("chain"))
    return request.GET.get("q", ""), chain_id, request.GET.get("sort", "")


@viewer_required
def people_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The people directory as searched on screen, every page of it, as CSV."""
    return _csv_response(exporting.people_export(request.user, *_people_params(request)), "people")


def _csv_response(lines, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="vcc-{name}-{stamp}.csv"'
    return response


@viewer_required
def people(request: HttpRequest) -> HttpResponse:
    q, chain_id, sort = _people_params(request)
    page = selectors.people_directory(request.user, q, chain_id, sort, request.GET.get("cursor"))
    context = {
        "page": page,
        "rows": _people_rows(page.rows),
        "q": q,
        "sort": sort,
        "chain_id": chain_id,
        "chains": seen_chains(request.user),
        "query": _query_without(request, "cursor"),
    }
    return render(request, _fragment(request, "partners/people.html", "results"), context)


# --- partner page ----------------------------------------------------------------------------


def _tab_context(access, tab: str) -> dict:
    """What every rendering of the partner page's tabs needs: the tabs (its own, then those
    of the apps above, then the history) and the one shown."""
    tabs = {**OWN_TABS, **{key: s.label for key, s in hooks.PARTNER_TABS.items()}}
    tabs["history"] = "Change history"
    tab = tab if tab in tabs else "overview"
    return {"access": access, "partner": access.partner, "tab": tab, "tabs": tabs}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_partner_for_user(request, pk)
    tab = request.GET.get("tab", "overview")
    context = _tab_context(access, tab)
    tab, section = context["tab"], hooks.PARTNER_TABS.get(context["tab"])
    if tab == "overview":
        context.update(selectors.partner_overview(access.partner, request.user))
    elif tab == "offers":
        context.update(selectors.partner_listings(access.partner))
    elif tab == "timeline":
        context.update(_timeline_context(request, access))
    elif section is not None:
        context.update(section.context(request, access), section_template=section.template)
    else:
        context["history"] = selectors.partner_history(access.partner, request.GET.get("cursor"))
    return render(request, _fragment(request, "partners/detail.html", "tab"), context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    chains = active_chains(request.user)
    form = PartnerForm(request.POST or None)
    # The chain page's "Add a partner here" links pass the chain and stage to start from.
    initial = {"value_chain": request.GET.get("chain"), "stages": request.GET.getlist("stage")}
    participation_form = ParticipationForm(
        request.POST or None, chains=chains, prefix="p", initial=initial
    )
    if request.method == "POST" and form.is_valid() and participation_form.is_valid():
        partner = services.create_partner(
            values=form.cleaned_data, participation=participation_form.cleaned_data, by=request.user
        )
        messages.success(request, f"{partner.name} was added to the directory.")
        return redirect(partner)
    context = {"form": form, "participation_form": participation_form}
    return render(request, "partners/partner_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_partner_for_user(request, pk, write=True)
    form = PartnerForm(request.POST or None, instance=access.partner)
    if request.method == "POST" and form.is_valid():
        services.update_partner(access.partner, values=form.cleaned_data, by=request.user)
        messages.success(request, "The profile was saved.")
        return redirect(access.partner)
    return render(request, "partners/partner_form.html", {"form": form, "access": access})


# --- offers and needs ------------------------------------------------------------------------


def _listing_kind(kind: str):
    if kind not in LISTINGS:
        raise Http404
    return LISTINGS[kind]


def _offers_tab(request: HttpRequest, access) -> HttpResponse:
    """After an htmx save: re-render the offers-and-needs tab in place when the form sits in
    the partner page; from the form's own page (no tab to swap) go to the partner's tab."""
    page = reverse("partners:detail", args=[access.partner.pk])
    current = (request.htmx.current_url_abs_path or "").split("?")[0]
    if current != page:
        return HttpResponseClientRedirect(page + "?tab=offers")
    context = _tab_context(access, "offers")
    context.update(selectors.partner_listings(access.partner))
    response = render(request, "partners/detail.html#tab", context)
    return reswap(retarget(response, "#tab"), "outerHTML")


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, pk: int, kind: str, listing_pk: int | None = None):
    model, form_class = _listing_kind(kind)
    access = get_partner_for_user(request, pk, write=True)
    instance = None
    if listing_pk is not None:
        instance = get_object_or_404(model, pk=listing_pk, partner=access.partner)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        listing = services.save_listing(
            access.partner, kind=model, values=form.cleaned_data, listing=instance, by=request.user
        )
        messages.success(request, f"{listing._meta.verbose_name.capitalize()} saved.")
        if request.htmx:
            return _offers_tab(request, access)
        return redirect(reverse("partners:detail", args=[pk]) + "?tab=offers")
    context = {"form": form, "access": access, "partner": access.partner, "kind": kind}
    return render(request, _fragment(request, "partners/listing_form.html", "form"), context)


@login_required
@require_POST
def listing_delete(request: HttpRequest, pk: int, kind: str, listing_pk: int) -> HttpResponse:
    model, _ = _listing_kind(kind)
    access = get_partner_for_user(request, pk, write=True)
    listing = get_object_or_404(model, pk=listing_pk, partner=access.partner)
    services.delete_listing(listing, by=request.user)
    messages.success(request, f"{model._meta.verbose_name.capitalize()} removed.")
    if request.htmx:
        return _offers_tab(request, access)
    return redirect(reverse("partners:detail", args=[pk]) + "?tab=offers")


# --- interactions ----------------------------------------------------------------------------


def _timeline_context(request: HttpRequest, access, form=None) -> dict:
    timeline = selectors.partner_timeline(
        access.partner, coordinator=access.sees_all, cursor=request.GET.get("cursor")
    )
    if form is None and access.can_coordinate:
        form = InteractionForm(people=Person.objects.filter(affiliations__partner=access.partner))
    return {"timeline": timeline, "interaction_form": form}


@coordinator_required
@require_POST
def log_interaction(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick-log from the partner page: on an htmx post the timeline re-renders in place."""
    access = get_partner_for_user(request, pk, coordinate=True)
    people = Person.objects.filter(affiliations__partner=access.partner)
    form = InteractionForm(request.POST, people=people)
    if form.is_valid():
        services.log_interaction(
            partners=[access.partner], values=form.cleaned_data, by=request.user
        )
        messages.success(request, "Interaction logged.")
        if not request.htmx:
            return redirect(reverse("partners:detail", args=[pk]) + "?tab=timeline")
        form = None
    elif not request.htmx:
        messages.error(request, "The interaction was not logged: see the form below.")
    context = _tab_context(access, "timeline")
    context.update(_timeline_context(request, access, form))
    return render(request, _fragment(request, "partners/detail.html", "tab"), context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def person_log_interaction(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick-log from a person's page, with the partners they work at."""
    person = get_person_for_user(request, pk)
    partners = list(
        Partner.objects.filter(
            affiliations__person=person,
            participations__value_chain__in=coordinated_chains(request.user),
        ).distinct()
    )
    form = InteractionForm(
        request.POST or None,
        people=Person.objects.filter(pk=person.pk),
        initial={"people": [person.pk]},
    )
    if request.method == "POST" and form.is_valid():
        services.log_interaction(partners=partners, values=form.cleaned_data, by=request.user)
        messages.success(request, "Interaction logged.")
        return redirect(person)
    context = {
        "person": person,
        "affiliations": selectors.person_affiliations(person),
        "timeline": selectors.person_timeline(person, request.GET.get("cursor")),
        "interaction_form": form,
    }
    return render(request, _fragment(request, "partners/person.html", "timeline"), context)


# --- coordinator-only parts of a partner -------------------------------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])
def participation_edit(request: HttpRequest, pk: int, participation_pk: int | None = None):
    access = get_partner_for_user(request, pk, coordinate=True)
    instance = None
    if participation_pk is not None:
        instance = get_object_or_404(
            Participation.objects.filter(value_chain__in=coordinated_chains(request.user)),
            pk=participation_pk,
            partner=access.partner,
        )
    form = ParticipationForm(
        request.POST or None,
        instance=instance,
        # A participation already held keeps its (perhaps archived) chain; new ones, active.
        chains=coordinated_chains(request.user) if instance else active_chains(request.user),
        partner=access.partner,
    )
    if request.method == "POST" and form.is_valid():
        services.save_participation(
            access.partner, values=form.cleaned_data, participation=instance, by=request.user
        )
        messages.success(request, "Participation saved.")
        return redirect(access.partner)
    title = "Change participation" if instance else f"Add {access.partner.name} to a value chain"
    context = {"form": form, "access": access, "partner": access.partner, "title": title}
    return render(request, "partners/simple_form.html", context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, pk: int, commitment_pk: int | None = None):
    access = get_partner_for_user(request, pk, coordinate=True)
    chains = coordinated_chains(request.user)
    instance = None
    if commitment_pk is not None:
        instance = get_object_or_404(
            Commitment, pk=commitment_pk, partner=access.partner, value_chain__in=chains
        )
    form = CommitmentForm(
        request.POST or None,
        instance=instance,
        partner=access.partner,
        # A new commitment is made in a chain that is not archived.
        chains=chains if instance else active_chains(request.user),
    )
    if request.method == "POST" and form.is_valid():
        services.save_commitment(
            access.partner, values=form.cleaned_data, commitment=instance, by=request.user
        )
        messages.success(request, "Commitment saved.")
        return redirect(access.partner)
    title = "Update commitment" if instance else "Record a commitment"
    context = {"form": form, "access": access, "partner": access.partner, "title": title}
    return render(request, "partners/simple_form.html", context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def interest_create(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_partner_for_user(request, pk, coordinate=True)
    chains = active_chains(request.user)
    form = InterestForm(request.POST or None, partner=access.partner, chains=chains)
    if request.method == "POST" and form.is_valid():
        services.save_interest(access.partner, values=form.cleaned_data, by=request.user)
        messages.success(request, "Interest recorded.")
        return redirect(access.partner)
    context = {
        "form": form,
        "access": access,
        "partner": access.partner,
        "title": "Record an interest",
        "intro": "Self: this partner's own; shared: held with a few others; common: the chain's.",
    }
    return render(request, "partners/simple_form.html", context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_partner_for_user(request, pk, coordinate=True)
    form = PersonForm(request.POST or None)
    affiliation = AffiliationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and affiliation.is_valid():
        person = services.add_person(
            access.partner,
            values=form.cleaned_data,
            title=affiliation.cleaned_data["title"],
            by=request.user,
        )
        messages.success(request, f"{person.full_name} was added to {access.partner.name}.")
        return redirect(access.partner)
    context = {"form": form, "affiliation": affiliation, "access": access}
    return render(request, "partners/person_form.html", context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_partner_for_user(request, pk, coordinate=True)
    form = InviteForm(request.POST or None, partner=access.partner)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        services.invite_person(person, access.partner, by=request.user)
        messages.success(request, f"An invitation is on its way to {person.email}.")
        return redirect(access.partner)
    context = {
        "form": form,
        "access": access,
        "partner": access.partner,
        "title": f"Invite someone at {access.partner.name} to sign in",
        "intro": "They get an email with a link to set a password; then they can keep the "
        "profile, offers and needs current themselves.",
        "submit_label": "Send invitation",
    }
    return render(request, "partners/simple_form.html", context)


# --- people ----------------------------------------------------------------------------------


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request, pk)
    context = {"person": person, "affiliations": selectors.person_affiliations(person)}
    if not request.htmx:  # htmx asks for the timeline fragment only
        context["sections"] = [
            {"template": s.template, **s.context(request, person)}
            for s in hooks.PERSON_SECTIONS.values()
        ]
    if person.user_coordinates and not request.htmx:
        context["sign_in_locked"] = selectors.sign_in_locked(person)
    if is_coordinator(request.user) or is_observer(request.user):
        context["timeline"] = selectors.person_timeline(person, request.GET.get("cursor"))
    if is_coordinator(request.user):
        context["interaction_form"] = InteractionForm(
            people=Person.objects.filter(pk=person.pk), initial={"people": [person.pk]}
        )
    return render(request, _fragment(request, "partners/person.html", "timeline"), context)


@login_required
@require_POST
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator lifts the sign-in lockout of a person of their chains."""
    person = get_person_for_user(request, pk)
    if not person.user_coordinates:
        raise PermissionDenied("Only the coordinators of this person's partners may unlock it.")
    if services.unlock_sign_in(person, by=request.user):
        messages.success(request, f"{person.full_name} can sign in again.")
    else:
        messages.info(request, f"{person.full_name}'s sign-in was not locked.")
    return redirect(person)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request, pk, write=True)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        services.update_person(person, values=form.cleaned_data, by=request.user)
        messages.success(request, "Saved.")
        return redirect(person)
    return render(request, "partners/person_form.html", {"form": form, "person": person})


# --- value chains ----------------------------------------------------------------------------


@viewer_required
def chains(request: HttpRequest) -> HttpResponse:
    all_chains = list(selectors.chains_overview(request.user))
    context = {
        "chains": [c for c in all_chains if not c.archived],
        "archived": [c for c in all_chains if c.archived],
    }
    return render(request, "partners/chains.html", context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def chain_create(request: HttpRequest) -> HttpResponse:
    """A new value chain; its creator coordinates it and goes on to set out its stages."""
    form = ValueChainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chain = services.create_value_chain(values=form.cleaned_data, by=request.user)
        messages.success(request, f"{chain.name} was created. Now set out its stages, in order.")
        return redirect("partners:chain_edit", pk=chain.pk)
    return render(request, "partners/chain_form.html", {"form": form})


def _chain_setup(request, chain, *, form=None, stage_form=None, rename=None, whole=False):
    """The chain's setup page (or, for an htmx stage action, its stages fragment)."""
    context = {
        "chain": chain,
        "form": form or ValueChainForm(instance=chain),
        "stage_form": stage_form or StageForm(chain=chain),
        "stages": selectors.chain_stages(chain),
        "rename": rename,  # (stage id, the StageForm with its errors) after a failed rename
    }
    template = "partners/chain_form.html"
    return render(request, template if whole else _fragment(request, template, "stages"), context)


def _back_to_setup(request, chain) -> HttpResponse:
    if request.htmx:
        return _chain_setup(request, chain)
    return redirect("partners:chain_edit", pk=chain.pk)


@coordinator_required
@require_http_methods(["GET", "POST"])
def chain_edit(request: HttpRequest, pk: int) -> HttpResponse:
    chain = get_chain_for_user(request, pk)
    form = ValueChainForm(request.POST or None, instance=chain)
    if request.method == "POST" and form.is_valid():
        services.update_value_chain(chain, values=form.cleaned_data, by=request.user)
        messages.success(request, "The value chain was saved.")
        return redirect(chain)
    return _chain_setup(request, chain, form=form, whole=True)


@coordinator_required
@require_POST
def chain_archive(request: HttpRequest, pk: int) -> HttpResponse:
    chain = get_chain_for_user(request, pk)
    archived = request.POST.get("archived") != "0"
    services.set_chain_archived(chain, archived=archived, by=request.user)
    if archived:
        messages.success(
            request, f"{chain.name} was archived: its data stays, restore it any time."
        )
    else:
        messages.success(request, f"{chain.name} was restored.")
    return redirect("partners:chains")


@coordinator_required
@require_http_methods(["GET", "POST"])
def chain_observers(request: HttpRequest, pk: int) -> HttpResponse:
    """The chain's observers (funders, board members: they read, change nothing); its
    coordinators add one by email, who is invited to sign in, or remove one."""
    chain = get_chain_for_user(request, pk)
    form = ObserverForm(request.POST or None, chain=chain)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        services.appoint_observer(chain, email=email, by=request.user)
        messages.success(
            request, f"{email} now observes {chain.name}; an invitation is on its way."
        )
        return redirect("partners:chain_observers", pk=chain.pk)
    context = {"chain": chain, "form": form, "observers": selectors.chain_observers(chain)}
    return render(request, "partners/chain_observers.html", context)


@coordinator_required
@require_POST
def chain_observer_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    chain = get_chain_for_user(request, pk)
    observer = get_object_or_404(chain.observers, pk=user_pk)
    services.remove_observer(chain, user=observer, by=request.user)
    messages.success(
        request, f"{observer.email or observer.username} no longer observes {chain.name}."
    )
    return redirect("partners:chain_observers", pk=chain.pk)


@coordinator_required
@require_POST
def stage_add(request: HttpRequest, pk: int) -> HttpResponse:
    chain = get_chain_for_user(request, pk)
    form = StageForm(request.POST, chain=chain)
    if not form.is_valid():
        return _chain_setup(request, chain, stage_form=form)
    stage = services.add_stage(chain, name=form.cleaned_data["name"], by=request.user)
    messages.success(request, f"Stage {stage.name} added.")
    return _back_to_setup(request, chain)


def _stage(request, pk: int, stage_pk: int):
    chain = get_chain_for_user(request, pk)
    return chain, get_object_or_404(Stage, pk=stage_pk, value_chain=chain)


@coordinator_required
@require_POST
def stage_rename(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    chain, stage = _stage(request, pk, stage_pk)
    form = StageForm(request.POST, chain=chain, stage=stage)
    if not form.is_valid():
        return _chain_setup(request, chain, rename=(stage.pk, form))
    services.rename_stage(stage, name=form.cleaned_data["name"], by=request.user)
    messages.success(request, f"Stage renamed to {stage.name}.")
    return _back_to_setup(request, chain)


@coordinator_required
@require_POST
def stage_move(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    chain, stage = _stage(request, pk, stage_pk)
    services.move_stage(stage, up=request.POST.get("direction") == "up", by=request.user)
    return _back_to_setup(request, chain)


@coordinator_required
@require_POST
def stage_remove(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    chain, stage = _stage(request, pk, stage_pk)
    try:
        services.remove_stage(stage, by=request.user)
    except services.StageNotEmpty as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Stage {stage.name} removed.")
    return _back_to_setup(request, chain)


# --- the product taxonomy ----------------------------------------------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])
def products(request: HttpRequest) -> HttpResponse:
    """The product taxonomy: add a product under a parent, merge two into one."""
    add_form = ProductForm(request.POST if "add" in request.POST else None, prefix="add")
    merge_form = ProductMergeForm(request.POST if "merge" in request.POST else None, prefix="m")
    if request.method == "POST" and add_form.is_bound and add_form.is_valid():
        product = services.add_product(
            name=add_form.cleaned_data["name"],
            parent=add_form.cleaned_data["parent"],
            by=request.user,
        )
        messages.success(request, f"{product.name} was added.")
        return redirect("partners:products")
    if request.method == "POST" and merge_form.is_bound and merge_form.is_valid():
        loser, survivor = merge_form.cleaned_data["loser"], merge_form.cleaned_data["survivor"]
        name = loser.name
        services.merge_products(loser=loser, survivor=survivor, by=request.user)
        messages.success(request, f"{name} was merged into {survivor.name}.")
        return redirect("partners:products")
    context = {
        "add_form": add_form,
        "merge_form": merge_form,
        "products": selectors.product_tree(),
    }
    return render(request, "partners/products.html", context)


@viewer_required
def chain(request: HttpRequest, pk: int) -> HttpResponse:
    value_chain = get_chain_for_user(request, pk, read=True)
    context = {
        "chain": value_chain,
        "stages": selectors.value_chain_map(value_chain),
        "unstaged": selectors.unstaged_participations(value_chain),
    }
    return render(request, "partners/chain.html", context)


# --- a partner's own organisation -----------------------------------------------------------


@login_required
def my_organisation(request: HttpRequest) -> HttpResponse:
    """A partner member's own organisation: straight to it, or a choice if they have several."""
    partner_ids = member_partner_ids(request.user)
    if len(partner_ids) == 1:
        return redirect("partners:detail", pk=partner_ids[0])
    organisations = Partner.objects.filter(pk__in=partner_ids).order_by("name")
    return render(request, "partners/my_organisation.html", {"organisations": organisations})
