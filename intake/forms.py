"""The coordinator's form set-up, the public answers form (what a form asks, with a honeypot),
and the accept and reject decisions."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from partners.models import ChainRole, PartnerKind, Period

from .models import IntakeForm, IntakeSubmission, Section

HONEYPOT = "nickname"


class IntakeFormForm(forms.ModelForm):
    sections = forms.MultipleChoiceField(
        choices=Section.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What it asks",
        help_text="The organisation's name is always asked.",
    )

    class Meta:
        model = IntakeForm
        fields = ["value_chain", "title", "intro", "sections", "closes_on", "is_open"]
        labels = {
            "value_chain": "Value chain",
            "intro": "Introduction",
            "closes_on": "Closes after",
            "is_open": "Open for answers",
        }
        help_texts = {
            "intro": "Shown above the questions: who you are and what happens with the answers.",
            "closes_on": "The last day it takes answers. Empty: until you close it.",
        }
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_chain"].queryset = chains
        self.fields["value_chain"].empty_label = None
        if self.instance.pk:
            del self.fields["value_chain"]

    def clean_closes_on(self):
        closes_on = self.cleaned_data.get("closes_on")
        if closes_on and closes_on < timezone.localdate() and self.instance.closes_on != closes_on:
            raise forms.ValidationError(
                "That day has passed: the form would be closed at once. Choose today or later."
            )
        return closes_on


def _decimal(label):
    return forms.DecimalField(
        label=label, required=False, min_value=0.01, max_digits=12, decimal_places=2
    )


class AnswersForm(forms.ModelForm):
    """The public form: the fields of the sections the intake form asks, and a honeypot (a
    field people never see, which bots fill)."""

    nickname = forms.CharField(required=False, max_length=100, label="Leave this empty")

    class Meta:
        model = IntakeSubmission
        fields = [
            "partner_name",
            "kind",
            "website",
            "region",
            "description",
            "first_name",
            "last_name",
            "email",
            "phone",
            "offer_product",
            "offer_volume",
            "offer_unit",
            "offer_period",
            "need_product",
            "need_volume",
            "need_unit",
            "need_period",
        ]
        labels = {
            "partner_name": "Organisation's name",
            "description": "What your organisation does",
            "first_name": "Your first name",
            "last_name": "Your last name",
            "email": "Your email",
            "phone": "Your phone",
            "offer_product": "What you offer",
            "offer_volume": "How much",
            "offer_unit": "Unit",
            "offer_period": "Per",
            "need_product": "What you need",
            "need_volume": "How much",
            "need_unit": "Unit",
            "need_period": "Per",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}

    SECTION_FIELDS = {
        Section.KIND: ["kind"],
        Section.WEBSITE: ["website"],
        Section.REGION: ["region"],
        Section.DESCRIPTION: ["description"],
        Section.PERSON: ["first_name", "last_name", "email", "phone"],
        Section.OFFER: ["offer_product", "offer_volume", "offer_unit", "offer_period"],
        Section.NEED: ["need_product", "need_volume", "need_unit", "need_period"],
    }

    def __init__(self, *args, intake_form: IntakeForm, **kwargs):
        super().__init__(*args, **kwargs)
        self.intake_form = intake_form
        self.fields["kind"] = forms.ChoiceField(
            choices=[("", "Choose…"), *PartnerKind.choices],
            required=False,
            label="Kind of organisation",
        )
        self.fields["website"] = forms.URLField(
            required=False, max_length=200, assume_scheme="https", label="Website"
        )
        self.fields["email"] = forms.EmailField(required=False, max_length=254, label="Your email")
        self.fields["offer_volume"] = _decimal("How much")
        self.fields["need_volume"] = _decimal("How much")
        for name in ("offer_period", "need_period"):
            self.fields[name] = forms.ChoiceField(
                choices=Period.choices, required=False, initial=Period.YEAR, label="Per"
            )
        asked = {"partner_name", HONEYPOT}
        for section, names in self.SECTION_FIELDS.items():
            if intake_form.asks(section):
                asked.update(names)
        for name in list(self.fields):
            if name not in asked:
                del self.fields[name]
        if "first_name" in self.fields:
            self.fields["first_name"].required = True
            self.fields["email"].required = True
        for field in self.fields.values():
            max_length = getattr(field, "max_length", None)
            if max_length:
                field.widget.attrs.setdefault("maxlength", max_length)
        self.fields[HONEYPOT].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean(self):
        data = super().clean()
        for prefix, what in (("offer", "offer"), ("need", "need")):
            if f"{prefix}_product" not in self.fields:
                continue
            product = data.get(f"{prefix}_product")
            volume = data.get(f"{prefix}_volume")
            unit = data.get(f"{prefix}_unit")
            if product and volume is None and f"{prefix}_volume" not in self.errors:
                self.add_error(f"{prefix}_volume", f"How much of it you {what}, as a number.")
            if product and not unit:
                self.add_error(f"{prefix}_unit", "The unit: kg, t, crates, m³...")
            if not product and (volume is not None or unit):
                self.add_error(f"{prefix}_product", f"Which product you {what}.")
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT))

    def answers(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != HONEYPOT and value not in (None, "")
        }


class AcceptForm(forms.Form):
    target = forms.ChoiceField(label="Make it", widget=forms.RadioSelect)
    chain_role = forms.ChoiceField(
        choices=[("", "Choose…"), *ChainRole.choices],
        required=False,
        label="Role in the chain (for a new partner)",
    )

    def __init__(self, *args, submission: IntakeSubmission, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("new", f"A new partner: {submission.partner_name}")]
        if submission.duplicate_id:
            choices.insert(
                0,
                (
                    str(submission.duplicate_id),
                    f"An update of {submission.duplicate.name} ({submission.duplicate_reason})",
                ),
            )
        self.fields["target"].choices = choices
        self.fields["target"].initial = choices[0][0]

    def clean(self):
        data = super().clean()
        if data.get("target") == "new" and not data.get("chain_role"):
            self.add_error("chain_role", "A new partner needs its role in the chain.")
        return data


class RejectForm(forms.Form):
    note = forms.CharField(
        label="Why (kept with the answers)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
    )
