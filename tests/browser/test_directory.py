"""The members directory and the profile form in Chromium: an active member filters the
directory by jurisdiction and sees the right people; both pages pass axe."""

import re

import pytest

from members.models import Jurisdiction
from tests.factories import AssociationFactory, JurisdictionFactory, MembershipFactory, ProfileFactory, UserFactory
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


def tick(page, label: str) -> None:
    """USWDS draws its own checkbox and hides the real input, so people (and we) click the label."""
    page.locator("label.usa-checkbox__label").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()


def person(association, name: str, jurisdiction, **profile_fields):
    user = UserFactory(display_name=name)
    MembershipFactory(user=user, association=association)
    ProfileFactory(user=user, jurisdiction=jurisdiction, **profile_fields)
    return user


@pytest.fixture
def directory_data(live_url):
    association = AssociationFactory(name="Western Interstate Council", short_name="WIC", slug="west")
    missouri = JurisdictionFactory(code="MO", name="Missouri")
    kansas = JurisdictionFactory(code="KS", name="Kansas")
    tribe = JurisdictionFactory(code="ZZ-NAVAJO-TEST", name="Navajo Nation (test)", kind=Jurisdiction.Kind.TRIBE)
    viewer = person(association, "Viewer Vance", kansas)
    person(association, "Mo Shown", missouri, job_title="Enforcement officer", agency="Family Support Division")
    person(association, "Mo Hidden", missouri, show_jurisdiction=False)
    person(
        association,
        "Kay Kansas",
        kansas,
        is_interstate_contact=True,
        work_email="kay@dcf.ks.gov",
        work_phone="785-555-0100",
    )
    person(association, "Tribal Tess", tribe)
    MembershipFactory(user=UserFactory(display_name="Lapsed Larry"), association=association, status="lapsed")
    return {"viewer": viewer, "live_url": live_url}


def test_active_member_filters_the_directory_by_jurisdiction(directory_data, page):
    live_url = directory_data["live_url"]
    sign_in_with_session(page, live_url, directory_data["viewer"])
    response = page.goto(f"{live_url}/members/directory/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Members directory"
    table = page.get_by_role("table", name="Members")
    for name in ("Viewer Vance", "Mo Shown", "Mo Hidden", "Kay Kansas", "Tribal Tess"):
        assert table.get_by_role("link", name=name).count() == 1
    assert table.get_by_role("link", name="Lapsed Larry").count() == 0
    assert_accessible(page, "on the directory ")

    search = page.get_by_role("search", name="Filter the members directory")
    search.get_by_label("Jurisdiction").select_option(label="Missouri")
    search.get_by_role("button", name="Show members").click()
    page.wait_for_url("**/members/directory/?*jurisdiction=MO*")
    assert page.get_by_role("status").inner_text().strip() == "1 member found for your filters."
    rows = page.get_by_role("table", name="Members").locator("tbody tr")
    assert rows.count() == 1
    assert "Mo Shown" in rows.first.inner_text()
    assert "Mo Hidden" not in page.locator("main").inner_text()  # hid their jurisdiction
    assert search.get_by_label("Jurisdiction").input_value() == "MO"
    assert_accessible(page, "on the filtered directory ")

    page.get_by_role("link", name="Mo Shown").click()
    page.wait_for_url("**/members/people/*/")
    assert page.locator("h1").inner_text() == "Mo Shown"
    assert "Family Support Division" in page.locator("main").inner_text()
    assert_accessible(page, "on a profile page ")


def test_profile_edit_page_passes_axe_with_and_without_errors(directory_data, page):
    live_url = directory_data["live_url"]
    sign_in_with_session(page, live_url, directory_data["viewer"])
    response = page.goto(f"{live_url}/members/profile/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Your profile"
    assert_accessible(page, "on the profile form ")

    page.get_by_label("Job title").fill("Interstate caseworker")
    tick(page, "Show my interstate contact card")
    assert page.get_by_label("Show my interstate contact card").is_checked()
    page.get_by_label("Work email address").fill("")
    page.get_by_role("button", name="Save profile").click()
    assert "Your profile was not saved" in page.locator("main").inner_text()
    assert page.get_by_label("Job title").input_value() == "Interstate caseworker"
    assert_accessible(page, "on the profile form with errors ")

    page.get_by_label("Work email address").fill("vance@dcf.ks.gov")
    page.get_by_label("Work phone number").fill("785-555-0199")
    tick(page, "Locate")
    page.get_by_role("button", name="Save profile").click()
    assert "Your profile is saved." in page.locator("main").inner_text()
    assert page.get_by_label("Locate", exact=True).is_checked()
