"""The notification centre and the preferences page in Chromium: both pass axe with real
notifications present (replies and a mention made through the forum), filtering works, the
keyboard alone marks everything read, and a preference chosen by clicking its label is saved."""

import re

import pytest

from forum import services as forum_services
from notifications.models import Notification
from notifications.selectors import preferences_for
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


@pytest.fixture
def reader(live_url):
    """A member following a topic in which others replied (and one mentioned them); the
    events run after each commit, as on the live site."""
    association = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    category = CategoryFactory(association=association, name="Interstate cases", slug="interstate-cases")
    reader = member_of(association, user=UserFactory(username="rita", display_name="Rita Reader"))
    author = member_of(association, user=UserFactory(username="asha", display_name="Asha Asker"))
    replier = member_of(association, user=UserFactory(username="ben", display_name="Ben Replier"))
    topic = make_topic(author, category, kind="discussion", title="Who handles tribal income withholding?")
    forum_services.follow(reader, "topic", topic)
    make_reply(replier, topic, body="Our tribal liaison does; call the IV-D office first.")
    make_reply(replier, topic, body="Also check the tribe's own code for <limits> & exemptions.")
    make_reply(author, topic, body="@rita did your office see this before?")
    assert Notification.objects.filter(recipient=reader, kind__in=["reply", "mention"]).count() == 3
    return reader


def unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_centre_is_accessible_filters_and_marks_all_read_by_keyboard(live_url, page, reader):
    sign_in_with_session(page, live_url, reader)
    page.goto(f"{live_url}/notifications/")
    assert page.get_by_role("heading", level=1, name="Notifications").is_visible()
    notifications = page.get_by_role("list", name="Notifications, newest first").get_by_role("listitem")
    total = Notification.objects.filter(recipient=reader).count()
    assert notifications.count() == total
    assert notifications.first.get_by_role("link").inner_text() == "Asha Asker mentioned you in “Who handles tribal income withholding?”"
    assert notifications.first.get_by_text("Unread", exact=True).is_visible()
    assert_accessible(page, "with unread notifications ")

    # Filter to mentions with the form.
    page.get_by_label("Kind").select_option(label="Mentions of you")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"kind=mention"))
    assert notifications.count() == 1
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(f"{live_url}/notifications/")

    # Mark one read with its own button.
    page.get_by_role("button", name=re.compile(r"^Mark as read\W+Ben Replier replied")).first.click()
    page.get_by_text("Marked as read.").wait_for()
    assert unread(reader) == total - 1

    # Keyboard only: Tab to "Mark all as read" and press Enter.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Mark all as read":
            break
    else:
        pytest.fail("Tab never reached the “Mark all as read” button")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"Marked \d+ notifications? as read\.")).wait_for()
    assert unread(reader) == 0
    assert page.get_by_text("You have no unread notifications.").is_visible()
    assert page.get_by_role("button", name="Mark all as read").count() == 0
    assert_accessible(page, "after marking all read ")

    # Opening one goes to the post.
    page.get_by_role("link", name=re.compile(r"^Asha Asker mentioned you")).click()
    page.wait_for_url(re.compile(r"/forum/.*#post-\d+$"))


def test_preferences_page_is_accessible_and_saves_a_choice(live_url, page, reader):
    sign_in_with_session(page, live_url, reader)
    page.goto(f"{live_url}/notifications/")
    page.get_by_role("link", name="Notification settings").click()
    page.wait_for_url(f"{live_url}/notifications/preferences/")
    assert_accessible(page, "on the preferences page ")

    replies = page.get_by_role("group", name=re.compile(r"^Replies in topics you follow"))
    assert replies.get_by_label("On the site and in a daily email digest").is_checked()
    replies.locator("label", has_text="On the site and by email at once").click()  # USWDS hides the input
    assert replies.get_by_label("On the site and by email at once").is_checked()
    votes = page.get_by_role("group", name=re.compile(r"^Helpful votes on your posts"))
    votes.locator("label", has_text="Off").click()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Your notification settings are saved.").wait_for()
    assert page.get_by_role("group", name=re.compile(r"^Replies in topics you follow")).get_by_label(
        "On the site and by email at once").is_checked()
    preferences = preferences_for(reader)
    assert (preferences["reply"], preferences["helpful_votes"]) == ("immediate", "off")
    assert_accessible(page, "after saving preferences ")
