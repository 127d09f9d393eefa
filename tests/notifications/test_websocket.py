"""The WebSocket entry point (config.asgi): session auth, allowed origins, one group per
user. Runs on the Redis channel layer in the real run and the in-memory one embedded."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application
from notifications.consumers import CLOSE_MALFORMED, CLOSE_UNAUTHENTICATED, user_group_name
from tests.factories import UserFactory
from tests.live_server import session_key_for

ALLOWED_ORIGIN = b"http://127.0.0.1:8000"
pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@sync_to_async
def signed_in_cookie(user) -> bytes:
    return f"{settings.SESSION_COOKIE_NAME}={session_key_for(user)}".encode()


def communicator(*, origin: bytes = ALLOWED_ORIGIN, cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"127.0.0.1:8000")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


async def test_anonymous_connection_is_refused():
    connected, code = await communicator().connect()
    assert connected is False
    assert code == CLOSE_UNAUTHENTICATED


async def test_cross_origin_connection_is_refused():
    user = await sync_to_async(UserFactory)()
    connected, _ = await communicator(origin=b"https://evil.example", cookie=await signed_in_cookie(user)).connect()
    assert connected is False


async def test_member_receives_messages_sent_to_their_own_group_only():
    alice, bob = await sync_to_async(UserFactory)(), await sync_to_async(UserFactory)()
    alice_socket, bob_socket = await connected(alice), await connected(bob)

    await get_channel_layer().group_send(
        user_group_name(alice.pk), {"type": "notification.event", "payload": {"kind": "reply", "id": 7}}
    )
    assert json.loads(await alice_socket.receive_from(timeout=5)) == {"kind": "reply", "id": 7}
    assert await bob_socket.receive_nothing(timeout=0.3)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_ping_is_answered_and_malformed_frames_close_the_socket():
    user = await sync_to_async(UserFactory)()
    socket = await connected(user)
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await socket.receive_from(timeout=5)) == {"type": "pong"}
    await socket.send_to(text_data="{not json")
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_MALFORMED}


# --- Greeting, topics, bad frames, real replies ---------------------------------------------------


@sync_to_async
def members_only_topic():
    """A topic in a members-only category of one association, its author (a member), and an
    outsider who is signed in but not a member."""
    from tests.factories import association_with_groups, member_of
    from tests.forum.factories import CategoryFactory, make_topic

    association = association_with_groups()
    category = CategoryFactory(association=association)
    author = member_of(association)
    topic = make_topic(author, category, kind="discussion", title="Income withholding across tribes")
    return association, topic, author, UserFactory()


async def connected(user) -> WebsocketCommunicator:
    socket = communicator(cookie=await signed_in_cookie(user))
    assert (await socket.connect())[0]
    hello = json.loads(await socket.receive_from(timeout=5))
    assert hello["type"] == "hello"
    return socket


async def next_of_type(socket: WebsocketCommunicator, kind: str) -> dict:
    """The next message of type `kind` (notifications of the setup, such as a membership
    decision, may come first)."""
    for _ in range(10):
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


async def test_connecting_says_hello_with_the_unread_count():
    from notifications.models import Kind
    from notifications.services import Target, notify

    user = await sync_to_async(UserFactory)()
    await sync_to_async(notify)(Kind.MEMBERSHIP, [user.pk], Target(title="Welcome", url="/members/"))
    socket = communicator(cookie=await signed_in_cookie(user))
    assert (await socket.connect())[0]
    assert json.loads(await socket.receive_from(timeout=5)) == {"type": "hello", "unread": 1}
    await socket.disconnect()


async def test_a_deactivated_member_or_an_ended_session_is_refused():
    user = await sync_to_async(UserFactory)()
    cookie = await signed_in_cookie(user)
    user.is_active = False
    await sync_to_async(user.save)()
    connected_, code = await communicator(cookie=cookie).connect()
    assert connected_ is False and code == CLOSE_UNAUTHENTICATED

    other = await sync_to_async(UserFactory)()
    cookie = await signed_in_cookie(other)
    other.set_password("changed-elsewhere")  # a password change ends the other sessions
    await sync_to_async(other.save)()
    connected_, code = await communicator(cookie=cookie).connect()
    assert connected_ is False and code == CLOSE_UNAUTHENTICATED


async def test_watch_topic_joins_only_a_topic_the_member_may_see():
    from notifications.live import topic_group_name

    _, topic, author, outsider = await members_only_topic()
    member_socket, outsider_socket = await connected(author), await connected(outsider)

    await member_socket.send_json_to({"type": "watch_topic", "topic": topic.pk})
    assert await member_socket.receive_json_from(timeout=5) == {"type": "watching", "topic": topic.pk}
    await outsider_socket.send_json_to({"type": "watch_topic", "topic": topic.pk})
    assert await outsider_socket.receive_json_from(timeout=5) == {
        "type": "error", "reason": "not-visible", "topic": topic.pk,
    }
    await outsider_socket.send_json_to({"type": "watch_topic", "topic": 999_999_999})  # no such topic
    assert (await outsider_socket.receive_json_from(timeout=5))["reason"] == "not-visible"

    event = {"type": "topic.event", "payload": {"type": "reply", "topic": topic.pk, "post": 1, "position": 2}}
    await get_channel_layer().group_send(topic_group_name(topic.pk), event)
    assert await member_socket.receive_json_from(timeout=5) == event["payload"]
    assert await outsider_socket.receive_nothing(timeout=0.3)  # refused, and the socket stays open
    await outsider_socket.send_json_to({"type": "ping"})
    assert await outsider_socket.receive_json_from(timeout=5) == {"type": "pong"}

    await member_socket.send_json_to({"type": "unwatch_topic"})
    assert await member_socket.receive_json_from(timeout=5) == {"type": "unwatched"}
    await get_channel_layer().group_send(topic_group_name(topic.pk), event)
    assert await member_socket.receive_nothing(timeout=0.3)
    await member_socket.disconnect()
    await outsider_socket.disconnect()


async def test_a_member_who_loses_access_can_no_longer_watch_the_topic():
    from members import services as membership_services
    from members.models import Membership
    from tests.factories import staff_decider

    association, topic, author, _ = await members_only_topic()

    @sync_to_async
    def lapse():
        membership = Membership.objects.get(user=author, association=association)
        membership_services.lapse_membership(membership, by=staff_decider(), reason="Dues unpaid.")

    socket = await connected(author)
    await lapse()  # the same socket asks again: the answer is worked out afresh
    await socket.send_json_to({"type": "watch_topic", "topic": topic.pk})
    assert (await next_of_type(socket, "error"))["reason"] == "not-visible"
    await socket.disconnect()


async def test_watch_requests_past_the_per_minute_limit_are_refused():
    from notifications.consumers import MAX_WATCHES_PER_MINUTE

    _, topic, author, _ = await members_only_topic()
    socket = await connected(author)
    for _ in range(MAX_WATCHES_PER_MINUTE):
        await socket.send_json_to({"type": "watch_topic", "topic": topic.pk})
        assert await next_of_type(socket, "watching") == {"type": "watching", "topic": topic.pk}
    await socket.send_json_to({"type": "watch_topic", "topic": topic.pk})
    assert await next_of_type(socket, "error") == {"type": "error", "reason": "rate-limited", "topic": topic.pk}
    # The socket stays open, and still watches the topic it last joined.
    await socket.send_json_to({"type": "ping"})
    assert await next_of_type(socket, "pong") == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("frame", [
    "{not json",
    "[]",
    '"ping"',
    "null",
    json.dumps({"type": "subscribe", "group": "user.1"}),  # unknown type
    json.dumps({"type": "join", "group": "user.1"}),
    json.dumps({"type": "watch_topic", "topic": "1"}),  # wrong types
    json.dumps({"type": "watch_topic", "topic": True}),
    json.dumps({"type": "watch_topic", "topic": -4}),
    json.dumps({"type": "watch_topic"}),
    json.dumps({"type": "watch_topic", "topic": 1, "group": "user.1"}),  # extra field
    json.dumps({"type": 1}),
    json.dumps({"type": "ping", "pad": "x" * 5000}),  # over 4 KB
    "[" * 4000,  # nested past the parser's depth
])
async def test_malformed_frames_close_the_socket_cleanly(frame):
    user = await sync_to_async(UserFactory)()
    socket = await connected(user)
    await socket.send_to(text_data=frame)
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_MALFORMED}
    await socket.disconnect()


async def test_binary_frames_close_the_socket():
    socket = await connected(await sync_to_async(UserFactory)())
    await socket.send_to(bytes_data=b'{"type": "ping"}')
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_MALFORMED}
    await socket.disconnect()


async def test_a_client_cannot_join_another_members_group():
    """Nothing a client sends names a group: the only group joined besides the member's own
    is a visible topic's. Asking for someone else's group closes the socket."""
    alice, bob = await sync_to_async(UserFactory)(), await sync_to_async(UserFactory)()
    bob_socket = await connected(bob)
    for attempt in ({"type": "join", "group": user_group_name(alice.pk)},
                    {"type": "watch_topic", "topic": user_group_name(alice.pk)}):
        await bob_socket.send_json_to(attempt)
        assert await bob_socket.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_MALFORMED}
        await bob_socket.disconnect()
        bob_socket = await connected(bob)
    await get_channel_layer().group_send(
        user_group_name(alice.pk), {"type": "notification.event", "payload": {"type": "notification", "id": 1}}
    )
    assert await bob_socket.receive_nothing(timeout=0.3)
    await bob_socket.disconnect()


async def test_a_real_reply_reaches_topic_watchers_as_ids_and_followers_as_a_notification():
    from forum import services as forum_services
    from notifications.models import Notification
    from tests.factories import member_of

    association, topic, author, outsider = await members_only_topic()
    follower = await sync_to_async(member_of)(association)
    await sync_to_async(forum_services.follow)(follower, "topic", topic)

    watcher_socket = await connected(follower)
    await watcher_socket.send_json_to({"type": "watch_topic", "topic": topic.pk})
    assert (await watcher_socket.receive_json_from(timeout=5))["type"] == "watching"
    outsider_socket = await connected(outsider)

    reply = await sync_to_async(forum_services.reply)(author, topic, body="We send the e-IWO through the portal.")

    received = [await watcher_socket.receive_json_from(timeout=5), await watcher_socket.receive_json_from(timeout=5)]
    by_type = {message["type"]: message for message in received}
    # The topic's event carries ids only: the page fetches the post over HTTP.
    assert by_type["reply"] == {"type": "reply", "topic": topic.pk, "post": reply.pk, "position": reply.position}
    notification = await sync_to_async(Notification.objects.get)(recipient=follower, post=reply)
    assert by_type["notification"] == {
        "type": "notification", "id": notification.pk, "kind": "reply", "title": notification.title,
        "summary": notification.summary, "url": notification.url, "count": 1,
        "created": notification.created_at.isoformat(),
        "unread": await sync_to_async(Notification.objects.filter(recipient=follower, read_at=None).count)(),
    }
    assert "e-IWO" in by_type["notification"]["summary"]  # the recipient's own, so its text travels
    assert await outsider_socket.receive_nothing(timeout=0.3)
    await watcher_socket.disconnect()
    await outsider_socket.disconnect()
