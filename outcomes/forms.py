"""The outcome report form: a period, sales through the chain, jobs, practices, certifications."""

from __future__ import annotations

from django import forms
from django.db.models import OuterRef, Q

from matchmaking.models import Introduction
from partners.models import Partner, Relationship, ValueChain
from partners.permissions import coordinates_chain

from .models import OutcomeReport


def counterparties(partner: Partner):
    """The partners this one has a relationship or an introduction with: whom it sells to."""
    related = Relationship.objects.filter(Q(source=partner) | Q(target=partner)).values_list(
        "source_id", "target_id"
    )
    introduced = Introduction.objects.filter(
        Q(partner_a=partner) | Q(partner_b=partner)
    ).values_list("partner_a_id", "partner_b_id")
    ids = {pk for pair in [*related, *introduced] for pk in pair} - {partner.pk}
    return Partner.objects.filter(pk__in=ids).order_by("name")


class OutcomeReportForm(forms.ModelForm):
    class Meta:
        model = OutcomeReport
        fields = [
            "value_chain",
            "period_start",
            "period_end",
            "sales_value",
            "sales_volume",
            "volume_unit",
            "sales_to",
            "jobs_created",
            "jobs_retained",
            "practices_adopted",
            "certifications_gained",
        ]
        labels = {
            "period_start": "Period from",
            "period_end": "Period to",
            "sales_value": "Sales through the chain (value)",
            "sales_volume": "Volume sold",
            "sales_to": "Sold to",
        }
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "practices_adopted": forms.Textarea(attrs={"rows": 3}),
            "certifications_gained": forms.CheckboxSelectMultiple,
        }

    def __init__(self, partner: Partner, chains, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.fields["value_chain"].queryset = chains
        self.fields["value_chain"].empty_label = None
        self.fields["sales_to"].queryset = counterparties(partner)
        self.fields[
            "sales_to"
        ].help_text = "A partner you have a relationship or an introduction with."

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period ends before it starts.")
        chain = data.get("value_chain")
        if start and chain:
            clash = OutcomeReport.objects.filter(
                partner=self.partner, value_chain=chain, period_start=start
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "period_start",
                    "There is already a report for this period: edit that one instead.",
                )
        if data.get("sales_volume") and not data.get("volume_unit"):
            self.add_error("volume_unit", "Give the unit of the volume (kg, t, m³...).")
        return data


def chains_for_report(partner: Partner, user, can_coordinate: bool, is_member: bool):
    """The chains a report may be for: the partner's, limited to the user's if a coordinator."""
    chains = ValueChain.objects.filter(participations__partner=partner)
    if not is_member:
        chains = chains.filter(coordinates_chain(user, OuterRef("pk")))
    return chains.order_by("name").distinct()


class DashboardFilterForm(forms.Form):
    chain = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All my chains (the whole network)"
    )
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, chains, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = chains

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end is before the start.")
        return data
