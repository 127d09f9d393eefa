"""Forum test data, built through the same services the site uses."""

import factory

from forum import services
from forum.models import Category
from tests.factories import AssociationFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    association = factory.SubFactory(AssociationFactory)
    name = factory.Sequence(lambda n: f"Interstate & UIFSA {n}")
    slug = factory.Sequence(lambda n: f"interstate-uifsa-{n}")
    description = "Registering and enforcing orders across state lines."
    visibility = Category.Visibility.MEMBERS


def make_topic(author, category, *, kind="question", title="Registering an order for enforcement only",
               body="Which documents does your tribunal require?", **kwargs):
    return services.create_topic(author, category, kind=kind, title=title, body=body, **kwargs)


def make_reply(author, topic, body="We file the certified copy with a Transmittal #1.", **kwargs):
    return services.reply(author, topic, body=body, **kwargs)


def checked(*attachments):
    """The attachments as they are once the confidential-data check has read them and found
    nothing (until then only their uploader and moderators may open them). The check itself
    is tested in test_extraction.py and test_quarantine.py."""
    from forum.models import Attachment

    Attachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]).update(
        extraction_status=Attachment.Extraction.DONE
    )
    for attachment in attachments:
        attachment.extraction_status = Attachment.Extraction.DONE
    return attachments
