from django import forms

from .models import DuplicateAction, ImportKind
from .reading import FIELDS


class UploadForm(forms.Form):
    value_chain = forms.ModelChoiceField(queryset=None, label="Into value chain")
    kind = forms.ChoiceField(choices=ImportKind.choices, label="The file lists")
    file = forms.FileField(
        help_text="A .csv (UTF-8) or .xlsx file, the first row naming the columns."
    )

    def __init__(self, *args, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_chain"].queryset = chains
        if chains.count() == 1:
            self.fields["value_chain"].initial = chains.first()


class MappingForm(forms.Form):
    """One menu per field of vcc: which column of the file fills it."""

    duplicates = forms.ChoiceField(
        choices=DuplicateAction.choices,
        widget=forms.RadioSelect,
        label="Rows that match a record already in vcc",
    )

    def __init__(self, *args, run, headers, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", "— not in the file —")] + [
            (str(i), h or f"Column {i + 1}") for i, h in enumerate(headers)
        ]
        for f in FIELDS[run.kind]:
            current = run.mapping.get(f.name)
            self.fields[f"map_{f.name}"] = forms.ChoiceField(
                choices=columns,
                required=f.required,
                label=f.label + (" (required)" if f.required else ""),
                initial="" if current is None else str(current),
                error_messages={"required": f"Choose the column that holds the {f.label.lower()}."},
            )
        self.fields["duplicates"].initial = run.duplicates

    def mapping(self) -> dict:
        return {
            name[4:]: (int(value) if value != "" else None)
            for name, value in self.cleaned_data.items()
            if name.startswith("map_")
        }

    def clean(self):
        data = super().clean()
        used = [v for k, v in data.items() if k.startswith("map_") and v not in ("", None)]
        if len(used) != len(set(used)):
            raise forms.ValidationError("A column can fill one field only.")
        return data

    def field_rows(self):
        return [self[name] for name in self.fields if name.startswith("map_")]
