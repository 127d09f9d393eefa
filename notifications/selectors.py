"""Reads for notifications. Each time a notification is shown, its target is checked again:
a notification about a post that has since been hidden, a topic moved to a category the
member can no longer see, or a page that was unpublished or restricted, is not shown."""

from django.core.cache import cache
from django.db.models import Q, QuerySet
from wagtail.models import Page

from forum.models import Visibility
from notifications.models import DEFAULT_DELIVERY, Kind, Notification, NotificationPreference

UNREAD_CACHE_SECONDS = 300


def visible_notifications(user) -> QuerySet[Notification]:
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    from cms.events.selectors import restricted_for
    from forum.selectors import ForumViewer

    visible_topics = ForumViewer.of(user).topics().values("pk")
    closed_pages = Page.objects.filter(restricted_for(user)).values("pk")
    return (
        Notification.objects.filter(recipient=user)
        .filter(Q(topic__isnull=True) | Q(topic__in=visible_topics))
        .filter(Q(post__isnull=True) | Q(post__status=Visibility.PUBLISHED))
        .filter(Q(page__isnull=True) | (Q(page__live=True) & ~Q(page__in=closed_pages)))
        .select_related("actor")
    )


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    """The header badge's number (cached; notify() and marking read forget it)."""
    if user is None or not user.is_authenticated:
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = visible_notifications(user).filter(read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread_counts(user_ids) -> None:
    cache.delete_many([_unread_key(user_id) for user_id in user_ids])


def preferences_for(user) -> dict[str, str]:
    """{kind: delivery} for every kind, defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind.value: chosen.get(kind.value, DEFAULT_DELIVERY[kind]) for kind in Kind}
