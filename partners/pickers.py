"""Person pickers limited to one value chain: each choice reads "Thandi Nkosi — Umvoti Timber",
and a long list gets a search box that asks /people/pick/ for matching <option>s as you type
(htmx). Without JavaScript the plain select, already limited to the chain, still works.
Shared here (the lowest app that needs it) so convenings and matchmaking use one picker."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .models import Affiliation, Person
from .permissions import get_chain_for_user
from .selectors import chain_partners, chain_people

# More choices than this and the picker shows its search box.
SEARCH_FROM = 20


def people_of_chains(chain_ids) -> QuerySet[Person]:
    """People of the chains' partners, each with `chain_affiliations` (partner joined) for the
    organisation beside the name: one query, plus one for the prefetch."""
    return (
        Person.objects.filter(affiliations__partner__participations__value_chain__in=chain_ids)
        .distinct()
        .order_by("last_name", "first_name", "id")
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(
                    partner__participations__value_chain__in=chain_ids
                )
                .select_related("partner")
                .distinct()
                .order_by("partner__name"),
                to_attr="chain_affiliations",
            )
        )
    )


def person_label(person: Person) -> str:
    """ "Thandi Nkosi — Umvoti Timber" (organisations of the chain, when prefetched)."""
    affiliations = getattr(person, "chain_affiliations", None)
    if not affiliations:
        return person.full_name
    return f"{person.full_name} — {', '.join(a.partner.name for a in affiliations)}"


class PersonPicker(forms.Select):
    """A select of people; with `chain_id` set and a long list, a search box above it fetches
    matching options from partners:people_pick into the select."""

    template_name = "partners/widgets/person_picker.html"
    chain_id: int | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        count = len(self.choices) if isinstance(self.choices, list) else SEARCH_FROM + 1
        if self.chain_id and count > SEARCH_FROM:
            multiple = int(self.allow_multiple_selected)
            context["pick_url"] = (
                reverse("partners:people_pick")
                + f"?chain={self.chain_id}&multiple={multiple}&field={name}"
            )
        return context


class PersonMultiplePicker(PersonPicker, forms.SelectMultiple):
    allow_multiple_selected = True


def partner_label(partner) -> str:
    """ "Riverbend Farm (Fresno)": the region tells two partners of one name apart."""
    return f"{partner.name} ({partner.region})" if partner.region else partner.name


class PartnerPicker(forms.Select):
    """A select of partners; with `chain_id` set and a long list, a search box above it fetches
    matching options from partners:partners_pick (leaving out `exclude_id`) into the select."""

    template_name = "partners/widgets/person_picker.html"
    chain_id: int | None = None
    exclude_id: int | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        count = len(self.choices) if isinstance(self.choices, list) else SEARCH_FROM + 1
        if self.chain_id and count > SEARCH_FROM:
            context["pick_url"] = (
                reverse("partners:partners_pick")
                + f"?chain={self.chain_id}&exclude={self.exclude_id or ''}"
            )
            context["pick_placeholder"] = "Search by name"
        return context


def limit_to_chain(field: forms.ModelChoiceField, chain_id: int | None, people) -> None:
    """Make `field` a picker of `people` (people_of_chains) with the organisation beside each
    name, searchable within `chain_id`."""
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    field.widget = PersonMultiplePicker() if multiple else PersonPicker()
    field.queryset = people
    field.label_from_instance = person_label
    field.widget.chain_id = chain_id


def _picker_chain(request: HttpRequest):
    raw = request.GET.get("chain", "")
    return get_chain_for_user(request, int(raw) if raw.isdigit() and len(raw) < 19 else 0)


@login_required
def partners_pick(request: HttpRequest) -> HttpResponse:
    """<option>s of the chain's partners matching `q` (by name), for a picker's search box.
    The chain's coordinators only: 404 for everyone else."""
    chain = _picker_chain(request)
    exclude = request.GET.get("exclude", "")
    rows = [
        p for p in chain_partners(chain.pk, request.GET.get("q", "")[:100]) if str(p.pk) != exclude
    ]
    options = [(p.pk, partner_label(p)) for p in rows]
    return render(request, "partners/partners_pick.html", {"options": options})


@login_required
def people_pick(request: HttpRequest) -> HttpResponse:
    """<option>s of the chain's people matching `q` (name or organisation), for a picker's
    search box. The chain's coordinators only: 404 for everyone else."""
    chain = _picker_chain(request)
    multiple = request.GET.get("multiple") == "1"
    rows = chain_people(chain.pk, request.GET.get("q", "")[:100])
    # A multiple picker keeps what is already chosen (sent along by hx-include) at the top.
    chosen = [v for v in request.GET.getlist(request.GET.get("field", ""))[:200] if v.isdigit()]
    kept = chain_people(chain.pk, person_ids=chosen) if multiple and chosen else []
    kept_ids = {a.person_id for a in kept}
    rows = [a for a in rows if a.person_id not in kept_ids]
    context = {"rows": rows, "kept": kept, "multiple": multiple}
    return render(request, "partners/people_pick.html", context)
