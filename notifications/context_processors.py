"""The header's live notifications: the unread badge's number, and what static/js/live.js
needs to connect (templates/includes/header.html, templates/base.html)."""

import logging

from django.urls import NoReverseMatch, reverse

from notifications import selectors

logger = logging.getLogger(__name__)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def live_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counted = []

    def unread_notifications():
        # Asked only when a template shows it, and at most once per response. It is
        # cached (selectors.unread_count), so most pages pay one cache read for it.
        if not counted:
            try:
                counted.append(selectors.unread_count(user))
            except Exception:  # the cache (Redis) is down: the page is shown without a number
                logger.warning("unread count unavailable", exc_info=True)
                counted.append(None)
        return counted[0]

    return {
        "unread_notifications": unread_notifications,
        "notifications_centre_url": _url("notifications:centre"),
        "notifications_recent_url": _url("notifications:recent"),
        # live.js puts a notification's id in place of the 0 (opening it marks it read).
        "notifications_open_url": _url("notifications:open", 0),
    }
