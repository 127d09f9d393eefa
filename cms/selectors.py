"""Reads shared by the association sites' page types."""

from wagtail.models import Page

from members.models import Association


def association_for_page(page: Page) -> Association | None:
    """The association whose site holds `page` (None on the Comity portal itself)."""
    from cms.models import AssociationHomePage

    home = AssociationHomePage.objects.ancestor_of(page, inclusive=True).first()
    if home is None:
        return None
    return Association.objects.filter(home_page_id=home.pk).first()
