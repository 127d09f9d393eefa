"""The confidential case-data guard in Chromium: a member types a fake (but valid-looking)
SSN into a new topic, sees the warning with the number highlighted and the focus on it,
edits it out and publishes; then a phone number is confirmed away with a reason. The page
with the warning passes axe."""

import re

import pytest

from forum.models import GuardFinding, Topic, Visibility
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser

TITLE = "Income withholding for an obligor who moved"
# A valid SSN (area, group and serial in range, not an advertised sample) next to "SSN":
# from the labelled set's synthetic numbers.
WITH_SSN = "The employer sent back the IWO.\n\nObligor SSN: 212-34-5678, works in Reno.\n\nDo we send a new notice?"
WITHOUT_SSN = "The employer sent back the IWO.\n\nThe obligor works in Reno.\n\nDo we send a new notice?"


@pytest.fixture
def forum(live_url):
    association = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    category = CategoryFactory(association=association, name="Interstate cases", slug="interstate-cases")
    author = member_of(association, user=UserFactory(display_name="Asha Asker"))
    return category, author


def test_fake_ssn_is_flagged_fixed_and_published(live_url, page, forum):
    category, author = forum
    sign_in_with_session(page, live_url, author)
    page.goto(f"{live_url}/forum/c/{category.slug}/new/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your post").fill(WITH_SSN)
    page.get_by_label("Tags").fill("income-withholding")
    page.get_by_role("button", name="Post topic").click()
    page.wait_for_load_state()

    alert = page.locator("#topic-guard-alert")
    assert alert.get_attribute("role") == "alert"
    assert "Social Security number" in alert.inner_text() and "line 3" in alert.inner_text()
    assert "cannot be confirmed away" in alert.inner_text()
    assert page.evaluate("document.activeElement && document.activeElement.id") == "topic-guard-alert"
    assert "212-34-5678" in page.locator(".comity-guard-preview mark").inner_text()
    # Nothing is lost, nothing is posted.
    assert page.get_by_label("Your post").input_value() == WITH_SSN
    assert page.get_by_label("Title").input_value() == TITLE
    assert page.get_by_label("Tags").input_value() == "income-withholding"
    assert not Topic.objects.exists()
    assert_accessible(page, "with the guard's warning shown ")

    # Fix it: take the number out and send again.
    page.get_by_label("Your post").fill(WITHOUT_SSN)
    page.get_by_role("button", name="Send to a moderator").click()
    page.wait_for_url(re.compile(r"/forum/t/\d+/$"))
    topic = Topic.objects.get()
    assert topic.status == Visibility.PUBLISHED and topic.title == TITLE
    assert "212-34-5678" not in page.locator("main").inner_text()
    assert not GuardFinding.objects.exists()


def test_a_made_up_phone_number_is_confirmed_with_a_reason(live_url, page, forum):
    category, author = forum
    sign_in_with_session(page, live_url, author)
    page.goto(f"{live_url}/forum/c/{category.slug}/new/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your post").fill("For the example, call the obligor at 573-555-0142 before the hearing.")
    page.get_by_role("button", name="Post topic").click()
    page.wait_for_load_state()
    assert "Personal phone number" in page.locator("#topic-guard-alert").inner_text()

    # Ticking the box without a reason is refused, and says why.
    page.locator("label", has_text="This is not real case data").click()
    page.get_by_role("button", name="Post topic").click()
    page.wait_for_load_state()
    assert "Say why this is not real case data" in page.locator("main").inner_text()
    assert_accessible(page, "with the guard's warning and an error shown ")

    page.get_by_label("Why is it not real case data?").fill("A made-up number in the 555-01xx fiction range.")
    page.get_by_role("button", name="Post topic").click()
    page.wait_for_url(re.compile(r"/forum/t/\d+/$"))
    assert Topic.objects.get().status == Visibility.PUBLISHED
    finding = GuardFinding.objects.get()
    assert finding.outcome == GuardFinding.Outcome.CONFIRMED and "fiction range" in finding.reason
