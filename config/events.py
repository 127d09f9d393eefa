"""The one event path. Services call `emit()` inside their transaction; subscribers (search
indexing, notifications) run only after the transaction commits, so nobody hears of a
change that was rolled back. A failing subscriber is logged and never undoes the write.

    emit("membership_decided", membership_id=7)
    subscribe("membership_decided", handler)   # handler(**payload)
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)
_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event_name: str, handler: Callable) -> Callable:
    if handler not in _subscribers[event_name]:
        _subscribers[event_name].append(handler)
    return handler


def emit(event_name: str, **payload) -> None:
    transaction.on_commit(lambda: dispatch(event_name, payload))


def dispatch(event_name: str, payload: dict) -> None:
    for handler in list(_subscribers[event_name]):
        try:
            handler(**payload)
        except Exception:
            logger.exception("subscriber %r failed for event %s", handler, event_name)
