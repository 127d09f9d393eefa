"""What the forum's views share: the request's ForumViewer, the topic or post a URL names
(a 404 when the viewer may not see it, never a 403: a private category's topics do not exist
for outsiders), and where a form may send the browser back to."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from config.redirects import safe_next_url  # noqa: F401  (the forum's views import it from here)
from forum.models import Post, Topic
from forum.selectors import ForumViewer


def forum_viewer(request) -> ForumViewer:
    """What the requesting user may see and do, worked out once for the request."""
    return ForumViewer.of(request.user)


def visible_topic_or_404(viewer: ForumViewer, pk) -> Topic:
    """The topic if the viewer may see it, with its category, association and author."""
    return get_object_or_404(viewer.topics().select_related("category__association", "author"), pk=pk)


def visible_post_or_404(viewer: ForumViewer, pk) -> Post:
    """The post if the viewer may see both its topic and the post itself (one query), with
    its author and its topic's category, association and author."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such post.") from None
    return get_object_or_404(
        Post.objects.select_related("author", "topic__category__association", "topic__author")
        .filter(topic__in=viewer.topics())
        .filter(viewer.post_filter()),
        pk=pk,
    )


