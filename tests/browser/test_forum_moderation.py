"""Moderation in Chromium: a member flags a reply through the flag form, a moderator signs
in, finds it in the moderation queue, opens the topic and hides the reply with a reason;
the member no longer sees it, and the log shows who hid it and why. The queue, the flag
form and the log pass axe."""

import pytest

from forum.models import ModerationAction, Post, Visibility
from members.models import Role
from tests.factories import association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.live_server import assert_accessible, sign_in, verified_account

pytestmark = pytest.mark.browser
PASSWORD = "a-long-moderation-passphrase"
REPLY_TEXT = "The obligor is John Q. Example, case 2024-DR-1187, SSN ends 4411."
REASON = "Names a party and a case number; please post procedures without case data."


@pytest.fixture
def forum(live_url):
    association = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    category = CategoryFactory(association=association, name="Interstate cases", slug="interstate-cases")
    moderator = member_of(association, Role.MODERATOR,
                          user=verified_account("grace.moderator@tribe.example", PASSWORD, "Grace Moderator"))
    member = member_of(association, user=verified_account("priya.member@state.example", PASSWORD, "Priya Member"))
    asker = member_of(association, user=verified_account("asha.asker@county.example", PASSWORD, "Asha Asker"))
    replier = member_of(association, user=verified_account("rory.replier@county.example", PASSWORD, "Rory Replier"))
    topic = make_topic(asker, category, title="Registering a Texas order for enforcement only")
    # The guard flags it; the author (wrongly) confirms it is not real case data.
    reply = make_reply(replier, topic, body=REPLY_TEXT, confirmed_reason="It is a made-up example")
    return topic, reply, moderator, member


def test_member_flags_moderator_hides_reply(live_url, chromium, forum):
    topic, reply, moderator, member = forum
    topic_url = f"{live_url}/forum/t/{topic.pk}/"

    reader = chromium.new_context().new_page()
    sign_in(reader, live_url, member.email, PASSWORD)
    reader.goto(topic_url)
    assert REPLY_TEXT in reader.locator("main").inner_text()
    reader.locator(f"#post-{reply.pk}").get_by_role("link", name="Flag post #2 for the moderators").click()
    reader.wait_for_url(f"**/forum/p/{reply.pk}/flag/")
    assert_accessible(reader, "on the flag form ")
    reader.locator("label", has_text="Contains confidential case data").click()
    reader.get_by_label("Details for the moderators").fill("Second reply names the obligor.")
    reader.get_by_role("button", name="Send flag").click()
    reader.wait_for_url(f"**/forum/t/{topic.pk}/**")
    assert "The moderators will review this post" in reader.locator("main").inner_text()

    moderating = chromium.new_context().new_page()
    sign_in(moderating, live_url, moderator.email, PASSWORD)
    moderating.goto(f"{live_url}/forum/moderation/")
    assert moderating.locator("h1").inner_text() == "Moderation queue"
    item = moderating.locator(f"#queue-post-{reply.pk}")
    assert "Contains confidential case data" in item.inner_text()
    assert "Second reply names the obligor." in item.inner_text()
    assert_accessible(moderating, "on the moderation queue ")

    item.get_by_role("link", name=topic.title).click()
    moderating.wait_for_load_state()
    post = moderating.locator(f"#post-{reply.pk}")
    post.locator("summary", has_text="Moderate post #2").click()
    # Without a reason nothing happens but a clear message, and nothing typed is lost.
    post.get_by_role("button", name="Hide post").click()
    moderating.wait_for_load_state()
    assert "Give a reason" in moderating.locator("main").inner_text()
    moderating.get_by_label("Reason").fill(REASON)
    moderating.get_by_role("button", name="Hide post").click()
    moderating.wait_for_url(f"**/forum/t/{topic.pk}/**")
    assert "The post is hidden" in moderating.locator("main").inner_text()
    assert "Hidden by a moderator" in moderating.locator(f"#post-{reply.pk}").text_content()

    reply_row = Post.objects.get(pk=reply.pk)
    assert reply_row.status == Visibility.HIDDEN
    action = ModerationAction.objects.get(action=ModerationAction.Action.HIDE)
    assert (action.actor, action.reason) == (moderator, REASON)

    reader.goto(topic_url)
    assert REPLY_TEXT not in reader.locator("main").inner_text()

    moderating.goto(f"{live_url}/forum/moderation/")
    assert "Nothing is waiting for a moderator." in moderating.locator("main").inner_text()
    moderating.goto(f"{live_url}/forum/moderation/log/")
    assert REASON in moderating.locator("table").inner_text()
    assert_accessible(moderating, "on the moderation log ")
    moderating.goto(f"{live_url}/forum/t/{topic.pk}/moderate/?action=split#split")
    assert_accessible(moderating, "on the topic moderation page ")
    moderating.goto(f"{live_url}/forum/users/{reply.author_id}/suspend/")
    assert_accessible(moderating, "on the suspend form ")
    reader.context.close()
    moderating.context.close()
