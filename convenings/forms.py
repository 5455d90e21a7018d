"""Validation a user sees, beside the field."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone

from partners.models import ChainRole, Partner, Person, Stage
from partners.pickers import limit_to_chain, people_of_chains

from .models import TIME_ZONES, ActionItem, ActionStatus, Convening, Rsvp, WorkingGroup


class WorkingGroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["value_chain", "name", "problem", "lead", "members", "status"]
        widgets = {"problem": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, chains, people, chain_id=None, lead_edit=False, **kwargs):
        """`people`: pickers.people_of_chains of `chains` (a new group) or of its chain;
        `chain_id`: the chain the pickers search (the group's, or the only one)."""
        super().__init__(*args, **kwargs)
        self.fields["value_chain"].queryset = chains
        for name in ("lead", "members"):
            limit_to_chain(self.fields[name], chain_id, people)
        self.fields["members"].required = False
        if self.instance.pk:
            del self.fields["value_chain"]
        elif chain_id:
            # A new group's chain was chosen first (its people are the pickers' choices).
            self.fields["value_chain"].queryset = chains.filter(pk=chain_id)
            self.fields["value_chain"].widget = forms.HiddenInput()
            self.fields["value_chain"].initial = chain_id
        if lead_edit:
            # A lead edits the page, not who leads or belongs.
            for name in ("lead", "members"):
                self.fields.pop(name, None)

    def clean(self):
        data = super().clean()
        chain = (
            data.get("value_chain") or self.instance.value_chain_id and self.instance.value_chain
        )
        if chain is None:
            return data
        in_chain = set(
            Person.objects.filter(
                affiliations__partner__participations__value_chain=chain
            ).values_list("pk", flat=True)
        )
        lead = data.get("lead")
        if lead is not None and lead.pk not in in_chain:
            self.add_error("lead", f"Choose someone from a partner of {chain}.")
        outside = [p.full_name for p in data.get("members") or [] if p.pk not in in_chain]
        if outside:
            self.add_error("members", f"Not with a partner of {chain}: {', '.join(outside)}.")
        return data


TIME_ZONE_SET = frozenset(TIME_ZONES)


class ConveningForm(forms.ModelForm):
    """Start and end are read in the convening's own time zone."""

    time_zone = forms.ChoiceField(choices=[(z, z) for z in TIME_ZONES], label="Time zone")
    online_link = forms.URLField(required=False, assume_scheme="https", label="Online link")

    starts_at = forms.DateTimeField(
        label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Ends", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = Convening
        fields = [
            "kind",
            "title",
            "time_zone",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "agenda",
        ]
        widgets = {"agenda": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # The model's default was read once at import; the server's zone is read now. A
            # zone not in the list (a changed setting) is added, or the browser would show the
            # first zone in the list (Africa/Abidjan) as chosen.
            self.initial["time_zone"] = settings.TIME_ZONE
        zone = self.initial.get("time_zone") or settings.TIME_ZONE
        if zone not in TIME_ZONE_SET:
            self.fields["time_zone"].choices = [(zone, zone), *self.fields["time_zone"].choices]
        if self.instance.pk:
            self.initial["starts_at"] = self.instance.local_start.strftime("%Y-%m-%dT%H:%M")
            self.initial["ends_at"] = self.instance.local_end.strftime("%Y-%m-%dT%H:%M")

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone")
        if zone:
            tz = zoneinfo.ZoneInfo(zone)
            for name in ("starts_at", "ends_at"):
                value = data.get(name)
                if value is not None:
                    data[name] = timezone.make_aware(value.replace(tzinfo=None), tz)
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The end must be after the start.")
        if not data.get("place") and not data.get("online_link") and "place" not in self.errors:
            self.add_error("place", "Give a place or an online link.")
        return data


class InviteForm(forms.Form):
    partners = forms.ModelMultipleChoiceField(Partner.objects.none(), required=False)
    stages = forms.ModelMultipleChoiceField(Stage.objects.none(), required=False)
    chain_roles = forms.MultipleChoiceField(
        choices=ChainRole.choices, required=False, label="Chain roles"
    )
    groups = forms.ModelMultipleChoiceField(
        WorkingGroup.objects.none(), required=False, label="Working groups"
    )
    people = forms.ModelMultipleChoiceField(Person.objects.none(), required=False)

    def __init__(self, *args, convening, **kwargs):
        super().__init__(*args, **kwargs)
        if convening.is_past:
            # Invitations to a meeting already over go out only when the coordinator says so.
            self.fields["confirm_past"] = forms.BooleanField(
                required=True,
                label="Yes, invite them although the convening is over",
                error_messages={
                    "required": "This convening is already over. Tick here to invite anyway."
                },
            )
        chain = convening.value_chain_id
        self.fields["partners"].queryset = Partner.objects.filter(
            participations__value_chain=chain
        ).order_by("name")
        self.fields["stages"].queryset = Stage.objects.filter(value_chain=chain)
        self.fields["groups"].queryset = WorkingGroup.objects.filter(value_chain=chain)
        limit_to_chain(self.fields["people"], chain, people_of_chains([chain]))

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in self.fields if f != "confirm_past"):
            raise forms.ValidationError(
                "Choose at least one partner, stage, role, group or person."
            )
        return data


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(
        choices=[(v, label) for v, label in Rsvp.choices if v != Rsvp.PENDING],
        widget=forms.RadioSelect,
        label="Will you come?",
    )


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Convening
        fields = ["minutes", "decisions"]
        widgets = {
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "detail", "owner", "due_on", "status"]
        widgets = {
            "detail": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, chain_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        # The chain's people, each with their organisation, searchable when the list is long.
        limit_to_chain(self.fields["owner"], chain_id, people_of_chains([chain_id]))


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    due_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="New due date"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CancelConveningForm(forms.Form):
    note = forms.CharField(
        label="Message to the invitees (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why it is off, or what comes instead. Sent with the cancellation.",
    )
