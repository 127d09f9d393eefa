"""Who should hear of something, computed in bulk: a few queries per event whatever the
number of followers, and only people who may see the thing (by the same audience ids the
members permission source gives every page, category and search document)."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q

from forum.models import Follow, Topic
from members import permissions


def who_can_see(audience: Iterable[str], candidate_ids: Iterable[int]) -> set[int]:
    """The candidates holding one of `audience`'s ids (active accounts; site administrators
    see everything), in one query."""
    candidate_ids = {int(user_id) for user_id in candidate_ids}
    if not candidate_ids:
        return set()
    audience = frozenset(audience)
    users = get_user_model().objects.filter(pk__in=candidate_ids, is_active=True)
    if permissions.PUBLIC in audience or permissions.SIGNED_IN in audience:
        return set(users.values_list("pk", flat=True))
    group_ids = permissions.group_ids_in(audience)
    return set(users.filter(Q(is_superuser=True) | Q(groups__in=group_ids)).values_list("pk", flat=True).distinct())


def topic_audience(topic: Topic) -> frozenset[str]:
    return permissions.category_audience_ids(topic.category)


def topic_followers(topic: Topic) -> set[int]:
    return set(Follow.objects.filter(topic=topic).values_list("user_id", flat=True))


def new_topic_followers(topic: Topic) -> set[int]:
    """People following the topic's category (or its parent), one of its tags or one of
    its jurisdictions (one query)."""
    categories = [topic.category_id, *([topic.category.parent_id] if topic.category.parent_id else [])]
    tag_ids = list(topic.tags.values_list("pk", flat=True))
    jurisdiction_ids = list(topic.jurisdictions.values_list("pk", flat=True))
    followed = Q(category_id__in=categories)
    if tag_ids:
        followed |= Q(tag_id__in=tag_ids)
    if jurisdiction_ids:
        followed |= Q(jurisdiction_id__in=jurisdiction_ids)
    return set(Follow.objects.filter(followed).values_list("user_id", flat=True).distinct())


def jurisdiction_followers(jurisdiction_ids: Iterable[int]) -> set[int]:
    jurisdiction_ids = list(jurisdiction_ids)
    if not jurisdiction_ids:
        return set()
    return set(Follow.objects.filter(jurisdiction_id__in=jurisdiction_ids).values_list("user_id", flat=True).distinct())


def active_members_of(association_id: int) -> set[int]:
    """The association's active members (its members role group)."""
    from members.models import Role, RoleGroup

    group_ids = RoleGroup.objects.filter(association_id=association_id, role=Role.MEMBER).values_list("group_id")
    return set(get_user_model().objects.filter(groups__in=group_ids, is_active=True).values_list("pk", flat=True))


def page_audience(page) -> frozenset[str]:
    """A page's audience ids (its view restrictions and its ancestors'); empty when it is
    password-protected (then nobody is notified: a password is per browser, not per person)."""
    from search.sources.pages import PageContext

    return frozenset(PageContext([page]).audience(page) or ())
