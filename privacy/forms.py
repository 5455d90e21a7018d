from django import forms


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand: this cannot be undone",
        error_messages={"required": "Tick the box to confirm the erasure."},
    )
