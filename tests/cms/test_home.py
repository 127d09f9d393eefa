import pytest
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, WorkflowPage

from cms.models import AssociationHomePage, BoardComposition, BoardPage, HomePage, MembershipPage, StandardPage
from members.models import Association

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

ASSOCIATION_PAGES = {"about", "purposes", "strategic-plan", "bylaws", "membership", "board", "members-corner"}


@pytest.fixture(autouse=True)
def demo_files_in_a_scratch_folder(media_root):
    """The demo's PDFs are written under MEDIA_ROOT."""


def content_counts() -> dict:
    return {
        "pages": Page.objects.count(),
        "revisions": sum(page.revisions.count() for page in Page.objects.all()),
        "documents": get_document_model().objects.count(),
        "workflows": WorkflowPage.objects.count(),
        "board rules": BoardComposition.objects.count(),
        "restrictions": PageViewRestriction.objects.count(),
    }


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    first = content_counts()
    call_command("seed_demo")
    assert content_counts() == first
    assert HomePage.objects.count() == 1
    assert set(Association.objects.values_list("slug", flat=True)) == {"western", "missouri"}
    assert AssociationHomePage.objects.count() == 2
    assert all(association.home_page.live for association in Association.objects.all())
    for association in Association.objects.all():
        home = association.home_page
        assert ASSOCIATION_PAGES <= set(home.get_children().live().values_list("slug", flat=True))
        # Each association's pages are reviewed by its own admins.
        assert WorkflowPage.objects.get(page=home).workflow.name == f"{association.short_name} editorial review"
        board = BoardPage.objects.child_of(home).get()
        assert association.board_composition.roster_problems(list(board.directors.all())) == []
        assert MembershipPage.objects.child_of(home).get().why_join
    assert BoardPage.objects.child_of(Association.objects.get(slug="western").home_page).get().directors.count() == 17


def test_the_demo_sites_read_well(client):
    """One seed for every page check (seeding takes seconds)."""
    call_command("seed_demo")

    # The portal lists both association sites.
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="usa-skipnav" href="#main-content">' in html
    assert 'id="main-content"' in html
    for association in Association.objects.all():
        assert association.name in html
        assert f'href="{association.home_page.url}"' in html

    # An association's home page, with its own pages (members-only ones not listed to visitors).
    missouri = Association.objects.get(slug="missouri")
    response = client.get(missouri.home_page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Missouri Child Support Enforcement Association" in html
    for title in ("About us", "Purposes", "Strategic plan", "Bylaws", "Membership", "Board of directors"):
        assert f">{title}</a>" in html
    assert "Members&#x27; corner" not in html
    for slug in ("about", "purposes", "strategic-plan", "bylaws", "membership", "board"):
        assert client.get(f"{missouri.home_page.url}{slug}/").status_code == 200

    # The members' corner links a members-only document, a real PDF.
    corner = StandardPage.objects.get(slug="members-corner", url_path__contains="/western/")
    [document_block] = [block for block in corner.body if block.block_type == "document"]
    document = document_block.value["document"]
    assert document.collection.get_view_restrictions().exists()
    assert document.file.read(5) == b"%PDF-"

    assert client.get("/no-such-page/").status_code == 404


def test_wagtail_and_django_admin_are_mounted_behind_login(client):
    assert client.get("/admin/").status_code == 302
    assert client.get("/django-admin/").status_code == 302
