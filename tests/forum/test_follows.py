"""Following topics, categories, tags and jurisdictions; bookmarks; read state. You may
only follow or bookmark what you can see (404 otherwise)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from forum import selectors, services
from forum.models import Bookmark, Category, Follow, TopicReadState
from members.models import Role
from tests.factories import JurisdictionFactory, UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def west():
    return association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")


@pytest.fixture
def private(west):
    return CategoryFactory(association=west, slug="wic-private", name="WIC private", visibility=Category.Visibility.MEMBERS)


@pytest.fixture
def public():
    return CategoryFactory(association=None, slug="commons", name="Commons", visibility=Category.Visibility.PUBLIC)


@pytest.fixture
def member(west):
    return member_of(west)


@pytest.fixture
def missouri():
    return JurisdictionFactory(code="MO", name="Missouri")


@pytest.fixture
def asker(west):
    """Who starts the topics (and so follows them from the start)."""
    return member_of(west)


@pytest.fixture
def private_topic(asker, private, missouri):
    return make_topic(asker, private, title="Private question on county payroll", tags=["county-payroll"],
                      jurisdictions=[missouri])


@pytest.fixture
def public_topic(asker, public, missouri):
    return make_topic(asker, public, title="Public question on e-IWO", tags=["e-iwo"], jurisdictions=[missouri])


def follow_url(kind, key):
    return reverse("forum:toggle_follow", args=[kind, key])


@pytest.mark.parametrize(
    "kind, key, field",
    [
        ("topic", None, "topic"),
        ("category", "wic-private", "category"),
        ("tag", "county-payroll", "tag"),
        ("jurisdiction", "MO", "jurisdiction"),
    ],
)
def test_member_follows_and_unfollows_each_kind(client, member, private_topic, kind, key, field):
    key = key or str(private_topic.pk)
    client.force_login(member)
    response = client.post(follow_url(kind, key))
    assert response.status_code == 302
    follow = Follow.objects.get(user=member)
    assert getattr(follow, f"{field}_id") is not None
    assert sum(getattr(follow, f"{name}_id") is not None for name in ("topic", "category", "tag", "jurisdiction")) == 1
    assert any("You now follow" in str(message) for message in response.wsgi_request._messages)
    client.post(follow_url(kind, key))
    assert not Follow.objects.filter(user=member).exists()


def test_the_author_of_a_topic_follows_it_and_may_stop(client, asker, private_topic):
    assert Follow.objects.filter(user=asker, topic=private_topic).exists()
    client.force_login(asker)
    client.post(follow_url("topic", str(private_topic.pk)))
    assert not Follow.objects.filter(user=asker).exists()


@pytest.mark.parametrize("kind", ["topic", "category", "tag"])
def test_you_cannot_follow_what_you_cannot_see(client, west, private_topic, kind):
    key = {"topic": str(private_topic.pk), "category": "wic-private", "tag": "county-payroll"}[kind]
    other = association_with_groups()
    for outsider in (UserFactory(), member_of(other), member_of(west, status="lapsed")):
        client.force_login(outsider)
        assert client.post(follow_url(kind, key)).status_code == 404
    assert not Follow.objects.exclude(user=private_topic.author).exists()


def test_follow_unknown_things_is_404(client, member, public_topic):
    client.force_login(member)
    for kind, key in [("topic", "999999"), ("topic", "abc"), ("category", "nope"), ("tag", "never-used"),
                      ("jurisdiction", "ZZ"), ("post", str(public_topic.pk)), ("user", "1")]:
        assert client.post(follow_url(kind, key)).status_code == 404, (kind, key)
    assert not Follow.objects.filter(user=member).exists()


def test_follow_needs_sign_in_and_post(client, member, public_topic):
    url = follow_url("topic", public_topic.pk)
    response = client.post(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(member)
    assert client.get(url).status_code == 405
    assert not Follow.objects.filter(user=member).exists()


def test_follow_goes_back_to_a_safe_next_only(client, member, public_topic):
    client.force_login(member)
    url = follow_url("topic", public_topic.pk)
    assert client.post(url, {"next": "/forum/c/commons/?page=2"})["Location"] == "/forum/c/commons/?page=2"
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == public_topic.get_absolute_url()


def test_htmx_topic_follow_returns_the_topic_actions(client, member, public_topic):
    client.force_login(member)
    response = client.post(follow_url("topic", public_topic.pk), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="topic-actions-{public_topic.pk}"' in body
    assert "Following" in body and 'aria-pressed="true"' in body


def test_a_visitor_sees_no_follow_buttons_and_a_member_sees_the_state(client, member, public, public_topic):
    assert reverse("forum:toggle_follow", args=["category", "commons"]) not in client.get(public.get_absolute_url()).content.decode()
    services.follow(member, "category", public)
    client.force_login(member)
    body = client.get(public.get_absolute_url()).content.decode()
    assert reverse("forum:toggle_follow", args=["category", "commons"]) in body
    assert 'aria-pressed="true">Following' in body
    body = client.get(reverse("forum:tag", args=["e-iwo"])).content.decode()
    assert reverse("forum:toggle_follow", args=["tag", "e-iwo"]) in body and 'aria-pressed="false">Follow' in body
    body = client.get(reverse("forum:jurisdiction", args=["MO"])).content.decode()
    assert reverse("forum:toggle_follow", args=["jurisdiction", "MO"]) in body


def test_follow_services_check_visibility_and_are_idempotent(member, west, private, private_topic, missouri):
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.follow(outsider, "category", private)
    with pytest.raises(PermissionDenied):
        services.follow(outsider, "topic", private_topic)
    first = services.follow(member, "jurisdiction", missouri)
    assert services.follow(member, "jurisdiction", missouri) == first
    assert services.is_following(member, "jurisdiction", missouri)
    assert services.unfollow(member, "jurisdiction", missouri) is True
    assert services.unfollow(member, "jurisdiction", missouri) is False
    with pytest.raises(ValueError):
        services.follow(member, "post", private_topic)


def test_unfollow_still_works_after_losing_access(member, west, private):
    services.follow(member, "category", private)
    private.visibility = Category.Visibility.GROUP
    private.group = west.role_groups.get(role=Role.BOARD).group
    private.save()
    assert services.toggle_follow(member, "category", private) is False
    assert not Follow.objects.filter(user=member).exists()


# --- Bookmarks --------------------------------------------------------------------------------------


def test_bookmark_toggles(client, member, public_topic):
    client.force_login(member)
    url = reverse("forum:toggle_bookmark", args=[public_topic.pk])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == public_topic.get_absolute_url()
    assert Bookmark.objects.filter(user=member, topic=public_topic).exists()
    client.post(url)
    assert not Bookmark.objects.exists()
    body = client.post(url, **HTMX).content.decode()
    assert "Bookmarked" in body and 'aria-pressed="true"' in body


def test_bookmark_what_you_cannot_see_is_404(client, west, private_topic):
    url = reverse("forum:toggle_bookmark", args=[private_topic.pk])
    assert client.post(url).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    client.force_login(member_of(west))
    assert client.get(url).status_code == 405
    assert not Bookmark.objects.exists()
    with pytest.raises(PermissionDenied):
        services.toggle_bookmark(UserFactory(), private_topic)


def test_topic_actions_partial_shows_state(member, public_topic):
    request = RequestFactory().get(public_topic.get_absolute_url())
    request.user = member

    def render():
        topic = selectors.topic_viewer_state(member, public_topic)
        return render_to_string("forum/includes/topic_actions.html", {"topic": topic, "user": member}, request=request)

    body = render()
    assert ">Follow<" in body and ">Bookmark<" in body and body.count('aria-pressed="false"') == 2
    assert body.count("csrfmiddlewaretoken") == 2
    services.follow(member, "topic", public_topic)
    services.toggle_bookmark(member, public_topic)
    body = render()
    assert ">Following<" in body and ">Bookmarked<" in body and body.count('aria-pressed="true"') == 2
    anonymous = render_to_string("forum/includes/topic_actions.html", {"topic": public_topic}, request=RequestFactory().get("/"))
    assert anonymous.strip() == ""


# --- Read state --------------------------------------------------------------------------------------


def test_mark_read_creates_advances_and_never_goes_back(member, public_topic):
    make_reply(member_of(public_topic.category.association or association_with_groups()), public_topic)
    services.mark_read(member, public_topic, 1)
    assert TopicReadState.objects.get(user=member, topic=public_topic).last_read_position == 1
    services.mark_read(member, public_topic, 2)
    assert TopicReadState.objects.get(user=member, topic=public_topic).last_read_position == 2
    services.mark_read(member, public_topic, 1)
    assert TopicReadState.objects.get(user=member, topic=public_topic).last_read_position == 2
    assert TopicReadState.objects.count() == 1


def test_mark_read_with_a_known_position_writes_only_when_it_moves(member, public_topic, django_assert_num_queries):
    """The topic page knows the read position from its topic query (topic_for_page)."""
    with django_assert_num_queries(1):  # never opened: one insert
        services.mark_read(member, public_topic, 3, read_before=None)
    assert TopicReadState.objects.get(user=member, topic=public_topic).last_read_position == 3
    with django_assert_num_queries(0):  # nothing new read
        services.mark_read(member, public_topic, 3, read_before=3)
        services.mark_read(member, public_topic, 1, read_before=3)
    with django_assert_num_queries(1):  # read further: one update
        services.mark_read(member, public_topic, 5, read_before=3)
    assert TopicReadState.objects.get(user=member, topic=public_topic).last_read_position == 5
    # A stale known position (a parallel visit read further meanwhile) never moves it back,
    # nor does a parallel first visit's row get overwritten.
    services.mark_read(member, public_topic, 4, read_before=2)
    services.mark_read(member, public_topic, 4, read_before=None)
    assert TopicReadState.objects.get(user=member, topic=public_topic).last_read_position == 5
    assert TopicReadState.objects.count() == 1


def test_the_topic_page_loads_the_viewers_state_with_the_topic(member, public_topic, django_assert_num_queries):
    viewer = selectors.ForumViewer.of(member)
    with django_assert_num_queries(3):  # the topic, its tags, its jurisdictions
        topic = selectors.topic_for_page(viewer, public_topic.pk)
    assert (topic.viewer_follows, topic.viewer_bookmarked, topic.viewer_last_read) == (False, False, None)
    assert topic.viewer_suspension_id is None and topic.visible_post_count == 1
    services.follow(member, "topic", public_topic)
    services.toggle_bookmark(member, public_topic)
    services.mark_read(member, public_topic, 1)
    topic = selectors.topic_for_page(viewer, public_topic.pk)
    assert (topic.viewer_follows, topic.viewer_bookmarked, topic.viewer_last_read) == (True, True, 1)
    from django.contrib.auth.models import AnonymousUser

    visitor = selectors.topic_for_page(selectors.ForumViewer.of(AnonymousUser()), public_topic.pk)
    assert (visitor.viewer_follows, visitor.viewer_bookmarked, visitor.viewer_last_read) == (False, False, None)
    assert selectors.topic_for_page(viewer, 999_999) is None


def test_mark_read_ignores_visitors(public_topic):
    from django.contrib.auth.models import AnonymousUser

    services.mark_read(AnonymousUser(), public_topic, 3)
    services.mark_read(None, public_topic, 3)
    assert not TopicReadState.objects.exists()
