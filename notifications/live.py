"""Pushing to open pages over the channel layer (Redis in production, in-memory embedded).

Everything here is best effort: the database already holds what a page needs, and a page
that missed a push catches up when it (re)connects. So a channel layer that is down is
logged and never fails the write that triggered the push.
"""

import asyncio
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Seconds to wait for the channel layer before giving up on a push.
PUSH_TIMEOUT = 3.0


def user_group_name(user_id: int) -> str:
    """The group of one member's open pages."""
    return f"user.{user_id}"


def topic_group_name(topic_id: int) -> str:
    """The group of the open pages of one topic (joined only after a visibility check)."""
    return f"topic.{topic_id}"


def send_to_groups(messages: Iterable[tuple[str, dict]]) -> bool:
    """Send each (group, message) pair; True when the layer took them all."""
    messages = list(messages)
    if not messages:
        return True
    layer = get_channel_layer()
    if layer is None:
        return False

    async def send_all():
        # One after another: the pub/sub layer publishes through one connection per Redis
        # shard anyway, one PUBLISH per group, so a thousand sends take a fraction of a second.
        for group, message in messages:
            await layer.group_send(group, message)

    async def send_all_in_time():
        await asyncio.wait_for(send_all(), PUSH_TIMEOUT)

    try:
        async_to_sync(send_all_in_time)()
    except Exception:  # Redis down or slow: the pages catch up from the database later.
        logger.warning("live push of %d messages failed; pages will catch up on reconnect", len(messages),
                       exc_info=True)
        return False
    return True


def push_notifications(payloads: dict[int, dict]) -> bool:
    """{recipient id: browser payload} to each recipient's open pages."""
    return send_to_groups(
        (user_group_name(user_id), {"type": "notification.event", "payload": payload})
        for user_id, payload in payloads.items()
    )


def push_topic_reply(topic_id: int, post_id: int, position: int) -> bool:
    """Tell a topic's open pages a reply was published. Only ids travel: the page fetches
    the reply over HTTP, where the usual visibility checks apply."""
    return send_to_groups([(
        topic_group_name(topic_id),
        {"type": "topic.event", "payload": {"type": "reply", "topic": topic_id, "post": post_id,
                                             "position": position}},
    )])
