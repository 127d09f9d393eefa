"""Demo pages for `manage.py seed_demo`: the Comity portal and one site per association."""

from django.db import transaction
from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.models import AssociationHomePage, HomePage
from members.demo import DEMO_ASSOCIATIONS
from members.models import Association

PORTAL_INTRO = (
    "<p>Comity is where child support enforcement professionals ask practice questions, share "
    "procedures across jurisdictions, and follow their associations' newsletters, legislative "
    "updates and events.</p>"
)


def ensure_page_tree_root() -> Page:
    """Wagtail's migrations create the default locale and the root page; recreate them if a
    database was flushed (as transactional tests do) so seeding always has a tree to grow."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


def seed_portal() -> HomePage:
    portal = HomePage.objects.first()
    if portal is None:
        root = ensure_page_tree_root()
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


def seed_members_only_pages() -> None:
    """A members-only page per association, restricted to its members group through
    Wagtail's own view restrictions (which follow memberships at once)."""
    from wagtail.models import PageViewRestriction

    from cms.models import StandardPage
    from members.models import Role, RoleGroup

    for demo in DEMO_ASSOCIATIONS:
        association = Association.objects.get(slug=demo.slug)
        home = association.home_page
        page = StandardPage.objects.child_of(home).filter(slug="members-corner").first()
        if page is None:
            page = home.add_child(
                instance=StandardPage(
                    title="Members' corner",
                    slug="members-corner",
                    intro=f"News and working documents for {association.short_name} members.",
                    body=[
                        ("heading", {"text": "This quarter", "level": "h2"}),
                        ("paragraph", "<p>Board minutes, committee sign-ups and the draft agenda for the next meeting are posted here first.</p>"),
                    ],
                )
            )
        members_group = RoleGroup.objects.get(association=association, role=Role.MEMBER).group
        restriction = PageViewRestriction.objects.filter(page=page).first()
        if restriction is None:
            restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set([members_group])
