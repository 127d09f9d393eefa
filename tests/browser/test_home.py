"""The real site in Chromium: the home page renders, is keyboard-navigable and passes axe."""

import pytest
from django.core.management import call_command

from members.models import Association
from tests.live_server import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(live_url):
    call_command("seed_demo")
    return live_url


def test_home_page_passes_axe_and_links_to_association_sites(demo_site, page):
    response = page.goto(demo_site + "/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Comity"
    # USWDS's stylesheet and script really load (served by the ASGI app).
    assert page.evaluate("getComputedStyle(document.querySelector('.usa-skipnav')).position") == "absolute"
    assert_accessible(page)
    missouri = Association.objects.get(slug="missouri")
    page.get_by_role("link", name="Visit MCSEA").click()
    page.wait_for_url(demo_site + missouri.home_page.url)
    assert page.locator("h1").inner_text() == missouri.name
    assert_accessible(page, "on the association home page ")


def test_skip_link_is_first_in_focus_order_and_moves_focus_to_main(demo_site, page):
    page.goto(demo_site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
