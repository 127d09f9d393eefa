"""Reads for the forum, already filtered by what the viewer may see (through the members
permission source) and with related rows loaded so a page costs a constant number of queries."""

from django.db.models import Q, QuerySet

from forum.models import Category, Post, Topic, Visibility
from members import permissions


def visible_category_filter(user) -> Q:
    """A filter on Category matching exactly the categories `user` may see; it agrees with
    `permissions.can_view(user, category)` (the tests check both over a matrix)."""
    if permissions.sees_everything(user):
        return Q()
    audiences = permissions.audience_ids(user)
    visible = Q(visibility=Category.Visibility.PUBLIC)
    if permissions.SIGNED_IN in audiences:
        visible |= Q(visibility=Category.Visibility.SIGNED_IN)
    group_ids = permissions.group_ids_in(audiences)
    if group_ids:
        visible |= Q(visibility=Category.Visibility.GROUP, group_id__in=group_ids)
    member_of = permissions.member_association_ids(user)
    if member_of:
        visible |= Q(visibility=Category.Visibility.MEMBERS, association_id__in=member_of)
        visible |= Q(visibility=Category.Visibility.MEMBERS, association__isnull=True)
    return visible


def visible_categories(user) -> QuerySet[Category]:
    return Category.objects.filter(visible_category_filter(user)).select_related("association", "parent")


def visible_topics(user) -> QuerySet[Topic]:
    """Published topics in categories `user` may see. Authors also see their own held
    topics; moderators see held and hidden topics in the associations they moderate."""
    categories = Category.objects.filter(visible_category_filter(user)).values("pk")
    return Topic.objects.filter(moderation_aware_filter(user, association_field="category__association"), category__in=categories)


def moderated_association_ids(user) -> set[int]:
    return {
        association_id
        for association_id, roles in permissions.roles_by_association(user).items()
        if roles & permissions.MODERATING_ROLES
    }


def moderation_aware_filter(user, *, association_field: str) -> Q:
    """Published things for everyone; the author's own held things; and everything in the
    associations (and the commons) a moderator moderates."""
    shown = Q(status=Visibility.PUBLISHED)
    if user is None or not user.is_authenticated:
        return shown
    if permissions.sees_everything(user):
        return Q()
    shown |= Q(author=user, status=Visibility.HELD)
    moderated = moderated_association_ids(user)
    if moderated:
        shown |= Q(**{f"{association_field}__in": moderated}) | Q(**{f"{association_field}__isnull": True})
    return shown


def visible_posts(user, topic: Topic) -> QuerySet[Post]:
    """Posts of a topic the viewer may see: published ones, their own held ones, and for
    the topic's moderators held and hidden ones too (shown as such)."""
    return topic.posts.filter(moderation_aware_filter(user, association_field="topic__category__association"))
