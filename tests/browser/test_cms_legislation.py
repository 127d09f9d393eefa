"""Legislative updates in Chromium: the index and an update pass axe, and the filter form
works from the keyboard-accessible selects and keeps what was chosen."""

import datetime

import pytest

from cms.legislation.models import Level, Status
from tests.cms.legislation.factories import make_update, updates_site
from tests.live_server import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def updates(live_url):
    site = updates_site()
    today = datetime.date.today()
    make_update(site.index, title="HB 1422: electronic income withholding", effective_date=today + datetime.timedelta(days=30))
    make_update(
        site.index, title="OCSS final rule on intergovernmental forms", level=Level.FEDERAL,
        jurisdictions=("federal-ocss",), status=Status.EFFECTIVE, effective_date=today - datetime.timedelta(days=3),
    )
    return live_url, site


def test_index_filters_and_update_page_are_accessible(updates, page):
    live_url, site = updates
    response = page.goto(live_url + site.index.url)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Legislative updates"
    assert page.locator('link[rel="alternate"][type="application/rss+xml"]').count() == 1
    assert_accessible(page, "on the updates index ")

    page.get_by_label("Level").select_option("federal")
    page.get_by_role("button", name="Show updates").click()
    page.wait_for_url("**level=federal**")
    assert page.get_by_label("Level").input_value() == "federal"
    assert page.locator(".usa-collection__heading").all_inner_texts() == ["OCSS final rule on intergovernmental forms"]
    assert_accessible(page, "on the filtered index ")

    page.goto(live_url + site.index.url + "?status=nonsense")
    assert page.get_by_role("alert").first.is_visible()
    assert_accessible(page, "with an invalid filter ")

    page.get_by_role("link", name="OCSS final rule on intergovernmental forms").click()
    assert page.locator("h1").inner_text() == "OCSS final rule on intergovernmental forms"
    assert_accessible(page, "on an update ")
