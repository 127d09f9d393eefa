"""RSS 2.0 and Atom 1.0 feeds of the latest topics per category, tag and jurisdiction.

Public feeds are served as an anonymous visitor would see the forum, whoever asks (feed
readers carry no session). Members read what they may see through a private feed whose URL
holds their secret FeedToken; resetting the token makes every old private URL stop working.
Feeds never carry held or hidden topics, even to moderators.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_POST, require_safe
from taggit.models import Tag

from forum.models import FeedToken, Post, Topic, Visibility
from forum.selectors import ForumViewer
from forum.views.common import safe_next_url
from members.models import Jurisdiction

FEED_LENGTH = 30
FEED_FORMATS = {"rss": Rss201rev2Feed, "atom": Atom1Feed}
FEED_KINDS = ("category", "tag", "jurisdiction")


# --- Feed tokens (services) --------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_token_for(user) -> FeedToken:
    """The member's feed token, created the first time it is needed."""
    try:
        return FeedToken.objects.get(user=user)
    except FeedToken.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return FeedToken.objects.create(user=user, token=new_token())
    except IntegrityError:  # created meanwhile by a parallel request
        return FeedToken.objects.get(user=user)


@transaction.atomic
def reset_feed_token(user) -> tuple[FeedToken, bool]:
    """Give the member a new secret; every private feed URL with the old one stops working.
    Returns the token and whether an old one was replaced."""
    token = FeedToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        return FeedToken.objects.create(user=user, token=new_token()), False
    token.token = new_token()
    token.save(update_fields=["token"])
    return token, True


# --- Feeds (selectors and views) --------------------------------------------------------------


class TopicFeed(Feed):
    """The latest published topics of one category, tag or jurisdiction that `viewer` may see."""

    def __init__(self, *, viewer, feed_format: str):
        super().__init__()
        self.viewer = viewer
        self.feed_type = FEED_FORMATS[feed_format]

    def get_object(self, request, kind, key):
        viewer = ForumViewer.of(self.viewer)
        topics = viewer.topics().filter(status=Visibility.PUBLISHED)
        if kind == "category":
            category = viewer.categories().get(slug=key)
            subject = {
                "title": f"{category.name} · Comity forum",
                "link": reverse("forum:category", args=[category.slug]),
                "description": category.description or f"The latest topics in {category.name}.",
            }
            topics = topics.filter(category=category)
        elif kind == "tag":
            tag = Tag.objects.get(slug=key)
            topics = topics.filter(tags=tag)
            # A tag used only where the viewer cannot look is not revealed (as on the tag listing).
            if not topics.exists():
                raise Tag.DoesNotExist
            subject = {
                "title": f"Topics tagged “{tag.name}” · Comity forum",
                "link": reverse("forum:tag", args=[tag.slug]),
                "description": f"The latest forum topics tagged “{tag.name}”.",
            }
        elif kind == "jurisdiction":
            jurisdiction = Jurisdiction.objects.get(code=key, is_active=True)
            subject = {
                "title": f"{jurisdiction.name} · Comity forum",
                "link": reverse("forum:jurisdiction", args=[jurisdiction.code]),
                "description": f"The latest forum topics about {jurisdiction.name}.",
            }
            topics = topics.filter(jurisdictions=jurisdiction)
        else:
            raise Http404
        opening_posts = Post.objects.filter(position=1, status=Visibility.PUBLISHED)
        subject["topics"] = list(
            topics.select_related("author", "category")
            .prefetch_related(Prefetch("posts", queryset=opening_posts, to_attr="opening_posts"), "tags")
            .order_by("-last_activity_at", "-pk")[:FEED_LENGTH]
        )
        return subject

    def title(self, subject):
        return subject["title"]

    def link(self, subject):
        return subject["link"]

    def description(self, subject):
        return subject["description"]

    def subtitle(self, subject):
        return subject["description"]

    def items(self, subject):
        return subject["topics"]

    def item_title(self, topic: Topic):
        return topic.title

    def item_link(self, topic: Topic):
        return topic.get_absolute_url()

    def item_description(self, topic: Topic):
        # Rendered and sanitised once, when the post was saved.
        return topic.opening_posts[0].body_html if topic.opening_posts else ""

    def item_author_name(self, topic: Topic):
        return str(topic.author)

    def item_pubdate(self, topic: Topic):
        return topic.created_at

    def item_updateddate(self, topic: Topic):
        return topic.last_activity_at

    def item_categories(self, topic: Topic):
        return [tag.name for tag in topic.tags.all()]


def serve_feed(request, *, viewer, kind: str, key: str, feed_format: str):
    if feed_format not in FEED_FORMATS or kind not in FEED_KINDS:
        raise Http404
    feed = TopicFeed(viewer=viewer, feed_format=feed_format)
    feed.feed_url = request.path
    try:
        return feed(request, kind=kind, key=key)
    except ObjectDoesNotExist:
        raise Http404 from None


@require_safe
def public_feed(request, kind, key, feed_format):
    """What anyone may read, whoever asks: a category that is not public is a 404."""
    response = serve_feed(request, viewer=AnonymousUser(), kind=kind, key=key, feed_format=feed_format)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def private_feed(request, token, kind, key, feed_format):
    """What the token's owner may see now (a lapsed member's token no longer shows
    members-only topics); an unknown or replaced token is a 404."""
    feed_token = FeedToken.objects.select_related("user").filter(token=token).first()
    if feed_token is None or not secrets.compare_digest(feed_token.token, token):
        raise Http404
    response = serve_feed(request, viewer=feed_token.user, kind=kind, key=key, feed_format=feed_format)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The URL is a secret: never send it onward as a referrer.
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def reset_token(request):
    """Make (or remake) the member's private feed secret, then go back where they were."""
    _, replaced = reset_feed_token(request.user)
    if replaced:
        messages.success(
            request,
            "Your private feed addresses have changed. Feed readers using the old addresses will stop "
            "getting updates: subscribe again with the new ones.",
        )
    else:
        messages.success(request, "Your private feed addresses are ready. Keep them to yourself.")
    return redirect(safe_next_url(request, reverse("forum:index"), also=[request.headers.get("Referer", "")]))
