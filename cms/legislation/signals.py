"""Publishing an update is a domain event: subscribers (notifications, search) hear of it
through the one event path, after the publication commits."""

from wagtail.signals import page_published

from cms.legislation.models import LegislativeUpdatePage
from cms.selectors import association_for_page
from config.events import emit


def announce_update_published(sender, instance: LegislativeUpdatePage, **kwargs) -> None:
    """Every publication is announced (a republished update usually carries a new status).
    Subscribers decide who may see it: a members-only update is published too."""
    association = association_for_page(instance)
    emit("update_published", page_id=instance.pk, association_id=association.pk if association else None)


def connect() -> None:
    page_published.connect(
        announce_update_published, sender=LegislativeUpdatePage, dispatch_uid="legislation.update_published"
    )
