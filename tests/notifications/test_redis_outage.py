"""Redis going away for real (a private Redis of the test's own, stopped and started again):
posting, signing in and pages carry on, the notifications are stored, and the follower's
page gets them when it connects again. The cache (config.cache.ResilientRedisCache) and the
channel layer both point at the private Redis for the test."""

import logging
import re
import time

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from config.asgi import application
from forum import services as forum_services
from forum.models import Post
from notifications import live, selectors
from notifications.models import Kind, Notification
from notifications.services import mark_all_read
from tests.factories import TEST_PASSWORD, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_topic
from tests.live_server import session_key_for, verified_account
from tests.service_control import PrivateRedis

pytestmark = [pytest.mark.django_db(transaction=True)]

# A stopped Redis refuses connections at once; anything near the push timeout means a hang.
QUICK_SECONDS = live.PUSH_TIMEOUT


def use_private_redis(settings, url: str) -> None:
    """Point the cache and the channel layer at `url` (the settings fixture resets Django's
    cache handlers and Channels' cached layers when these change, and restores them after)."""
    settings.CACHES = {**django_settings.CACHES, "default": {**django_settings.CACHES["default"], "LOCATION": url,
                                                             "KEY_PREFIX": "outage-test"}}
    layer = django_settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {
        **layer["CONFIG"], "hosts": [{**layer["CONFIG"]["hosts"][0], "address": url}], "prefix": "outage-test:asgi",
    }}}
    channel_layers.backends.clear()  # in case a layer was built before the signal was connected
    # The pub/sub layer builds its Redis connections per event loop, from these arguments.
    assert get_channel_layer()._kwargs["hosts"][0]["address"] == url
    assert cache._location == url


def submission_token(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    match = re.search(r'name="submission_token" value="([^"]+)"', response.content.decode())
    assert match, "no reply form on the topic page"
    return match.group(1)


def test_posting_survives_redis_going_away_and_the_follower_catches_up(real_engines, settings, caplog):
    with PrivateRedis() as redis_server:
        use_private_redis(settings, redis_server.url)

        association = association_with_groups()
        category = CategoryFactory(association=association)
        author = member_of(association)
        topic = make_topic(author, category, kind="discussion", title="Withholding orders for tribal employers")
        follower = member_of(association)
        forum_services.follow(follower, "topic", topic)
        replier = member_of(association, user=verified_account("replier@agency.example", TEST_PASSWORD, "Replier"))
        mark_all_read(follower)  # their membership decision, say: only the reply counts below

        # Both the cache and the layer have live connections to Redis before it goes.
        cache.set("outage-test:warm", 1)
        assert cache.get("outage-test:warm") == 1
        assert live.send_to_groups([(live.user_group_name(follower.pk), {"type": "notification.event",
                                                                         "payload": {"type": "warm"}})])

        redis_server.stop()
        assert not redis_server.is_up()

        # Signing in still works (allauth's rate limit takes a lock in the cache).
        client = Client()
        response = client.post(reverse("account_login"), {"login": replier.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert client.session.get("_auth_user_id") == str(replier.pk)

        # Pages render: the header reads the badge count and the association switcher, and
        # search counts its rate limit in the cache.
        topic_url = reverse("forum:topic", args=[topic.pk])
        for url in (reverse("forum:index"), topic_url, reverse("search:results") + "?q=withholding"):
            assert client.get(url).status_code == 200, url

        # Replying through the forum view (one-time token claim and rate limit in the cache).
        caplog.set_level(logging.WARNING)
        token = submission_token(client, topic_url)
        started = time.monotonic()
        response = client.post(reverse("forum:reply", args=[topic.pk]), {
            "submission_token": token, "body": "Send the e-IWO; tribal employers accept it since 2023.",
        })
        took = time.monotonic() - started
        assert response.status_code == 302, response.content.decode()[:2000]
        reply = Post.objects.get(topic=topic, author=replier)
        assert took < QUICK_SECONDS, f"posting took {took:.1f} s with Redis down"
        assert any("live push" in record.getMessage() for record in caplog.records)  # tried, failed, swallowed

        notification = Notification.objects.get(recipient=follower, post=reply)
        assert notification.kind == Kind.REPLY
        assert not Notification.objects.filter(recipient=replier, post=reply).exists()

        # The follower's pages render too, and the badge counts from the database.
        follower_client = Client()
        follower_client.force_login(follower)
        assert follower_client.get(reverse("notifications:centre")).status_code == 200
        assert selectors.unread_count(follower) == 1

        redis_server.start()
        cookie = f"{django_settings.SESSION_COOKIE_NAME}={session_key_for(follower)}".encode()
        received = async_to_sync(reconnect_and_hear_the_next_reply)(cookie, replier, topic)
        assert received["hello"] == {"type": "hello", "unread": 1}

        # What the page asks for on (re)connect holds the reply made during the outage.
        recent = follower_client.get(reverse("notifications:recent"), {"after": 0}).json()
        assert notification.pk in [item["id"] for item in recent["notifications"]]
        assert recent["unread"] == 2

        # And the channel layer, whose pooled connections died with Redis, pushes again.
        live_reply = Post.objects.get(topic=topic, author=replier, pk__gt=reply.pk)
        assert received["live"]["type"] == "notification"
        assert received["live"]["id"] == Notification.objects.get(recipient=follower, post=live_reply).pk


async def reconnect_and_hear_the_next_reply(cookie: bytes, replier, topic) -> dict:
    from asgiref.sync import sync_to_async

    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=[
        (b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000"), (b"cookie", cookie),
    ])
    connected, code = await socket.connect(timeout=10)
    assert connected, code
    hello = await socket.receive_json_from(timeout=10)
    await sync_to_async(forum_services.reply)(replier, topic, body="And the portal takes the NMSN as well.")
    live_message = await socket.receive_json_from(timeout=10)
    await socket.disconnect()
    return {"hello": hello, "live": live_message}
