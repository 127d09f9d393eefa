"""What an open page asks over HTTP when its socket (re)connects: the member's notifications
newer than the last one it saw (/notifications/recent/), and a topic's posts after the last
one it shows (forum:new_posts), each checked as the pages that show them are; and the
header's unread badge (notifications.context_processors)."""

import json
import re

import pytest
from django.urls import reverse

from forum import moderation, services as forum_services
from forum.models import Post
from members.models import Role
from notifications import selectors
from notifications.models import Kind, Notification
from notifications.services import Target, mark_read, notify
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

RECENT = reverse("notifications:recent")


def told(user, title: str, **target) -> Notification:
    (row,) = notify(Kind.MEMBERSHIP, [user.pk], Target(title=title, url="/members/", **target))
    return row


@pytest.fixture
def world():
    association = association_with_groups(short_name="HOME", slug="home")
    category = CategoryFactory(association=association, name="Interstate", slug="home-interstate")
    author = member_of(association, user=UserFactory(username="author", display_name="Andy Author"))
    reader = member_of(association, user=UserFactory(username="reader", display_name="Rita Reader"))
    topic = make_topic(author, category, kind="discussion", title="Income withholding for tribal employers")
    # Setup notifications (membership decisions) are not what these tests are about.
    Notification.objects.all().delete()
    selectors.forget_unread_counts([author.pk, reader.pk])
    return association, category, topic, author, reader


# --- /notifications/recent/ -------------------------------------------------------------------------


def recent(client, **params):
    response = client.get(RECENT, params)
    return response, (json.loads(response.content) if response["Content-Type"] == "application/json" else None)


def test_anonymous_visitors_are_refused_with_json(client):
    response, body = recent(client, after=0)
    assert response.status_code == 403
    assert body == {"error": "sign-in-required"}


def test_only_the_members_own_visible_notifications_newer_than_after(client, world):
    association, category, topic, author, reader = world
    first = told(reader, "First")
    second = told(reader, "Second")
    told(author, "Someone else's")
    private = CategoryFactory(association=association_with_groups(short_name="AWAY", slug="away"))
    hidden_topic = make_topic(member_of(private.association), private, kind="discussion", title="Away only")
    notify(Kind.REPLY, [reader.pk], Target(title="About a topic she cannot see", url="/x/", topic_id=hidden_topic.pk))
    third = told(reader, "Third")
    mark_read(reader, [second.pk])

    client.force_login(reader)
    response, body = recent(client, after=first.pk)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert [n["title"] for n in body["notifications"]] == ["Second", "Third"]  # oldest first
    assert [n["read"] for n in body["notifications"]] == [True, False]
    assert body["latest"] == third.pk
    assert body["unread"] == 2  # First and Third; not the hidden topic's
    assert body["more"] is False
    assert body["notifications"][1] == {
        "type": "notification", "id": third.pk, "kind": "membership", "title": "Third", "summary": "",
        "url": "/members/", "count": 1, "created": third.created_at.isoformat(), "unread": 2, "read": False,
    }

    response, body = recent(client, after=third.pk)
    assert body["notifications"] == [] and body["latest"] == third.pk


def test_without_after_the_newest_come_and_at_most_twenty(client, world):
    *_, reader = world
    rows = [told(reader, f"Notice {number}") for number in range(23)]
    client.force_login(reader)
    response, body = recent(client)
    assert len(body["notifications"]) == 20
    assert body["more"] is True
    assert body["notifications"][-1]["id"] == rows[-1].pk == body["latest"]
    assert body["notifications"][0]["id"] == rows[3].pk


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "1e3", "٣", "9" * 30, " 1"])
def test_a_bad_after_is_a_400(client, world, after):
    *_, reader = world
    client.force_login(reader)
    response, body = recent(client, after=after)
    assert response.status_code == 400
    assert body == {"error": "bad-after"}


def test_recent_is_read_only(client, world):
    *_, reader = world
    client.force_login(reader)
    assert client.post(RECENT).status_code == 405


# --- forum:new_posts (the topic page's "new replies") ----------------------------------------------


def new_posts(client, topic, **params):
    return client.get(reverse("forum:new_posts", args=[topic.pk]), params)


