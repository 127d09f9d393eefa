"""A person applies to the Missouri association, an association admin approves, and the
new member can open the members-only page they could not open before."""

import io

import pytest
from django.core.management import call_command

from members.demo import DEMO_PASSWORD
from members.models import Association, Membership
from tests.live_server import assert_accessible, sign_in, verified_account

pytestmark = pytest.mark.browser
APPLICANT_PASSWORD = "a-long-applicant-passphrase"


def test_apply_admin_approves_member_sees_members_only_page(live_url, chromium):
    call_command("seed_demo", stdout=io.StringIO())
    missouri = Association.objects.get(slug="missouri")
    members_page = f"{live_url}{missouri.home_page.url}members-corner/"
    verified_account("casey.lin@greene.example", APPLICANT_PASSWORD, "Casey Lin")

    applicant = chromium.new_context().new_page()
    sign_in(applicant, live_url, "casey.lin@greene.example", APPLICANT_PASSWORD)
    applicant.goto(members_page)
    assert applicant.locator("h1").inner_text() != "Members' corner"

    applicant.goto(f"{live_url}/members/apply/missouri/")
    assert_accessible(applicant, "on the application form ")
    # USWDS draws its own radios and checkboxes; people click the labels.
    applicant.locator("label", has_text="A. Court clerks and staff").click()
    applicant.get_by_label("Agency or employer").fill("Greene County Circuit Clerk's Office")
    applicant.get_by_label("Jurisdiction you work in").select_option(label="Missouri")
    applicant.get_by_label("Job title").fill("Deputy circuit clerk")
    applicant.get_by_label("Region", exact=True).select_option(label="Southwest")
    applicant.locator("label", has_text="I confirm this information is accurate").click()
    applicant.get_by_role("button", name="Send application").click()
    applicant.wait_for_url("**/members/my-memberships/")
    assert "Your application to MCSEA is in" in applicant.locator("main").inner_text()
    assert Membership.objects.get(user__email="casey.lin@greene.example").status == "applied"

    admin = chromium.new_context().new_page()
    sign_in(admin, live_url, "beth.carver@missouri.comity.test", DEMO_PASSWORD)
    admin.goto(f"{live_url}/members/missouri/applications/")
    assert_accessible(admin, "on the application queue ")
    admin.get_by_role("link", name="Casey Lin").click()
    assert_accessible(admin, "on the decision page ")
    admin.locator("label", has_text="Approve").click()
    admin.get_by_label("Reason", exact=False).fill("Category A confirmed with the Greene County clerk.")
    admin.get_by_role("button", name="Save decision").click()
    admin.wait_for_url("**/members/missouri/applications/")
    assert "Casey Lin is now a member of MCSEA" in admin.locator("main").inner_text()

    applicant.goto(members_page)
    assert applicant.locator("h1").inner_text() == "Members' corner"
    assert_accessible(applicant, "on the members-only page ")
    applicant.context.close()
    admin.context.close()
