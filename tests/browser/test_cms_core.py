"""The association sites' core pages in Chromium: an editor submits a page for moderation
in the Wagtail admin, the association's admin approves it and it goes live; axe checks on
the association home, a standard page, the board page and the membership page."""

import re

import pytest
from playwright.sync_api import expect

from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


@pytest.fixture
def western_site(live_url):
    from cms.demo import seed_portal
    from cms.models import MembershipPage, StandardPage
    from cms.services import ensure_editorial_workflow
    from tests.cms.factories import make_association_site, seat_rules_for, valid_western_roster
    from members.demo import ensure_reference_jurisdictions
    from tests.factories import EligibilityCategoryFactory, member_of

    ensure_reference_jurisdictions()  # a transactional test before this one emptied the table
    site = make_association_site(
        seed_portal(), slug="western", short_name="WICSEC", name="Western Intergovernmental Child Support Engagement Council"
    )
    ensure_editorial_workflow(site.association)
    EligibilityCategoryFactory(association=site.association, code="STATE", name="State IV-D agency staff",
                               description="Caseworkers, attorneys and managers of a western state's agency.")
    site.editor = member_of(site.association, "editor")
    site.admin = member_of(site.association, "admin")

    home = site.home
    about = home.add_child(instance=StandardPage(
        title="About us", slug="about", intro="Public and private child support professionals of the West.",
        body=[
            ("heading", {"text": "Who we are", "level": "h2"}),
            ("paragraph", "<p>Caseworkers, agency attorneys, judges and tribal program staff.</p>"),
            ("quote", {"quote": "The council is where I learned who to call.", "attribution": "A caseworker, Nevada"}),
            ("call_to_action", {"text": "Membership is open to the people who do this work.", "page": None,
                                "url": "https://example.org/join", "button_label": "Become a member"}),
        ],
    ))
    about.save_revision().publish()
    composition = seat_rules_for(site.association, "western")
    from cms.models import BoardPage

    board = home.add_child(instance=BoardPage(title="Board of directors", slug="board", directors=valid_western_roster(composition)))
    board.save_revision().publish()
    membership = home.add_child(instance=MembershipPage(
        title="Membership", slug="membership", intro="Join the council.",
        why_join=[("paragraph", "<p>Know who to call in the other jurisdiction.</p>")],
    ))
    membership.save_revision().publish()
    plan = home.add_child(instance=StandardPage(title="Strategic plan (draft)", slug="strategic-plan", live=False))
    plan.save_revision(user=site.editor)
    site.plan = plan
    site.public_pages = [home, about, board, membership]
    return site


def test_public_pages_are_accessible(page, live_url, western_site):
    for wagtail_page in western_site.public_pages:
        response = page.goto(f"{live_url}{wagtail_page.url}")
        assert response.status == 200
        assert page.locator("h1").count() == 1
        assert_accessible(page, f"({wagtail_page.title}) ")
    page.goto(f"{live_url}/western/board/")
    assert page.locator("table.usa-table tbody tr").count() == 17


def test_an_editor_submits_a_page_and_the_association_admin_approves_it(chromium, live_url, western_site):
    from cms.models import StandardPage

    plan = western_site.plan
    public_url = f"{live_url}/western/strategic-plan/"

    # The editor edits the draft and submits it to the association's review.
    editor = chromium.new_context().new_page()
    editor.set_default_timeout(15_000)
    sign_in_with_session(editor, live_url, western_site.editor)
    editor.goto(f"{live_url}/admin/pages/{plan.pk}/edit/")
    editor.locator("#id_title").fill("Strategic plan 2025–2028")
    editor.get_by_role("button", name="More actions").click()
    editor.get_by_role("button", name="Submit to WICSEC editorial review").click()
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/"))
    assert "has been submitted for moderation" in editor.locator(".messages").inner_text()
    plan.refresh_from_db()
    assert not plan.live
    assert editor.goto(public_url).status == 404  # not live until approved
    editor.context.close()

    # The association's admin approves it, which publishes it.
    admin = chromium.new_context().new_page()
    admin.set_default_timeout(15_000)
    sign_in_with_session(admin, live_url, western_site.admin)
    admin.goto(f"{live_url}/admin/pages/{plan.pk}/edit/")
    admin.get_by_role("button", name="More actions").click()
    admin.locator("button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])").click()
    expect(admin.locator(".messages")).to_contain_text("has been updated")
    plan = StandardPage.objects.get(pk=plan.pk)
    assert plan.live and plan.title == "Strategic plan 2025–2028"

    response = admin.goto(public_url)
    assert response.status == 200
    assert admin.locator("h1").inner_text() == "Strategic plan 2025–2028"
    assert_accessible(admin, "(approved page) ")
    admin.context.close()
