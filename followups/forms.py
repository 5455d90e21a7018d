"""The task form: what a coordinator types, checked beside each field."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from partners.models import ValueChain

from .models import Task


class CoordinatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.username


class TaskForm(forms.ModelForm):
    """A task in one of `chains`, assigned to one of that chain's coordinators."""

    assignee = CoordinatorChoice(queryset=get_user_model().objects.none(), label="For")

    class Meta:
        model = Task
        fields = ["title", "due_on", "value_chain", "assignee", "notes"]
        labels = {"title": "What to do", "value_chain": "Value chain"}
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": "Call Thandi about the trial order"}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, chains, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_chain"].queryset = chains
        self.fields["value_chain"].empty_label = None
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(coordinated_chains__in=chains)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        if not self.instance.pk:
            self.initial.setdefault("assignee", user.pk)
            self.initial.setdefault("due_on", timezone.localdate())
        if "notes" in self.fields:
            self.fields["notes"].required = False

    def clean(self):
        data = super().clean()
        chain, assignee = data.get("value_chain"), data.get("assignee")
        if (
            chain
            and assignee
            and not ValueChain.coordinators.through.objects.filter(
                valuechain=chain, user=assignee
            ).exists()
        ):
            self.add_error(
                "assignee",
                f"{assignee.get_full_name() or assignee} does not "
                f"coordinate {chain.name}: pick one of its coordinators.",
            )
        return data


class QuickTaskForm(TaskForm):
    """My day's small form: for oneself (the full form picks a co-coordinator). `choices`,
    when given, are the chains as (id, name) already read, so the form reads nothing more."""

    class Meta(TaskForm.Meta):
        fields = ["title", "due_on", "value_chain"]

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["assignee"]
        if choices is not None:
            self.fields["value_chain"].choices = choices
