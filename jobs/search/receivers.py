"""Wagtail's page signals are where listings change; each receiver hands over to the service."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from ..models import JobPage
from ..search_tasks import listing_index_enqueue


@receiver(page_published, sender=JobPage)
@receiver(page_unpublished, sender=JobPage)
def _listing_published_or_unpublished(sender, instance, **kwargs):
    listing_index_enqueue(page_id=instance.pk)


@receiver(post_delete, sender=JobPage)
def _listing_deleted(sender, instance, **kwargs):
    listing_index_enqueue(page_id=instance.pk)
