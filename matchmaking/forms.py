"""Forms of matchmaking: the validation a user sees, beside each field."""

from __future__ import annotations

from django import forms
from django.db.models import F, Q
from django.utils import timezone

from partners.models import (
    Certification,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    Relationship,
    RelationshipKind,
)
from partners.selectors import main_contact

from .models import (
    OPEN,
    PIPELINE,
    VALUE_FIELDS,
    WEIGHT_FIELDS,
    Introduction,
    IntroductionStatus,
    MatchSettings,
)


class IntroductionForm(forms.ModelForm):
    """Introduce `partner_a` (fixed by the page) to a partner B found by search."""

    class Meta:
        model = Introduction
        fields = ["value_chain", "partner_b", "person_a", "person_b", "reason", "offer", "need"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "partner_b": "Introduce to",
            "person_a": "Contact on this side",
            "person_b": "Contact on the other side",
        }

    def __init__(self, *args, partner_a: Partner, chains, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_a = partner_a
        self.instance.partner_a = partner_a
        self.fields["value_chain"].queryset = chains.filter(participations__partner=partner_a)
        self.fields["value_chain"].empty_label = None
        # Any partner of the user's chains validates; the menu shows the search results.
        b = self.fields["partner_b"]
        b.queryset = Partner.objects.filter(participations__value_chain__in=chains).distinct()
        b.widget.choices = [("", "Choose from the search results")] + [
            (p.pk, f"{p.name} · {p.region}" if p.region else p.name) for p in candidates
        ]
        b.help_text = "Search by name, product or place above to list partners here."
        chosen_b = self.data.get("partner_b") if self.is_bound else None
        chosen_b = int(chosen_b) if chosen_b and str(chosen_b).isdigit() else None
        side_b = Q(partner_id=chosen_b) if chosen_b else Q(pk__in=[])
        # Each side's people only, with the organisation beside the name.
        org = F("affiliations__partner__name")
        self.fields["person_a"].queryset = Person.objects.filter(
            affiliations__partner=partner_a
        ).annotate(org=org)
        self.fields["person_b"].queryset = (
            Person.objects.filter(affiliations__partner_id=chosen_b).annotate(org=org)
            if chosen_b
            else Person.objects.none()
        )
        for name in ("person_a", "person_b"):
            self.fields[name].label_from_instance = lambda p: f"{p.full_name} — {p.org}"
        self.fields["offer"].queryset = Offer.objects.filter(
            Q(partner=partner_a) | side_b
        ).select_related("product", "partner")
        self.fields["need"].queryset = Need.objects.filter(
            Q(partner=partner_a) | side_b
        ).select_related("product", "partner")
        self.fields["offer"].label_from_instance = lambda o: f"{o.partner.name} offers {o.product}"
        self.fields["need"].label_from_instance = lambda n: f"{n.partner.name} needs {n.product}"
        self.fields["offer"].help_text = "The offer behind this introduction, if there is one."

    def clean(self):
        data = super().clean()
        b, chain = data.get("partner_b"), data.get("value_chain")
        if b is None:
            return data
        if b.pk == self.partner_a.pk:
            self.add_error("partner_b", "A partner cannot be introduced to itself.")
            return data
        if chain and not Participation.objects.filter(partner=b, value_chain=chain).exists():
            self.add_error("partner_b", f"{b.name} is not in {chain}; add them to it first.")
        already = Introduction.objects.filter(
            Q(partner_a=self.partner_a, partner_b=b) | Q(partner_a=b, partner_b=self.partner_a),
            status__in=OPEN,
        ).first()
        if already:
            self.add_error(
                "partner_b",
                f"{self.partner_a.name} and {b.name} already have an open introduction "
                f"({already.get_status_display().lower()}).",
            )
        return data


class MoveForm(forms.Form):
    """Move an introduction along the pipeline, with the outcome when it is trading."""

    status = forms.ChoiceField(choices=IntroductionStatus.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    annual_sales_value = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        label="Annual sales value",
        help_text="Needed when trading.",
    )
    annual_volume = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    volume_unit = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, introduction: Introduction, **kwargs):
        super().__init__(*args, **kwargs)
        self.introduction = introduction

    def clean(self):
        data = super().clean()
        trading = data.get("status") == IntroductionStatus.TRADING
        if (
            trading
            and data.get("annual_sales_value") is None
            and self.introduction.annual_sales_value is None
        ):
            self.add_error("annual_sales_value", "Give the annual sales value when trading.")
        return data


