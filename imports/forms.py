"""Forms of the import: the upload, the column mapping, a corrected file."""

from __future__ import annotations

from django import forms

from partners.permissions import active_chains

from .columns import FIELDS, near_matches
from .models import DuplicateAction, ImportKind
from .services import max_upload_bytes
from .spreadsheet import SpreadsheetError


class FileField(forms.FileField):
    """A spreadsheet: its bytes read and checked (size, encoding, headers) on validation."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is None:
            return None
        from .services import check_upload

        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1e6:.1f} MB; the limit is "
                f"{max_upload_bytes() / 1e6:.0f} MB. Split it into smaller files."
            )
        content = upload.read()
        try:
            check_upload(upload.name, content)
        except SpreadsheetError as error:
            raise forms.ValidationError(str(error)) from None
        return upload.name, content


class UploadForm(forms.Form):
    value_chain = forms.ModelChoiceField(queryset=None, label="Into value chain", empty_label=None)
    kind = forms.ChoiceField(choices=ImportKind.choices, label="The file lists")
    file = FileField(
        label="Spreadsheet",
        help_text=(
            "A .csv, .xlsx, .xls or .ods file with a header row. Of a workbook, the first "
            "sheet with data is read."
        ),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_chain"].queryset = active_chains(user).order_by("name")


class ReplaceFileForm(forms.Form):
    file = FileField(label="Corrected file", help_text="The same columns; the mapping is kept.")


class MappingForm(forms.Form):
    """One choice per column of the file: which field it holds, or nothing."""

    duplicate_action = forms.ChoiceField(
        choices=DuplicateAction.choices,
        label="Likely duplicates of existing records",
        widget=forms.RadioSelect,
    )

    def __init__(self, job, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {"duplicate_action": job.duplicate_action}
            | {f"col_{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)},
        )
        super().__init__(*args, **kwargs)
        self.job = job
        self.kind_fields = FIELDS[job.kind]
        choices = [("", "— not imported —")] + [
            (f.name, f"{f.label}{' (required)' if f.required else ''}") for f in self.kind_fields
        ]
        self.columns = []
        near = near_matches(job.kind, job.headers, job.mapping)
        for i, header in enumerate(job.headers):
            name = f"col_{i}"
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=header,
                help_text=(
                    f"Guessed as “{near[header]}”: the header is close to it. Check it."
                    if header in near
                    else ""
                ),
            )
            self.columns.append((header, name))
        if job.kind not in (ImportKind.PARTNERS, ImportKind.PEOPLE):
            del self.fields["duplicate_action"]

    def column_fields(self):
        return [self[name] for _, name in self.columns]

    def clean(self):
        data = super().clean()
        chosen: dict[str, list[str]] = {}
        for _header, name in self.columns:
            if data.get(name):
                chosen.setdefault(data[name], []).append(name)
        labels = {f.name: f.label for f in self.kind_fields}
        for field_name, names in chosen.items():
            if len(names) > 1:
                for name in names:
                    self.add_error(name, f"Only one column can be “{labels[field_name]}”.")
        for f in self.kind_fields:
            if f.required and f.name not in chosen:
                self.add_error(None, f"Choose the column that holds “{f.label}” (required).")
        return data

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(name) or "" for header, name in self.columns}
