"""`{% page_actions obj %}`: the links higher apps add to a lower app's page (vcc.hooks)."""

from django import template
from django.utils.html import format_html, format_html_join

from vcc import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def page_actions(context, obj) -> str:
    """The registered (label, url) links for `obj`, as secondary buttons."""
    user = context["request"].user
    links = [link for action in hooks.PAGE_ACTIONS.values() if (link := action(user, obj))]
    return format_html_join(
        "", '<a class="btn secondary" href="{1}">{0}</a>', ((label, url) for label, url in links)
    ) or format_html("")
