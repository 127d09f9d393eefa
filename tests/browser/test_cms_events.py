"""In Chromium: an anonymous guest registers for an event open to non-members and sees the
confirmation; the event page and the registration form (blank and with errors) pass axe."""

import pytest

from cms.events.models import EventPage, Registration
from tests.cms.events.factories import association_site, credit_kind, make_event, session
from tests.factories import JurisdictionFactory
from tests.live_server import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def open_event(live_url):
    association, index = association_site(
        name="Missouri Child Support Enforcement Association", short_name="MCSEA", slug="missouri",
        contact_email="office@mcsea.example",
    )
    cle = credit_kind(association)
    # Jurisdictions come from a data migration that an earlier transactional test may have flushed.
    JurisdictionFactory(code="KS", kind="state", name="Kansas")
    event = make_event(
        index, title="Interstate case processing workshop", kind=EventPage.Kind.WORKSHOP, capacity=40,
        audience=EventPage.Audience.OPEN, fee="$60",
        sessions=[session("Registering an order for enforcement", start=(9, 0), end=(10, 40), credits={cle: "2"},
                          speakers="Anita Shah, Assistant Prosecuting Attorney\nHon. Carla Ruiz, Family Court Commissioner")],
    )
    return live_url, event


def test_guest_registers_for_an_open_event_and_sees_the_confirmation(open_event, page):
    live_url, event = open_event
    response = page.goto(live_url + event.url)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Interstate case processing workshop"
    assert "40 of 40 seats left" in page.locator("#registration").inner_text()
    assert_accessible(page, "on the event page ")

    page.get_by_role("link", name="Register as a guest").click()
    page.wait_for_url(f"{live_url}/events/{event.pk}/register/")
    assert_accessible(page, "on the registration form ")

    # A mistake first: the form comes back with the errors announced and what was typed kept.
    page.get_by_label("Full name").fill("Marcus Lee")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Agency or organisation").fill("Kansas Department for Children and Families")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert "You are not registered yet" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("Full name").input_value() == "Marcus Lee"
    assert_accessible(page, "on the registration form with errors ")

    page.get_by_label("Email address").fill("marcus.lee@dcf.kansas.example")
    page.get_by_label("Jurisdiction you work in (optional)").select_option(label="Kansas")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{live_url}/events/guest/**")
    assert page.locator("h1").inner_text() == "Your registration for Interstate case processing workshop"
    assert "You are registered" in page.locator("#status-heading").inner_text()
    assert "marcus.lee@dcf.kansas.example" in page.locator("main").inner_text()
    assert_accessible(page, "on the guest's confirmation page ")

    registration = Registration.objects.get()
    assert (registration.name, registration.kind, registration.jurisdiction.code) == ("Marcus Lee", "guest", "KS")
