"""A saved or removed offer or need (by a coordinator or the partner itself, wherever it is
saved) recomputes that partner's suggestions once the change is committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from partners.models import Need, Offer


@receiver(post_save, sender=Offer)
@receiver(post_save, sender=Need)
@receiver(post_delete, sender=Offer)
@receiver(post_delete, sender=Need)
def listing_changed(sender, instance, **kwargs) -> None:
    from .tasks import recompute_partner

    partner_id, product_id = instance.partner_id, instance.product_id
    transaction.on_commit(lambda: recompute_partner.delay(partner_id, [product_id]))
