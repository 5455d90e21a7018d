from django import template

from matchmaking.permissions import suggestion_chain_ids

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for per-row forms in a list."""
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def suggestions_shown(context, access) -> bool:
    """Whether the signed-in user may read suggestions about the partner of `access` (a
    PartnerAccess): its coordinators always (no query), its people when a chain shares them."""
    if access.can_coordinate:
        return True
    return bool(suggestion_chain_ids(context["request"].user, access.partner.pk))
