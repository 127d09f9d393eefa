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
    alice_socket = communicator(cookie=await signed_in_cookie(alice))
    bob_socket = communicator(cookie=await signed_in_cookie(bob))
    assert (await alice_socket.connect())[0] and (await bob_socket.connect())[0]

    await get_channel_layer().group_send(
        user_group_name(alice.pk), {"type": "notification.event", "payload": {"kind": "reply", "id": 7}}
    )
    assert json.loads(await alice_socket.receive_from(timeout=5)) == {"kind": "reply", "id": 7}
    assert await bob_socket.receive_nothing(timeout=0.3)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_ping_is_answered_and_malformed_frames_close_the_socket():
    user = await sync_to_async(UserFactory)()
    socket = communicator(cookie=await signed_in_cookie(user))
    assert (await socket.connect())[0]
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await socket.receive_from(timeout=5)) == {"type": "pong"}
    await socket.send_to(text_data="{not json")
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_MALFORMED}
