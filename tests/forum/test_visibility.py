"""Category and topic visibility: the database filter agrees with the permission source
over a matrix of people × category audiences, and held/hidden content stays private."""

import pytest
from django.contrib.auth.models import AnonymousUser

from forum import selectors, services
from forum.models import Category, Visibility
from members import permissions
from members.models import Role, RoleGroup
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def forum_world():
    a = association_with_groups(short_name="AAA", slug="aaa")
    b = association_with_groups(short_name="BBB", slug="bbb")
    board_group = RoleGroup.objects.get(association=a, role=Role.BOARD).group
    categories = {
        "public": CategoryFactory(association=None, visibility=Category.Visibility.PUBLIC),
        "signed-in": CategoryFactory(association=a, visibility=Category.Visibility.SIGNED_IN),
        "commons": CategoryFactory(association=None, visibility=Category.Visibility.MEMBERS),
        "A members": CategoryFactory(association=a, visibility=Category.Visibility.MEMBERS),
        "A board": CategoryFactory(association=a, visibility=Category.Visibility.GROUP, group=board_group),
        "B members": CategoryFactory(association=b, visibility=Category.Visibility.MEMBERS),
    }
    people = {
        "anonymous": AnonymousUser(),
        "signed-in": UserFactory(),
        "applicant": member_of(a, status="applied"),
        "A member": member_of(a),
        "A board": member_of(a, Role.BOARD),
        "A moderator": member_of(a, Role.MODERATOR),
        "B member": member_of(b),
        "lapsed": member_of(a, Role.BOARD, status="lapsed"),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    return a, b, categories, people


SEES = {
    "anonymous": {"public"},
    "signed-in": {"public", "signed-in"},
    "applicant": {"public", "signed-in"},
    "A member": {"public", "signed-in", "commons", "A members"},
    "A board": {"public", "signed-in", "commons", "A members", "A board"},
    "A moderator": {"public", "signed-in", "commons", "A members"},
    "B member": {"public", "signed-in", "commons", "B members"},
    "lapsed": {"public", "signed-in"},
    "superuser": {"public", "signed-in", "commons", "A members", "A board", "B members"},
}


def test_database_filter_and_permission_source_agree(forum_world):
    _, _, categories, people = forum_world
    for person, user in people.items():
        in_database = set(selectors.visible_categories(user).values_list("pk", flat=True))
        by_name = {name for name, category in categories.items() if category.pk in in_database}
        by_permission = {name for name, category in categories.items() if permissions.can_view(user, category)}
        assert by_name == SEES[person], person
        assert by_permission == SEES[person], person


def test_posting_needs_membership_where_members_talk(forum_world):
    a, _, categories, people = forum_world
    assert not services.can_post_in(people["signed-in"], categories["signed-in"])
    assert services.can_post_in(people["A member"], categories["signed-in"])
    assert services.can_post_in(people["B member"], categories["commons"])
    assert not services.can_post_in(people["B member"], categories["A members"])
    assert not services.can_post_in(people["lapsed"], categories["commons"])
    assert not services.can_post_in(people["anonymous"], categories["public"])


def test_held_posts_are_seen_by_author_and_moderators_only(forum_world):
    a, _, categories, people = forum_world
    category = categories["A members"]
    category.hold_first_posts = 1
    category.save()
    newcomer = member_of(a)
    topic = make_topic(newcomer, category)
    assert topic.status == Visibility.HELD
    assert selectors.visible_topics(newcomer).filter(pk=topic.pk).exists()
    assert selectors.visible_topics(people["A moderator"]).filter(pk=topic.pk).exists()
    assert not selectors.visible_topics(people["A member"]).filter(pk=topic.pk).exists()
    assert not selectors.visible_topics(people["B member"]).filter(pk=topic.pk).exists()


def test_moderators_of_any_association_moderate_the_commons_only_there(forum_world):
    a, b, categories, people = forum_world
    moderator = people["A moderator"]
    assert permissions.can_moderate(moderator, None)
    assert permissions.can_moderate(moderator, a)
    assert not permissions.can_moderate(moderator, b)
    assert not permissions.can_moderate(people["A board"], None)


def test_replies_bump_activity_and_counts(forum_world):
    a, _, categories, people = forum_world
    topic = make_topic(people["A member"], categories["A members"])
    reply = make_reply(people["A board"], topic)
    topic.refresh_from_db()
    assert topic.post_count == 2 and topic.last_post == reply and topic.last_activity_at == reply.created_at
