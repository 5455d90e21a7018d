"""Database ids read from a request: what a query string or a form may carry as an id.

A query string is whatever a visitor types or an old link keeps: "99999999999999999999", "-1",
"abc", "1.5". None of them is an id, and none may reach the database (an integer beyond 64
bits is an OverflowError on SQLite and an error on PostgreSQL: a 500). Every filter that reads
an id parses it here, so an id that cannot be one is no filter."""

from __future__ import annotations

from django import forms

# The largest value of a bigint (PostgreSQL) or an INTEGER (SQLite) column.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """`value` (a str from request.GET, or an int) as a database id; None unless it is a
    whole number from 1 to MAX_ID."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class IdField(forms.IntegerField):
    """A form field for an id: a whole number from 1 to MAX_ID, else a validation error
    (which a filter form drops: no filter)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value not in self.empty_values and parse_id(str(value).strip()) is None:
            raise forms.ValidationError("Not an id.", code="invalid")
        return super().to_python(value)
