"""Small template filters used across vcc's pages."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from partners.money import format_money

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
    template loop over a long list (the products) costs milliseconds per page. Values and labels
    are escaped (html.escape, as Django's escape does for plain text)."""
    selected = "" if selected is None else str(selected)
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == selected else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )


@register.filter
def money(amount, currency: str = "") -> str:
    """An amount in a chain's currency with thousands separators: `{{ x|money:chain.currency }}`
    gives "R 1,800,000.00"."""
    return format_money(amount, currency)


@register.filter
def money0(amount, currency: str = "") -> str:
    """money in whole units, for totals: "R 1,800,000"."""
    return format_money(amount, currency, whole=True)
