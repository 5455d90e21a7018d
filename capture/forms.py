from __future__ import annotations

from django import forms

from partners.models import Partner, Person


class AssignForm(forms.Form):
    """Who an unknown address is: a person found by email or name."""

    person = forms.CharField(
        label="Person",
        max_length=200,
        help_text="Their email or name, as in the people directory.",
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people  # a function: query -> queryset of visible people

    def clean_person(self) -> Person:
        query = self.cleaned_data["person"].strip()
        exact = self.people(query).filter(email__iexact=query)[:2]
        found = list(exact) or list(self.people(query)[:2])
        if not found:
            raise forms.ValidationError("Nobody you coordinate has that email or name.")
        if len(found) > 1:
            raise forms.ValidationError("More than one person matches: give their email.")
        return found[0]


class NewPersonForm(forms.Form):
    """The person behind an unknown address, at a partner of the message's chains."""

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label="Choose…")

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partner"].queryset = partners
