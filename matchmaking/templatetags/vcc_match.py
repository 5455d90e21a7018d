from django import template

from matchmaking.permissions import suggestion_chain_ids

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for per-row forms in a list."""
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def suggestions_shown(context, partner) -> bool:
    """Whether the signed-in user may read suggestions about `partner` (one query)."""
    return bool(suggestion_chain_ids(context["request"].user, partner.pk))
