"""Small template filters used across vcc's pages."""

from django import template

register = template.Library()


@register.filter
def person_name(user, empty: str = "—") -> str:
    """A user's full name, else their sign-in name; `empty` when there is no user."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
