"""What an open page asks over HTTP when its WebSocket (re)connects, so nothing pushed while
it was offline is missed (static/js/live.js). Read-only."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications import selectors, services

RECENT_LIMIT = 20


@never_cache
@require_GET
def recent(request):
    """GET /notifications/recent/?after=<id>: the unread count and the member's visible
    notifications newer than `after` (the newest RECENT_LIMIT, oldest first; `more` says
    some older ones were left out). Without `after`, the newest ones, for a page that has
    nothing to compare with yet. `latest` is the id to send as `after` next time."""
    if not request.user.is_authenticated:
        # A script asks this, so a redirect to the sign-in page would be no use to it.
        return JsonResponse({"error": "sign-in-required"}, status=403)
    after = request.GET.get("after", "")
    if after and not (after.isascii() and after.isdigit() and len(after) <= 18):
        return JsonResponse({"error": "bad-after"}, status=400)
    after_id = int(after) if after else 0
    rows = list(selectors.visible_notifications(request.user).filter(pk__gt=after_id)
                .order_by("-pk")[:RECENT_LIMIT + 1])
    more, rows = len(rows) > RECENT_LIMIT, rows[:RECENT_LIMIT]
    unread = selectors.unread_count(request.user)
    return JsonResponse({
        "unread": unread,
        "latest": rows[0].pk if rows else after_id,
        "more": more,
        "notifications": [dict(services.payload(row, unread), read=row.read_at is not None)
                          for row in reversed(rows)],
    })
