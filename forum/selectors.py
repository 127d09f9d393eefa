"""Reads for the forum, already filtered by what the viewer may see (through the members
permission source) and with related rows loaded so a page costs a constant number of queries.

Who may see what is decided in one place, `ForumViewer`: `visible_categories(user)`,
`visible_topics(user)`, `visible_posts(user, topic)` and the filters behind them build one
from the user and ask it. A view builds one per request and passes it along, so the
permission source is asked once (one query) however many things the page shows."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from forum.models import (
    Bookmark,
    Category,
    Follow,
    HelpfulVote,
    Post,
    PostingSuspension,
    Topic,
    TopicReadState,
    Visibility,
)
from members import permissions
from members.models import Jurisdiction, Membership, Role

LISTING_SORTS = {
    "activity": ("-last_activity_at", "-pk"),
    "newest": ("-created_at", "-pk"),
    "helpful": ("-helpful_total", "-last_activity_at", "-pk"),
}
MENTION_SUGGESTION_LIMIT = 8


# --- Who may see what -------------------------------------------------------------------------


@dataclass(frozen=True)
class ForumViewer:
    """What one viewer may see and do in the forum, worked out once.

    The answers agree with the permission source, `members.permissions` (`can_view` on a
    category's audience ids, `roles_by_association`, `can_moderate`); the tests check that
    over a matrix of roles and visibilities. `of(user)` asks it in one query for a
    signed-in user and none for a visitor. It lives for one request (or one service call)
    only, so nothing stale outlives a membership change.
    """

    user: object
    audiences: frozenset[str]
    member_association_ids: frozenset[int]
    roles: dict = field(default_factory=dict)
    everything: bool = False

    @classmethod
    def of(cls, user) -> "ForumViewer":
        """The viewer for `user` (an existing ForumViewer is returned as it is)."""
        if isinstance(user, ForumViewer):
            return user
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(user=user, audiences=frozenset({permissions.PUBLIC}), member_association_ids=frozenset())
        audiences = {permissions.PUBLIC, permissions.SIGNED_IN}
        member_of: set[int] = set()
        roles: dict[int, set[str]] = {}
        for source, group_id, role, association_id in _audience_and_role_rows(user):
            if source == "group":
                # permissions.audience_ids and permissions.member_association_ids
                audiences.add(permissions.group_audience(group_id))
                if role == Role.MEMBER:
                    member_of.add(association_id)
            else:
                # permissions.roles_by_association
                roles.setdefault(association_id, {Role.MEMBER}).update({role} if role else set())
        return cls(
            user=user, audiences=frozenset(audiences), member_association_ids=frozenset(member_of),
            roles={pk: frozenset(held) for pk, held in roles.items()}, everything=permissions.sees_everything(user),
        )

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated and self.user.is_active)

    @property
    def moderated_association_ids(self) -> set[int]:
        return {pk for pk, roles in self.roles.items() if roles & permissions.MODERATING_ROLES}

    def category_filter(self) -> Q:
        """A filter on Category matching exactly the categories the viewer may see (those
        whose audience ids, `permissions.category_audience_ids`, meet the viewer's)."""
        if self.everything:
            return Q()
        visible = Q(visibility=Category.Visibility.PUBLIC)
        if permissions.SIGNED_IN in self.audiences:
            visible |= Q(visibility=Category.Visibility.SIGNED_IN)
        group_ids = permissions.group_ids_in(self.audiences)
        if group_ids:
            visible |= Q(visibility=Category.Visibility.GROUP, group_id__in=group_ids)
        if self.member_association_ids:
            visible |= Q(visibility=Category.Visibility.MEMBERS, association_id__in=self.member_association_ids)
            visible |= Q(visibility=Category.Visibility.MEMBERS, association__isnull=True)
        return visible

    def moderation_filter(self, *, association_field: str) -> Q:
        """Published things for everyone; the author's own held things; and everything in the
        associations (and the commons) the viewer moderates. `association_field` leads from
        the filtered model to the association of its category."""
        shown = Q(status=Visibility.PUBLISHED)
        if not self.is_authenticated:
            return shown
        if self.everything:
            return Q()
        shown |= Q(author=self.user, status=Visibility.HELD)
        moderated = self.moderated_association_ids
        if moderated:
            shown |= Q(**{f"{association_field}__in": moderated}) | Q(**{f"{association_field}__isnull": True})
        return shown

    def categories(self) -> QuerySet[Category]:
        return Category.objects.filter(self.category_filter()).select_related("association", "parent")

    def topics(self) -> QuerySet[Topic]:
        """Published topics in categories the viewer may see; authors also see their own held
        topics, moderators held and hidden ones in the associations they moderate."""
        categories = Category.objects.filter(self.category_filter()).values("pk")
        return Topic.objects.filter(
            self.moderation_filter(association_field="category__association"), category__in=categories
        )

    def posts(self, topic: Topic) -> QuerySet[Post]:
        """Posts of `topic` (a topic the viewer may see) that the viewer may see: published
        ones, their own held ones, and for the topic's moderators held and hidden ones too."""
        return topic.posts.filter(self.post_filter())

    def post_filter(self) -> Q:
        return self.moderation_filter(association_field="topic__category__association")

    def can_post_in(self, category: Category) -> bool:
        """Same answer as `services.can_post_in(user, category)`, for a category taken from
        `categories()` (so already known to be visible)."""
        if not self.is_authenticated:
            return False
        if self.everything:
            return True
        if category.association_id is None:
            return bool(self.roles)
        return category.association_id in self.member_association_ids

    def can_moderate(self, association_id: int | None) -> bool:
        """Same answer as `permissions.can_moderate(user, association)`."""
        if self.everything:
            return True
        if association_id is None:
            return bool(self.moderated_association_ids)
        return association_id in self.moderated_association_ids


def _audience_and_role_rows(user):
    """The user's role groups (`("group", group id, role, association id)`: what
    `permissions.audience_ids` reads) and active memberships with their roles
    (`("membership", None, role or None, association id)`: what
    `permissions.roles_by_association` reads), in one query."""
    groups = (
        user.groups.filter(role_group__isnull=False)
        .order_by()
        .values_list(Value("group", output_field=CharField()), "id", "role_group__role", "role_group__association_id")
    )
    memberships = (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .order_by()
        .values_list(
            Value("membership", output_field=CharField()), Value(None, output_field=IntegerField()),
            "role_assignments__role", "association_id",
        )
    )
    return groups.union(memberships, all=True)


def visible_category_filter(user) -> Q:
    """A filter on Category matching exactly the categories `user` may see; it agrees with
    `permissions.can_view(user, category)`."""
    return ForumViewer.of(user).category_filter()


def visible_categories(user) -> QuerySet[Category]:
    return ForumViewer.of(user).categories()


def visible_topics(user) -> QuerySet[Topic]:
    """Published topics in categories `user` may see. Authors also see their own held
    topics; moderators see held and hidden topics in the associations they moderate."""
    return ForumViewer.of(user).topics()


def moderated_association_ids(user) -> set[int]:
    return ForumViewer.of(user).moderated_association_ids


def moderation_aware_filter(user, *, association_field: str) -> Q:
    """Published things for everyone; the author's own held things; and everything in the
    associations (and the commons) a moderator moderates."""
    return ForumViewer.of(user).moderation_filter(association_field=association_field)


def visible_posts(user, topic: Topic) -> QuerySet[Post]:
    """Posts of a topic the viewer may see: published ones, their own held ones, and for
    the topic's moderators held and hidden ones too (shown as such)."""
    return ForumViewer.of(user).posts(topic)


# --- Listings, related questions, follows, unread ---------------------------------------------


def index_categories(viewer: ForumViewer) -> list[dict]:
    """The forum index: visible categories in groups, the interstate commons first and then
    each association by name, children nested under their parent (a child whose parent
    the viewer cannot see stands on its own). Each category carries `topic_count`,
    `unanswered_count` and `last_activity_at` over its published topics. One query."""
    published = Q(topics__status=Visibility.PUBLISHED)
    categories = list(
        viewer.categories()
        .annotate(
            topic_count=Count("topics", filter=published),
            unanswered_count=Count(
                "topics",
                filter=published & Q(topics__kind=Topic.Kind.QUESTION, topics__accepted_answer__isnull=True),
            ),
            last_activity_at=Max("topics__last_activity_at", filter=published),
        )
        .order_by("position", "name")
    )
    shown_ids = {category.pk for category in categories}
    children: dict[int, list[Category]] = {}
    for category in categories:
        category.child_categories = children.setdefault(category.pk, [])
    for category in categories:
        if category.parent_id in shown_ids:
            children[category.parent_id].append(category)
    groups: dict[int | None, dict] = {}
    for category in categories:
        if category.parent_id in shown_ids:
            continue
        key = category.association_id
        if key not in groups:
            groups[key] = {
                "association": category.association,
                "name": category.association.name if category.association else "Interstate commons",
                "categories": [],
            }
        groups[key]["categories"].append(category)
    return sorted(groups.values(), key=lambda group: (group["association"] is not None, group["name"].lower()))


def listing_topics(
    viewer: ForumViewer,
    *,
    category: Category | None = None,
    tag: str | None = None,
    jurisdiction: str | None = None,
    kind: str | None = None,
    answered: bool | None = None,
    sort: str = "activity",
    pinned_first: bool = False,
) -> QuerySet[Topic]:
    """Visible topics for a listing, filtered and sorted, with what a row shows loaded:
    author, category, tags and jurisdictions (two prefetch queries per page) and, for a
    signed-in viewer, `new_post_count` (published posts after their last read position;
    None for a topic they never opened) in the page query itself. `answered=False` means
    practice questions without an accepted answer."""
    topics = viewer.topics()
    if category is not None:
        topics = topics.filter(category=category)
    if tag:
        topics = topics.filter(tags__slug=tag)
    if jurisdiction:
        topics = topics.filter(jurisdictions__code=jurisdiction)
    if kind:
        topics = topics.filter(kind=kind)
    if answered is True:
        topics = topics.filter(accepted_answer__isnull=False)
    elif answered is False:
        topics = topics.filter(kind=Topic.Kind.QUESTION, accepted_answer__isnull=True)
    order = LISTING_SORTS.get(sort, LISTING_SORTS["activity"])
    if pinned_first:
        order = ("-is_pinned", *order)
    return with_listing_details(topics.order_by(*order), viewer.user)


def with_listing_details(topics: QuerySet[Topic], user) -> QuerySet[Topic]:
    topics = topics.select_related("author", "category").prefetch_related("tags", "jurisdictions")
    if user is None or not user.is_authenticated:
        return topics
    last_read = TopicReadState.objects.filter(user=user, topic=OuterRef("pk")).values("last_read_position")[:1]
    new_posts = (
        Post.objects.filter(topic=OuterRef("pk"), status=Visibility.PUBLISHED, position__gt=OuterRef("viewer_last_read"))
        .order_by()
        .values("topic")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return topics.annotate(viewer_last_read=Subquery(last_read), new_post_count=Subquery(new_posts))


def listing_jurisdictions() -> list[tuple[str, str, str]]:
    """(code, name, kind) of active jurisdictions for listing filters. Reference data from
    a migration, so cached for a few minutes rather than read on every listing page."""
    key = "forum:listing-jurisdictions"
    rows = cache.get(key)
    if rows is None:
        rows = list(Jurisdiction.objects.filter(is_active=True).order_by("kind", "name").values_list("code", "name", "kind"))
        cache.set(key, rows, 300)
    return rows


def visible_tag(viewer: ForumViewer, slug: str) -> Tag | None:
    """The tag with this slug if the viewer can see at least one topic carrying it (a tag
    used only in a private category is not revealed by name). Carries `viewer_follows`."""
    tagged_visible = TaggedItem.objects.filter(
        tag=OuterRef("pk"),
        content_type=ContentType.objects.get_for_model(Topic),
        object_id__in=viewer.topics().values("pk"),
    )
    tags = Tag.objects.filter(Exists(tagged_visible), slug=slug)
    return _with_viewer_follows(tags, viewer.user, "tag").first()


def _with_viewer_follows(queryset, user, field_name: str):
    if user is None or not user.is_authenticated:
        return queryset.annotate(viewer_follows=Value(False))
    return queryset.annotate(viewer_follows=Exists(Follow.objects.filter(user=user, **{field_name: OuterRef("pk")})))


def visible_category(viewer: ForumViewer, slug: str) -> Category | None:
    """A visible category by slug, carrying `viewer_follows` and `visible_children` (its
    subcategories the viewer may see), in one query."""
    rows = list(
        _with_viewer_follows(viewer.categories().filter(Q(slug=slug) | Q(parent__slug=slug)), viewer.user, "category")
        .order_by("position", "name")
    )
    found = next((category for category in rows if category.slug == slug), None)
    if found is not None:
        found.visible_children = [category for category in rows if category.parent_id == found.pk]
    return found


def listed_jurisdiction(viewer: ForumViewer, code: str) -> Jurisdiction | None:
    """An active jurisdiction by code, carrying `viewer_follows`."""
    return _with_viewer_follows(
        Jurisdiction.objects.filter(code=code, is_active=True), viewer.user, "jurisdiction"
    ).first()


def bookmarked_topics(viewer: ForumViewer) -> QuerySet[Topic]:
    """The viewer's bookmarked topics they can still see, most recently bookmarked first."""
    bookmarked_at = Bookmark.objects.filter(user=viewer.user, topic=OuterRef("pk")).values("created_at")[:1]
    topics = (
        viewer.topics()
        .filter(pk__in=Bookmark.objects.filter(user=viewer.user).values("topic_id"))
        .annotate(bookmarked_at=Subquery(bookmarked_at))
        .order_by("-bookmarked_at", "-pk")
    )
    return with_listing_details(topics, viewer.user)


def related_questions(user, topic: Topic, limit: int = 5, *, viewer: ForumViewer | None = None) -> list[Topic]:
    """Other practice questions the viewer may see that share tags or jurisdictions with
    `topic`, most shared first, then most recently active. One query (plus the viewer's
    permission queries unless a `viewer` built for this request is passed)."""
    viewer = viewer or ForumViewer.of(user)
    topic_type = ContentType.objects.get_for_model(Topic)
    topic_tags = TaggedItem.objects.filter(content_type=topic_type, object_id=topic.pk).values("tag_id")
    JurisdictionLink = Topic.jurisdictions.through
    topic_jurisdictions = JurisdictionLink.objects.filter(topic_id=topic.pk).values("jurisdiction_id")
    shared_tags = (
        TaggedItem.objects.filter(content_type=topic_type, object_id=OuterRef("pk"), tag_id__in=topic_tags)
        .order_by()
        .values("object_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    shared_jurisdictions = (
        JurisdictionLink.objects.filter(topic_id=OuterRef("pk"), jurisdiction_id__in=topic_jurisdictions)
        .order_by()
        .values("topic_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        viewer.topics()
        .filter(kind=Topic.Kind.QUESTION)
        .exclude(pk=topic.pk)
        .annotate(
            shared_count=Coalesce(Subquery(shared_tags, output_field=IntegerField()), 0)
            + Coalesce(Subquery(shared_jurisdictions, output_field=IntegerField()), 0)
        )
        # Only topics that share something are scored (the same as shared_count > 0, but
        # the database narrows to them through the tag and jurisdiction indexes first).
        .filter(
            Q(pk__in=TaggedItem.objects.filter(content_type=topic_type, tag_id__in=topic_tags).values("object_id"))
            | Q(pk__in=JurisdictionLink.objects.filter(jurisdiction_id__in=topic_jurisdictions).values("topic_id"))
        )
        .select_related("category")
        .order_by("-shared_count", "-last_activity_at", "-pk")[:limit]
    )


def topic_viewer_state(user, topic: Topic) -> Topic:
    """Sets `topic.viewer_follows` and `topic.viewer_bookmarked` for topic_actions.html
    (one query; both False for a visitor)."""
    topic.viewer_follows = topic.viewer_bookmarked = False
    if user is not None and user.is_authenticated:
        state = (
            Topic.objects.filter(pk=topic.pk)
            .annotate(
                viewer_follows=Exists(Follow.objects.filter(user=user, topic=OuterRef("pk"))),
                viewer_bookmarked=Exists(Bookmark.objects.filter(user=user, topic=OuterRef("pk"))),
            )
            .values("viewer_follows", "viewer_bookmarked")
            .first()
        ) or {}
        topic.viewer_follows = bool(state.get("viewer_follows"))
        topic.viewer_bookmarked = bool(state.get("viewer_bookmarked"))
    return topic


def post_action_state(user, topic: Topic, posts, *, viewer: ForumViewer | None = None) -> None:
    """Prepares post_actions.html for a page of posts: sets `post.viewer_found_helpful`
    on each post (one query; none for posts loaded through `with_viewer_votes`, which
    already carry it) and `topic.viewer_can_accept` (asker or moderator of the topic's
    association)."""
    posts = list(posts)
    signed_in = user is not None and user.is_authenticated
    unknown = [post for post in posts if not hasattr(post, "viewer_found_helpful")]
    voted = set()
    if signed_in and unknown:
        voted = set(
            HelpfulVote.objects.filter(voter=user, post_id__in=[post.pk for post in unknown]).values_list("post_id", flat=True)
        )
    for post in unknown:
        post.viewer_found_helpful = post.pk in voted
    can_accept = False
    if signed_in and topic.kind == Topic.Kind.QUESTION:
        if topic.author_id == user.pk:
            can_accept = True
        elif viewer is not None:
            can_accept = viewer.can_moderate(topic.category.association_id)
        else:
            can_accept = permissions.can_moderate(user, topic.category.association)
    topic.viewer_can_accept = can_accept


# --- The topic page ---------------------------------------------------------------------------


def topic_for_page(viewer: ForumViewer, pk: int) -> Topic | None:
    """The topic if the viewer may see it, with what its page shows about it loaded in one
    query (and one each for its tags and jurisdictions):

    - `visible_post_count`: how many of its posts the viewer may see (the page paginates
      with it instead of counting again);
    - `viewer_follows`, `viewer_bookmarked` (as `topic_viewer_state` sets them);
    - `viewer_last_read`: the viewer's read position, None if they never opened the topic;
    - `viewer_suspension_id`: the viewer's active posting suspension where the topic is (the
      one `forum.moderation.active_suspension` finds), None when there is none.

    For a visitor the viewer_* attributes are False or None and cost nothing.
    """
    visible_posts_of_topic = (
        Post.objects.filter(viewer.post_filter(), topic=OuterRef("pk"))
        .order_by()
        .values("topic")
        .annotate(count=Count("pk"))
        .values("count")
    )
    topics = (
        viewer.topics()
        .filter(pk=pk)
        .select_related("category__association", "author")
        .prefetch_related("tags", "jurisdictions")
        .annotate(visible_post_count=Coalesce(Subquery(visible_posts_of_topic, output_field=IntegerField()), 0))
    )
    user = viewer.user
    if viewer.is_authenticated:
        read_position = TopicReadState.objects.filter(user=user, topic=OuterRef("pk")).values("last_read_position")[:1]
        # A suspension covers one association's categories, or (association null) the commons.
        no_association = Value(0, output_field=IntegerField())
        suspension = (
            PostingSuspension.objects.filter(user=user, until__gt=timezone.now())
            .annotate(scope=Coalesce("association_id", no_association, output_field=IntegerField()))
            .filter(scope=Coalesce(OuterRef("category__association_id"), no_association, output_field=IntegerField()))
            .order_by("-until")
            .values("pk")[:1]
        )
        topics = topics.annotate(
            viewer_follows=Exists(Follow.objects.filter(user=user, topic=OuterRef("pk"))),
            viewer_bookmarked=Exists(Bookmark.objects.filter(user=user, topic=OuterRef("pk"))),
            viewer_last_read=Subquery(read_position),
            viewer_suspension_id=Subquery(suspension),
        )
    topic = topics.first()
    if topic is not None and not viewer.is_authenticated:
        topic.viewer_follows = topic.viewer_bookmarked = False
        topic.viewer_last_read = topic.viewer_suspension_id = None
    return topic


def with_viewer_votes(posts: QuerySet[Post], user) -> QuerySet[Post]:
    """Posts carrying `viewer_found_helpful` (whether `user` marked each one helpful) from
    the same query, for `post_action_state`."""
    if user is None or not user.is_authenticated:
        return posts.annotate(viewer_found_helpful=Value(False))
    return posts.annotate(viewer_found_helpful=Exists(HelpfulVote.objects.filter(voter=user, post=OuterRef("pk"))))


# --- Mentions ---------------------------------------------------------------------------------


def mention_suggestions(viewer_user, query: str, limit: int = MENTION_SUGGESTION_LIMIT):
    """Active members listed in the directory whose username or display name starts with
    `query` (at least two characters), for @mention autocomplete. Members who chose not to
    be listed, inactive accounts and people without an active membership never appear."""
    query = (query or "").strip().lstrip("@")[:100]
    if len(query) < 2:
        return []
    User = get_user_model()
    active_member = Exists(Membership.objects.filter(user=OuterRef("pk"), status=Membership.Status.ACTIVE))
    listed = Q(profile__isnull=True) | Q(profile__listed_in_directory=True)
    return list(
        User.objects.filter(active_member, listed, is_active=True)
        .filter(Q(username__istartswith=query) | Q(display_name__istartswith=query))
        .exclude(pk=getattr(viewer_user, "pk", None))
        .order_by("username")
        .only("pk", "username", "display_name", "first_name", "last_name")[:limit]
    )
