"""A saved or removed offer or need (by a coordinator or the partner itself, wherever it is
saved) recomputes the suggestions it touches, in a Celery task queued once the change is
committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from partners.models import Need, Offer


@receiver(post_save, sender=Offer)
@receiver(post_save, sender=Need)
@receiver(post_delete, sender=Offer)
@receiver(post_delete, sender=Need)
def listing_changed(sender, instance, **kwargs) -> None:
    from .tasks import recompute_listing

    kind = "offer" if sender is Offer else "need"
    listing_id, product_id = instance.pk, instance.product_id
    transaction.on_commit(lambda: recompute_listing.delay(kind, listing_id, product_id))
