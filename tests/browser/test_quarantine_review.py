"""A moderator reviews a quarantined attachment in Chromium: the queue lists it with its
findings, the review page clears it, and both pages pass axe."""

import pytest

from forum.attachments import attach_files
from forum.models import Attachment, Category
from forum.tasks import run_extraction
from members.models import Role
from tests.factories import association_with_groups, member_of
from tests.forum import document_files as files
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


@pytest.fixture
def quarantined(live_url):
    association = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    category = CategoryFactory(association=association, visibility=Category.Visibility.PUBLIC, name="Intake")
    uploader, moderator = member_of(association), member_of(association, Role.MODERATOR)
    topic = make_topic(member_of(association), category, title="Intake forms we use")
    reply = make_reply(uploader, topic, body="Our intake form is attached.")
    (attachment,) = attach_files(
        reply, [files.upload("intake form.pdf", files.pdf(["Intake form, filled in", files.CASE_DATA]))], by=uploader,
    )
    assert run_extraction(attachment.pk) == "done"
    return attachment, moderator


def test_a_moderator_reviews_and_clears_a_quarantined_file(live_url, page, quarantined):
    attachment, moderator = quarantined
    sign_in_with_session(page, live_url, moderator)
    page.goto(f"{live_url}/forum/moderation/")
    main = page.locator("main")
    assert "intake form.pdf" in main.inner_text() and "Social Security number" in main.inner_text()
    assert_accessible(page, "moderation queue with a quarantined file ")

    page.goto(f"{live_url}/forum/attachments/{attachment.pk}/review/")
    assert_accessible(page, "attachment review page ")
    page.get_by_label("Reason").fill("A made-up training form.")
    page.get_by_role("button", name="Clear the file").click()
    page.wait_for_url(lambda url: url.endswith("/forum/moderation/"))  # back in the queue
    attachment.refresh_from_db()
    assert attachment.review_status == Attachment.Review.CLEARED
