"""What the forum's views share (forum/views/common.py): finding a topic or post as the
viewer may see it, in one query and with a 404 otherwise, and the one check on where a
form may send the browser back to (used by moderation, follows, bookmarks and feeds)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from forum.models import Category, Post, Visibility
from forum.selectors import ForumViewer
from forum.views.common import safe_next_url, visible_post_or_404, visible_topic_or_404
from members.models import Role
from tests.factories import association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("data", "secure", "expected"),
    [
        ({"next": "/forum/c/commons/?page=2"}, False, "/forum/c/commons/?page=2"),
        ({"next": "http://testserver/forum/"}, False, "http://testserver/forum/"),
        ({"next": "https://evil.example/forum/"}, False, "/fallback/"),
        ({"next": "//evil.example/forum/"}, False, "/fallback/"),
        ({"next": "javascript:alert(1)"}, False, "/fallback/"),
        ({"next": "http://testserver/forum/"}, True, "/fallback/"),  # no step down from https
        ({"next": ""}, False, "/fallback/"),
        ({}, False, "/fallback/"),
    ],
)
def test_safe_next_url_stays_on_this_site(data, secure, expected):
    request = RequestFactory().post("/", data, secure=secure)
    assert safe_next_url(request, "/fallback/") == expected


def test_safe_next_url_takes_post_then_get_then_the_fallbacks_given():
    factory = RequestFactory()
    request = factory.post("/?next=/from-the-query/", {"next": "/from-the-form/"})
    assert safe_next_url(request, "/fallback/") == "/from-the-form/"
    request = factory.post("/?next=/from-the-query/")
    assert safe_next_url(request, "/fallback/") == "/from-the-query/"
    request = factory.post("/", HTTP_REFERER="https://evil.example/")
    assert safe_next_url(request, "/fallback/", also=[request.headers["Referer"]]) == "/fallback/"
    request = factory.post("/", HTTP_REFERER="http://testserver/forum/t/1/")
    assert safe_next_url(request, "/fallback/", also=[request.headers["Referer"]]) == "http://testserver/forum/t/1/"


@pytest.fixture
def world():
    association = association_with_groups()
    category = CategoryFactory(association=association, visibility=Category.Visibility.MEMBERS)
    author = member_of(association)
    topic = make_topic(author, category)
    reply = make_reply(author, topic)
    hidden = make_reply(author, topic, body="A reply a moderator hid.")
    Post.objects.filter(pk=hidden.pk).update(status=Visibility.HIDDEN)
    return {
        "topic": topic, "reply": reply, "hidden": hidden,
        "member": member_of(association), "moderator": member_of(association, Role.MODERATOR),
        "outsider": member_of(association_with_groups()), "visitor": None,
    }


def test_visible_post_or_404_is_one_query_and_loads_what_views_use(world, django_assert_num_queries):
    viewer = ForumViewer.of(world["member"])
    with django_assert_num_queries(1):
        post = visible_post_or_404(viewer, world["reply"].pk)
        assert post.author.pk and post.topic.category.association.pk and post.topic.author.pk
    with django_assert_num_queries(1):
        topic = visible_topic_or_404(viewer, world["topic"].pk)
        assert topic.author.pk and topic.category.association.pk


@pytest.mark.parametrize(
    ("person", "topic", "reply", "hidden"),
    [
        ("visitor", False, False, False),
        ("outsider", False, False, False),
        ("member", True, True, False),
        ("moderator", True, True, True),
    ],
)
def test_a_topic_or_post_the_viewer_may_not_see_is_a_404(world, person, topic, reply, hidden):
    viewer = ForumViewer.of(world[person] or AnonymousUser())

    def found(lookup, pk) -> bool:
        try:
            lookup(viewer, pk)
        except Http404:
            return False
        return True

    assert found(visible_topic_or_404, world["topic"].pk) is topic
    assert found(visible_post_or_404, world["reply"].pk) is reply
    assert found(visible_post_or_404, world["hidden"].pk) is hidden
    assert not found(visible_post_or_404, 999_999) and not found(visible_post_or_404, "not-a-number")