class FeedbackForm(MoveForm):
    """A partner says how an introduction is going."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [s for s in PIPELINE if s != IntroductionStatus.PROPOSED] + [
            IntroductionStatus.DECLINED
        ]
        self.fields["status"].choices = [(s.value, s.label) for s in allowed]
        self.fields["status"].label = "How is it going?"
        self.fields["note"].label = "Anything the coordinator should know"


# --- suggestions -------------------------------------------------------------------------------


class MatchSettingsForm(forms.ModelForm):
    """A chain's weights (0 to 1), the certifications it prefers, and its rules."""

    class Meta:
        model = MatchSettings
        fields = [
            *(f"weight_{f}" for f in WEIGHT_FIELDS),
            *(f"value_{f}" for f in VALUE_FIELDS),
            "preferred_certifications",
            "show_to_partners",
            "hold_back_days",
        ]
        widgets = {
            **{
                f"weight_{f}": forms.NumberInput(attrs={"step": "0.1", "min": 0, "max": 1})
                for f in WEIGHT_FIELDS
            },
            **{
                f"value_{f}": forms.NumberInput(attrs={"step": "0.1", "min": 0, "max": 1})
                for f in VALUE_FIELDS
            },
            "preferred_certifications": forms.CheckboxSelectMultiple,
        }
        labels = {
            "weight_product": "Product fit",
            "weight_season": "Season",
            "weight_volume": "Volume",
            "weight_certifications": "Preferred certifications",
            "weight_distance": "Distance",
            "weight_values": "Chain values",
            "value_small_producers": "Small and mid-sized producers",
            "value_locally_owned": "Locally owned",
            "value_diverse_ownership": "Women-, minority- or worker-owned",
            "value_new_entrants": "New entrants",
            "show_to_partners": "Show partners the suggestions for themselves",
            "hold_back_days": "Hold back a dismissed pair for (days)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_certifications"].queryset = Certification.objects.order_by("name")

    def clean(self):
        data = super().clean()
        weights = [data.get(f"weight_{f}") for f in WEIGHT_FIELDS]
        if all(w is not None for w in weights) and sum(weights) == 0:
            raise forms.ValidationError("Give at least one component a weight above 0.")
        return data

    def preview_settings(self) -> MatchSettings:
        """The settings as typed, unsaved, for the ranking preview."""
        settings = self.save(commit=False)
        settings.preferred_ids = [c.pk for c in self.cleaned_data["preferred_certifications"]]
        return settings


class DismissForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="Why this pair should not meet; kept with the pair.",
        error_messages={"required": "Say why, so the next coordinator knows."},
    )


class SnoozeForm(forms.Form):
    until = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The pair comes back after this day.",
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today.")
        return until


class RelationshipForm(forms.ModelForm):
    """A relationship of `partner` with another partner of the user's chains."""

    SIDES = [
        ("source", "This partner is the buyer / funder / provider / association"),
        ("target", "This partner is the supplier / grantee / assisted / member"),
    ]
    side = forms.ChoiceField(
        choices=SIDES, initial="source", widget=forms.RadioSelect, label="Which side"
    )
    other = forms.ModelChoiceField(queryset=Partner.objects.none(), label="With partner")

    class Meta:
        model = Relationship
        fields = ["kind", "began_on", "notes"]
        widgets = {
            "began_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"began_on": "Began on"}

    field_order = ["kind", "other", "side", "began_on", "notes"]

    def __init__(self, *args, partner, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.fields["other"].queryset = (
            Partner.objects.filter(
                participations__value_chain__in=chains.filter(participations__partner=partner)
            )
            .exclude(pk=partner.pk)
            .distinct()
            .order_by("name")
        )

    def clean(self):
        data = super().clean()
        other, kind = data.get("other"), data.get("kind")
        if other is None or kind is None:
            return data
        source, target = (
            (self.partner, other) if data.get("side") == "source" else (other, self.partner)
        )
        if kind == RelationshipKind.PEER and source.pk > target.pk:
            source, target = target, source  # peers: one row per pair, whichever way round
        if Relationship.objects.filter(source=source, target=target, kind=kind).exists():
            self.add_error("other", f"This relationship with {other.name} is already recorded.")
        self.instance.source, self.instance.target = source, target
        return data


class AcceptForm(forms.Form):
    """Accept a suggestion: the contact person on each side, chosen among that partner's people
    and prefilled with its main contact. A side with no people is accepted without one (and no
    follow-up goes to it)."""

    person_a = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    person_b = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)

    def __init__(self, *args, buyer: Partner, supplier: Partner, people_a, people_b, **kwargs):
        super().__init__(*args, **kwargs)
        for name, partner, people in (
            ("person_a", buyer, people_a),
            ("person_b", supplier, people_b),
        ):
            field = self.fields[name]
            field.queryset = people  # validates a choice (on POST)
            field.label = f"Contact at {partner.name}"
            listed = list(people)  # the menu, read once
            field.widget.choices = [(p.pk, f"{p.full_name} — {partner.name}") for p in listed]
            if listed:
                field.required = True
                field.initial = getattr(main_contact(listed), "pk", None)
                field.help_text = "Gets the “how did it go?” follow-up."
            else:
                field.widget = forms.HiddenInput()
                field.help_text = (
                    f"{partner.name} has no people recorded: no follow-up will be sent to them."
                )
