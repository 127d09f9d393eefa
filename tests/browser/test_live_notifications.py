"""Live notifications in Chromium, with two members in two browser contexts (static/js/live.js
over /ws/notifications/ on the real ASGI server and the Redis channel layer).

Ben follows a topic and has it open; Alice replies through the page. Ben's page shows a
"new replies" bar (it does not jump), his header badge rises and a toast appears; pressing the
bar adds Alice's reply and moves focus to it. Then Ben's page loses its connection while
Alice replies again, and when it comes back it catches up: badge, toast and bar."""

import re

import pytest
from playwright.sync_api import expect

from forum import services as forum_services
from notifications import selectors, services as notification_services
from notifications.models import Notification
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_topic
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser

# Records what the page's sockets receive, and can keep new ones from opening (as if the
# network were gone), without any hook in live.js itself.
SOCKET_SPY = """
(() => {
  const Native = window.WebSocket;
  const spy = window.__live = { sockets: [], messages: [], blocked: false };
  function Spied(url, protocols) {
    if (spy.blocked) throw new DOMException("offline", "NetworkError");
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    spy.sockets.push(socket);
    socket.addEventListener("message", (event) => {
      try { spy.messages.push(JSON.parse(event.data)); } catch (error) {}
    });
    return socket;
  }
  Spied.prototype = Native.prototype;
  Object.assign(Spied, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Spied;
})();
"""


@pytest.fixture
def forum(live_url):
    association = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    category = CategoryFactory(association=association, name="Interstate cases", slug="interstate-cases")
    alice = member_of(association, user=UserFactory(username="alice", display_name="Alice Author"))
    ben = member_of(association, user=UserFactory(username="ben", display_name="Ben Reader"))
    topic = make_topic(alice, category, kind="discussion", title="Who handles tribal income withholding?")
    forum_services.follow(ben, "topic", topic)
    # Ben starts with nothing unread (his membership decision was a notification too).
    notification_services.mark_all_read(ben)
    selectors.forget_unread_counts([ben.pk])
    return topic, alice, ben


def open_as(chromium, live_url, user, url):
    context = chromium.new_context()
    context.add_init_script(SOCKET_SPY)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_with_session(page, live_url, user)
    page.goto(url)
    return page


def wait_for_message(page, kind: str, count: int = 1) -> None:
    page.wait_for_function(
        "([kind, count]) => window.__live.messages.filter((m) => m.type === kind).length >= count", arg=[kind, count]
    )


def post_reply(page, text: str) -> None:
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(re.compile(r"#post-\d+$"))


def test_a_reply_reaches_the_other_members_open_page_live(live_url, chromium, forum):
    topic, alice, ben = forum
    url = f"{live_url}{topic.get_absolute_url()}"
    ben_page = open_as(chromium, live_url, ben, url)
    alice_page = open_as(chromium, live_url, alice, url)
    try:
        wait_for_message(ben_page, "watching")
        assert ben_page.get_by_role("link", name="Notifications", exact=True).is_visible()
        toasts = ben_page.get_by_role("region", name="New notifications")
        assert toasts.is_hidden()

        post_reply(alice_page, "Our tribal liaison sends the e-IWO to the tribal court first.")
        first = Notification.objects.get(recipient=ben, kind="reply")

        # Ben's page does not move: a bar offers the new reply, the badge and a toast say so.
        bar = ben_page.get_by_role("button", name="1 new reply — show them")
        bar.wait_for(state="visible")
        assert ben_page.locator("article", has_text="tribal liaison").count() == 0
        ben_page.get_by_role("link", name="Notifications, 1 unread").wait_for(state="visible")
        toast = toasts.get_by_role("listitem").filter(has_text=first.title)
        toast.wait_for(state="visible")
        assert toast.get_by_role("link", name=first.title).get_attribute("href").endswith(f"/{first.pk}/open/")
        expect(ben_page.locator("[data-live-announcer]")).not_to_have_text("")
        assert ben_page.evaluate("document.activeElement === document.body")  # nothing took focus
        assert_accessible(ben_page, "with the new-replies bar and a toast shown ")

        bar.click()
        reply = ben_page.locator("article", has_text="tribal liaison")
        reply.wait_for(state="visible")
        assert ben_page.evaluate("document.activeElement.tagName + '#' + document.activeElement.id") == (
            f"ARTICLE#post-{first.post_id}"
        )
        assert bar.is_hidden()
        expect(ben_page.locator("[data-live-announcer]")).to_have_text("1 new reply is shown.")
        assert ben_page.locator("[data-live-empty]").count() == 0  # "No replies yet" is gone

        toast.get_by_role("button", name=re.compile("^Dismiss")).click()
        assert toast.count() == 0

        # Ben's connection drops; Alice replies meanwhile; his page comes back and catches up.
        ben_page.context.set_offline(True)
        ben_page.evaluate("() => { window.__live.blocked = true; window.__live.sockets.forEach((s) => s.close()); }")
        ben_page.wait_for_function("() => window.__live.sockets.every((s) => s.readyState === WebSocket.CLOSED)")
        post_reply(alice_page, "And the court clerk confirms receipt within ten days.")
        second = Notification.objects.exclude(pk=first.pk).get(recipient=ben, kind="reply")
        assert ben_page.get_by_role("button", name=re.compile("new repl")).count() == 0  # offline: nothing yet

        ben_page.evaluate("() => { window.__live.blocked = false; }")
        ben_page.context.set_offline(False)  # the "online" event reconnects at once
        ben_page.get_by_role("button", name="1 new reply — show them").wait_for(state="visible")
        ben_page.get_by_role("link", name="Notifications, 2 unread").wait_for(state="visible")
        toasts.get_by_role("listitem").filter(has_text=second.title).wait_for(state="visible")
        assert wait_for_message(ben_page, "hello", count=2) is None
        ben_page.get_by_role("button", name="1 new reply — show them").click()
        ben_page.locator("article", has_text="court clerk confirms").wait_for(state="visible")
        assert ben_page.locator("article", has_text="tribal liaison").count() == 1  # not added twice
    finally:
        ben_page.context.close()
        alice_page.context.close()
