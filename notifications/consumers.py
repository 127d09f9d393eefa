import json
import time
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from notifications.live import topic_group_name, user_group_name

# Close codes in the 4000-4999 range are ours to define (RFC 6455 §7.4.2).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_MALFORMED = 4400

# A client only ever sends tiny control messages; anything bigger is not ours.
MAX_FRAME_CHARS = 4096
# Each watch_topic costs a visibility query. A page asks once per topic it shows (and again
# after a reconnect, on a new socket), so a socket asking more often than this is not a page.
MAX_WATCHES_PER_MINUTE = 20


def _visible_topic_exists(user, topic_id: int) -> bool:
    """Whether `user` may see the topic now (the same rule as the topic page)."""
    from forum.selectors import ForumViewer

    return ForumViewer.of(user).topics().filter(pk=topic_id).exists()


def _unread_count(user) -> int:
    from notifications.selectors import unread_count

    return unread_count(user)


class NotificationConsumer(AsyncWebsocketConsumer):
    """A signed-in member's live channel.

    It joins the member's own group (`user.<id>`) and, on request, the group of the one
    topic the page shows (`topic.<id>`) once the member is found to see that topic. Clients
    may send only {"type": "ping"}, {"type": "watch_topic", "topic": <id>} and
    {"type": "unwatch_topic"}; none of them changes any state. Anything else (not JSON,
    wrong types, unknown type, binary or over MAX_FRAME_CHARS) closes the socket with
    CLOSE_MALFORMED. More than MAX_WATCHES_PER_MINUTE watch requests a minute are refused
    ("rate-limited") without a query.
    """

    group_name: str | None = None
    topic_group: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recent_watches = deque(maxlen=MAX_WATCHES_PER_MINUTE)

    async def connect(self):
        user = self.scope.get("user")
        # AuthMiddleware resolves a session that has ended (signed out, password changed) or
        # an account since deactivated to AnonymousUser; is_active is checked again anyway.
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group_name = user_group_name(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        # The badge's number as of now; the page then asks /notifications/recent/ over
        # HTTP for what it missed while it was not connected.
        await self.send_json({"type": "hello", "unread": await database_sync_to_async(_unread_count)(user)})

    async def disconnect(self, code):
        if self.topic_group:
            await self.channel_layer.group_discard(self.topic_group, self.channel_name)
            self.topic_group = None
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        message = self.parse(text_data, bytes_data)
        kind = message.get("type") if message is not None else None
        if kind == "ping" and len(message) == 1:
            await self.send_json({"type": "pong"})
        elif kind == "watch_topic" and set(message) == {"type", "topic"} and _is_id(message["topic"]):
            await self.watch_topic(message["topic"])
        elif kind == "unwatch_topic" and len(message) == 1:
            await self.unwatch_topic()
            await self.send_json({"type": "unwatched"})
        else:
            await self.close(code=CLOSE_MALFORMED)

    @staticmethod
    def parse(text_data, bytes_data) -> dict | None:
        if text_data is None or bytes_data is not None or len(text_data) > MAX_FRAME_CHARS:
            return None
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            return None
        return message if isinstance(message, dict) else None

    async def watch_topic(self, topic_id: int):
        """Join the topic's group if the member may see the topic now. A refusal says so
        and keeps the socket (the member's own notifications still flow): the page may
        simply be stale, a topic moved or hidden since it was loaded."""
        if self.watching_too_often():
            await self.send_json({"type": "error", "reason": "rate-limited", "topic": topic_id})
            return
        user = self.scope["user"]
        visible = await database_sync_to_async(_visible_topic_exists)(user, topic_id)
        await self.unwatch_topic()  # a page watches one topic at a time
        if not visible:
            await self.send_json({"type": "error", "reason": "not-visible", "topic": topic_id})
            return
        self.topic_group = topic_group_name(topic_id)
        await self.channel_layer.group_add(self.topic_group, self.channel_name)
        await self.send_json({"type": "watching", "topic": topic_id})

    def watching_too_often(self) -> bool:
        """True once MAX_WATCHES_PER_MINUTE requests were answered within the last minute."""
        now = time.monotonic()
        full = len(self.recent_watches) == self.recent_watches.maxlen
        if full and now - self.recent_watches[0] < 60:
            return True
        self.recent_watches.append(now)
        return False

    async def unwatch_topic(self):
        if self.topic_group:
            await self.channel_layer.group_discard(self.topic_group, self.channel_name)
            self.topic_group = None

    async def send_json(self, content: dict):
        await self.send(text_data=json.dumps(content))

    # --- Server-side events ---------------------------------------------------------------------

    async def notification_event(self, event):
        """Forward a server-side event (sent to the user's group) to the browser."""
        await self.send_json(event["payload"])

    async def topic_event(self, event):
        """Forward a topic's event ({"type": "reply", "topic", "post", "position"}) to the
        browser. Visibility is not checked again here: only ids travel, and the page
        fetches the posts themselves over HTTP (forum:new_posts), which applies the topic
        page's checks to the member as they are at that moment. Checking here would cost a
        query per watcher per reply for no gain."""
        await self.send_json(event["payload"])


def _is_id(value) -> bool:
    # bool is an int in Python; true is not a topic.
    return type(value) is int and 0 < value < 2**63