def test_new_posts_are_the_published_posts_after_a_position_as_the_topic_page_shows_them(client, world):
    association, category, topic, author, reader = world
    first = make_reply(reader, topic, body="First, from Rita.")
    second = make_reply(author, topic, body="Second, from Andy.")
    moderator = member_of(association, Role.MODERATOR)
    held = make_reply(reader, topic, body="Third, to be hidden.")
    moderation.hide_post(moderator, held, reason="Off topic.")

    client.force_login(reader)
    response = new_posts(client, topic, after=first.position, page=1)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'data-count="1" data-last-position="{second.position}" data-more="false"', html)
    assert f'id="post-{second.pk}"' in html and "Second, from Andy." in html
    assert f'id="post-{first.pk}"' not in html
    assert "to be hidden" not in html  # hidden, even though the moderator could see it
    # Its links and forms lead back to the topic page, not to this fragment.
    assert "/posts/" not in html
    assert f'href="?quote={second.pk}#reply"' in html

    response = new_posts(client, topic, after=second.position)
    assert response.status_code == 200 and 'data-count="0"' in response.content.decode()
    assert f'data-last-position="{second.position}"' in response.content.decode()


def test_new_posts_are_a_404_for_someone_who_may_not_see_the_topic(client, world):
    association, category, topic, author, reader = world
    make_reply(author, topic)
    client.force_login(UserFactory())  # signed in, not a member
    assert new_posts(client, topic, after=1).status_code == 404
    client.logout()
    assert new_posts(client, topic, after=1).status_code == 404


@pytest.mark.parametrize("params", [{}, {"after": "x"}, {"after": "-1"}, {"after": "1", "page": "last"}])
def test_new_posts_need_a_position(client, world, params):
    *_, topic, author, reader = world
    client.force_login(reader)
    assert new_posts(client, topic, **params).status_code == 400


def test_new_posts_leave_the_read_position_alone(client, world):
    from forum.models import TopicReadState

    *_, topic, author, reader = world
    make_reply(author, topic)
    client.force_login(reader)
    new_posts(client, topic, after=0)
    assert not TopicReadState.objects.filter(user=reader, topic=topic).exists()


def test_the_topic_page_tells_the_script_what_to_watch(client, world):
    *_, topic, author, reader = world
    reply = make_reply(author, topic)
    client.force_login(reader)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert f'data-live-topic="{topic.pk}" data-live-position="{reply.position}"' in html
    assert 'data-live-append="true"' in html
    assert f'data-live-posts-url="{reverse("forum:new_posts", args=[topic.pk])}"' in html
    client.logout()
    assert "data-live-topic" not in client.get(topic.get_absolute_url()).content.decode()


# --- The header badge --------------------------------------------------------------------------------


def badge_name(html: str) -> str:
    """The accessible name of the header's notifications link (the visible badge is hidden
    from assistive technology; the words say the number)."""
    link = re.search(r'<a class="comity-notifications-link"[^>]*>(.*?)</a>', html, re.S).group(1)
    assert re.search(r'<span aria-hidden="true">Notifications<span class="comity-badge"', link)
    return re.search(r'<span class="usa-sr-only" data-live-unread-words>([^<]*)</span>', link).group(1)


def test_the_header_shows_the_unread_count_with_an_accessible_name(client, world):
    *_, topic, author, reader = world
    told(reader, "One")
    told(reader, "Two")
    client.force_login(reader)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert badge_name(html) == "Notifications, 2 unread"
    assert 'src="/static/js/live.js"' in html or "js/live." in html
    assert 'aria-live="polite" aria-atomic="true" data-live-announcer' in html and "data-live-toasts" in html

    client.logout()
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "comity-notifications-link" not in html and "js/live" not in html


def test_the_badge_costs_no_query_once_counted(client, world, monkeypatch, settings):
    # A private cache: a parallel run clearing the shared Redis must not empty it mid-test.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "badge"}}
    *_, topic, author, reader = world
    told(reader, "One")
    client.force_login(reader)
    client.get(topic.get_absolute_url())  # counts, and caches the count

    def not_again(user):
        raise AssertionError("the unread count was worked out again")

    monkeypatch.setattr(selectors, "visible_notifications", not_again)
    assert badge_name(client.get(topic.get_absolute_url()).content.decode()) == "Notifications, 1 unread"


def test_a_cache_outage_leaves_the_page_without_a_number(client, world, monkeypatch):
    *_, topic, author, reader = world
    client.force_login(reader)

    def down(user):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(selectors, "unread_count", down)
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert badge_name(html) == "Notifications"
    assert re.search(r'<span class="comity-badge" data-live-unread-badge hidden></span>', html)
