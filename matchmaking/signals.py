"""A saved or removed offer or need (by a coordinator or the partner itself, wherever it is
saved) recomputes the suggestions it touches, in a Celery task queued once the change is
committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from partners.models import Need, Offer


@receiver(pre_delete, sender=Offer)
def offer_removing(sender, instance, **kwargs) -> None:
    """Its suggestions go with it: note the needs they were for, which the task refills."""
    from .models import Suggestion

    instance._suggested_for = sorted(
        set(Suggestion.objects.filter(offer_id=instance.pk).values_list("need_id", flat=True))
    )


@receiver(post_save, sender=Offer)
@receiver(post_save, sender=Need)
@receiver(post_delete, sender=Offer)
@receiver(post_delete, sender=Need)
def listing_changed(sender, instance, **kwargs) -> None:
    from .tasks import recompute_listing

    kind = "offer" if sender is Offer else "need"
    listing_id, product_id = instance.pk, instance.product_id
    need_ids = getattr(instance, "_suggested_for", None)
    transaction.on_commit(lambda: recompute_listing.delay(kind, listing_id, product_id, need_ids))
