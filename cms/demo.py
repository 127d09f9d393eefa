"""Demo pages for `manage.py seed_demo`: the Comity portal and one site per association."""

from django.db import transaction
from wagtail.models import Page, Site

from cms.models import AssociationHomePage, HomePage
from members.demo import DEMO_ASSOCIATIONS
from members.models import Association

PORTAL_INTRO = (
    "<p>Comity is where child support enforcement professionals ask practice questions, share "
    "procedures across jurisdictions, and follow their associations' newsletters, legislative "
    "updates and events.</p>"
)


def seed_portal() -> HomePage:
    portal = HomePage.objects.first()
    if portal is None:
        root = Page.get_first_root_node()
        portal = root.add_child(instance=HomePage(title="Comity", slug="comity", intro=PORTAL_INTRO))
    # Wagtail's first migration makes a placeholder "Welcome" page and points the default
    # site at it; the portal takes its place.
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=portal, is_default_site=True, site_name="Comity")
    elif site.root_page_id != portal.pk:
        placeholder = site.root_page
        site.root_page = portal
        site.site_name = "Comity"
        site.save()
        if type(placeholder.specific) is Page and not placeholder.get_children().exists():
            placeholder.delete()
    return portal


def seed_association_sites(portal: HomePage) -> None:
    for demo in DEMO_ASSOCIATIONS:
        association = Association.objects.get(slug=demo.slug)
        home = AssociationHomePage.objects.filter(slug=demo.slug).first()
        if home is None:
            home = portal.add_child(
                instance=AssociationHomePage(
                    title=demo.name, slug=demo.slug, tagline=demo.tagline,
                    intro=f"<p>{demo.region_description}</p>",
                )
            )
        if association.home_page_id != home.pk:
            association.home_page = home
            association.save(update_fields=["home_page"])


@transaction.atomic
def seed_pages() -> None:
    seed_association_sites(seed_portal())
