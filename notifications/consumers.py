import json

from channels.generic.websocket import AsyncWebsocketConsumer

# Close codes in the 4000-4999 range are ours to define (RFC 6455 §7.4.2).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_MALFORMED = 4400


def user_group_name(user_id: int) -> str:
    """The one group a member's live updates are sent to."""
    return f"user.{user_id}"


class NotificationConsumer(AsyncWebsocketConsumer):
    """A signed-in member's live channel. It joins only the member's own group; clients
    can ping, and nothing a client sends changes any state."""

    group_name: str | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group_name = user_group_name(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data) if text_data is not None else None
        except json.JSONDecodeError:
            message = None
        if not isinstance(message, dict) or message.get("type") != "ping":
            await self.close(code=CLOSE_MALFORMED)
            return
        await self.send(text_data=json.dumps({"type": "pong"}))

    async def notification_event(self, event):
        """Forward a server-side event (sent to the user's group) to the browser."""
        await self.send(text_data=json.dumps(event["payload"]))
