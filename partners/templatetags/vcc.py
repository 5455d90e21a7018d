"""Small template filters used across vcc's pages."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def person_name(user, empty: str = "—") -> str:
    """A user's full name, else their sign-in name; `empty` when there is no user."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


@register.simple_tag
def options(choices, selected=None):
    """`<option>`s for (value, label) pairs, `selected` marked: one join in Python, where a
    template loop over a long list (the products) costs milliseconds per page."""
    selected = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == selected else "", label)
            for value, label in choices
        ),
    )
