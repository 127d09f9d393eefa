import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class NewslettersConfig(AppConfig):
    name = "cms.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from wagtail.signals import page_published

        from cms.newsletters.models import NewsletterIssuePage

        page_published.connect(
            issue_published, sender=NewsletterIssuePage, dispatch_uid="newsletters.issue_published"
        )


def issue_published(sender, instance, **kwargs):
    """Every publication of an issue lands here; only the first one emails subscribers
    (services.start_delivery keeps one delivery per issue)."""
    from cms.newsletters.services import start_delivery

    try:
        start_delivery(instance)
    except Exception:
        # The page is already live: the editor should not see an error page for it. The
        # delivery's writes rolled back with its savepoint, so nothing half-done remains.
        logger.exception("could not start the email delivery of newsletter issue %s", instance.pk)
