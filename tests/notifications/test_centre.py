"""The notification centre (/notifications/): what a member is told, made by real forum
actions (follow a topic, someone replies), listed newest first, filtered, opened and marked
read; and never what they may no longer see, nor anyone else's."""

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils.html import escape

from forum import moderation, services as forum_services
from forum.models import Category, Post, Topic
from members.models import Association, Role, User
from notifications import services
from notifications.models import Kind, Notification
from notifications.services import Target
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

CENTRE = reverse("notifications:centre")


@dataclass
class Forum:
    association: Association
    category: Category
    away_category: Category
    reader: User
    author: User
    replier: User
    moderator: User
    topic: Topic


def forum_world(capture, *, title="Registering a Texas order for enforcement only") -> Forum:
    """Two associations' categories; in HOME, an author's topic that `reader` follows.
    `capture` is django_capture_on_commit_callbacks: events run after commit."""
    home = association_with_groups(short_name="HOME", slug="home")
    away = association_with_groups(short_name="AWAY", slug="away")
    category = CategoryFactory(association=home, name="Interstate", slug="home-interstate")
    away_category = CategoryFactory(association=away, name="Away interstate", slug="away-interstate")
    reader = member_of(home, user=UserFactory(username="reader", display_name="Rita Reader"))
    author = member_of(home, user=UserFactory(username="author", display_name="Andy Author"))
    replier = member_of(home, user=UserFactory(username="replier", display_name="Rosa Replier"))
    moderator = member_of(home, Role.MODERATOR)
    with capture(execute=True):
        topic = make_topic(author, category, title=title)
        forum_services.follow(reader, "topic", topic)
    return Forum(home, category, away_category, reader, author, replier, moderator, topic)


def reply(capture, author, topic, body="We file the certified copy with a Transmittal #1.") -> Post:
    with capture(execute=True):
        return make_reply(author, topic, body=body)


def notifications_of(user, **filters) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, **filters).order_by("-created_at", "-id"))


@pytest.fixture
def forum(django_capture_on_commit_callbacks):
    return forum_world(django_capture_on_commit_callbacks)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def listed_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="notification-(\d+)"', response.content.decode())]


def test_the_centre_is_for_signed_in_members(client):
    response = client.get(CENTRE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("notifications:preferences")).status_code == 302


def test_replies_in_a_followed_topic_are_listed_newest_first(client, forum, capture):
    first = reply(capture, forum.replier, forum.topic, "First: file the certified copy.")
    second = reply(capture, forum.replier, forum.topic, "Second: and a sworn statement of arrears.")
    rows = notifications_of(forum.reader)
    assert [row.post_id for row in rows] == [second.pk, first.pk]
    assert {row.kind for row in rows} == {Kind.REPLY}

    client.force_login(forum.reader)
    response = client.get(CENTRE)
    assert response.status_code == 200
    assert listed_ids(response) == [row.pk for row in rows]
    html = response.content.decode()
    assert "You have 2 unread notifications." in html
    assert html.count(">Unread</span>") == 2  # a word, not only a colour
    assert "Rosa Replier replied in" in html
    assert "Second: and a sworn statement of arrears." in html
    assert reverse("notifications:open", args=[rows[0].pk]) in html
    assert reverse("notifications:preferences") in html


def test_titles_and_summaries_are_escaped(client, django_capture_on_commit_callbacks):
    forum = forum_world(django_capture_on_commit_callbacks, title="Orders & <em>arrears</em> across lines")
    reply(django_capture_on_commit_callbacks, forum.replier, forum.topic, "<script>alert('x')</script> see above")
    client.force_login(forum.reader)
    html = client.get(CENTRE).content.decode()
    assert escape("Orders & <em>arrears</em> across lines") in html
    assert "<em>arrears</em>" not in html
    assert "<script>alert" not in html


def test_other_members_notifications_never_show_and_cannot_be_marked(client, forum, capture):
    other = member_of(forum.association)
    with capture(execute=True):
        forum_services.follow(other, "topic", forum.topic)
    reply(capture, forum.replier, forum.topic)
    [mine] = notifications_of(forum.reader)
    [theirs] = notifications_of(other)

    client.force_login(forum.reader)
    assert listed_ids(client.get(CENTRE)) == [mine.pk]
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404

    response = client.post(reverse("notifications:mark_read"), {"id": [theirs.pk]})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert services.mark_read(forum.reader, [theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_topic_moved_where_the_member_cannot_see_it_disappears(client, forum, capture):
    reply(capture, forum.replier, forum.topic)
    [notification] = notifications_of(forum.reader)
    client.force_login(forum.reader)
    assert listed_ids(client.get(CENTRE)) == [notification.pk]

    superuser = UserFactory(is_superuser=True, is_staff=True)
    with capture(execute=True):
        moderation.move_topic(superuser, forum.topic, forum.away_category, "Belongs to AWAY.")
    response = client.get(CENTRE)
    assert listed_ids(response) == []
    assert "You have no unread notifications." in response.content.decode()
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_hidden_post_disappears_from_the_centre(client, forum, capture):
    kept = reply(capture, forum.replier, forum.topic, "Kept: file the certified copy.")
    hidden = reply(capture, forum.replier, forum.topic, "Hidden: contains a case number.")
    client.force_login(forum.reader)
    assert len(listed_ids(client.get(CENTRE))) == 2

    with capture(execute=True):
        moderation.hide_post(forum.moderator, hidden, "Contains a child's name and case number.")
    ids = listed_ids(client.get(CENTRE))
    assert ids == [row.pk for row in notifications_of(forum.reader, post=kept)]


def test_filter_by_kind_and_unread(client, forum, capture):
    reply(capture, forum.replier, forum.topic, "A plain reply.")
    reply(capture, forum.replier, forum.topic, "Asking @reader about this one.")
    mention = notifications_of(forum.reader, kind=Kind.MENTION)[0]
    plain = notifications_of(forum.reader, kind=Kind.REPLY)[0]
    client.force_login(forum.reader)

    assert listed_ids(client.get(CENTRE, {"kind": "mention"})) == [mention.pk]
    assert listed_ids(client.get(CENTRE, {"kind": "reply"})) == [plain.pk]
    services.mark_read(forum.reader, [plain.pk])
    assert listed_ids(client.get(CENTRE, {"show": "unread"})) == [mention.pk]
    assert listed_ids(client.get(CENTRE, {"show": "all"})) == [mention.pk, plain.pk]

    empty = client.get(CENTRE, {"kind": "legislation"})
    assert listed_ids(empty) == []
    assert "No notifications match these filters." in empty.content.decode()


@pytest.mark.parametrize("params", [{"kind": "bogus"}, {"show": "<script>"}, {"kind": "reply'--", "show": "x", "page": "zz"}])
def test_unknown_filter_values_are_ignored_with_a_message(client, forum, capture, params):
    reply(capture, forum.replier, forum.topic)
    client.force_login(forum.reader)
    response = client.get(CENTRE, params)
    assert response.status_code == 200
    assert len(listed_ids(response)) == 1
    assert "is not one we know" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_mark_one_read_then_all_read(client, forum, capture):
    for n in range(3):
        reply(capture, forum.replier, forum.topic, f"Reply {n}: file the certified copy.")
    rows = notifications_of(forum.reader)
    client.force_login(forum.reader)

    back_to = f"{CENTRE}?show=unread"
    response = client.post(reverse("notifications:mark_read"), {"id": rows[0].pk, "next": back_to})
    assert response.status_code == 302 and response["Location"] == back_to
    assert [row.read_at is not None for row in notifications_of(forum.reader)] == [True, False, False]
    page = client.get(back_to)
    assert listed_ids(page) == [rows[1].pk, rows[2].pk]
    assert "Marked as read." in page.content.decode()

    # A `next` to another site is not followed.
    response = client.post(reverse("notifications:mark_all_read"), {"next": "https://evil.example/"})
    assert response["Location"] == CENTRE
    assert all(row.read_at is not None for row in notifications_of(forum.reader))
    html = client.get(CENTRE).content.decode()
    assert "Marked 2 notifications as read." in html
    assert ">Unread</span>" not in html
    assert "Mark all as read" not in html


def test_marking_read_needs_post(client, forum, capture):
    reply(capture, forum.replier, forum.topic)
    client.force_login(forum.reader)
    assert client.get(reverse("notifications:mark_read")).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    assert all(row.read_at is None for row in notifications_of(forum.reader))


def test_opening_a_notification_marks_it_read_and_goes_to_its_target(client, forum, capture):
    post = reply(capture, forum.replier, forum.topic)
    [notification] = notifications_of(forum.reader)
    client.force_login(forum.reader)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_never_leaves_the_site(client, forum, capture):
    with capture(execute=True):
        [notification] = services.notify(
            Kind.MEMBERSHIP, [forum.reader.pk], Target(title="Odd link", url="https://evil.example/phish"),
        )
    client.force_login(forum.reader)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == CENTRE
    for url in ("//evil.example/x", "javascript:alert(1)"):
        with capture(execute=True):
            [odd] = services.notify(Kind.MEMBERSHIP, [forum.reader.pk], Target(title="Odd", url=url),
                                    dedupe_key=f"odd:{url}")
        assert client.get(reverse("notifications:open", args=[odd.pk]))["Location"] == CENTRE


def test_pages_of_notifications(client, forum, capture):
    with capture(execute=True):
        for n in range(23):
            services.notify(Kind.MEMBERSHIP, [forum.reader.pk], Target(title=f"Notice {n}", url="/"),
                            dedupe_key=f"notice:{n}")
    client.force_login(forum.reader)
    first = client.get(CENTRE)
    assert len(listed_ids(first)) == 20
    assert 'aria-label="Pagination"' in first.content.decode()
    second = client.get(CENTRE, {"page": 2})
    assert len(listed_ids(second)) == 3
    assert "Notice 0" in second.content.decode()
    assert client.get(CENTRE, {"page": "999"}).status_code == 200


def test_empty_centre(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get(CENTRE).content.decode()
    assert "You have no notifications yet." in html
    assert "Mark all as read" not in html


def test_the_centre_costs_the_same_queries_for_more_notifications(client, forum, capture, django_assert_max_num_queries):
    with capture(execute=True):
        for n in range(20):
            services.notify(Kind.MEMBERSHIP, [forum.reader.pk], Target(title=f"Notice {n}", url="/"),
                            actor_id=forum.author.pk, dedupe_key=f"notice:{n}")
    client.force_login(forum.reader)
    client.get(CENTRE)  # warm caches (site navigation, Wagtail sites)
    with django_assert_max_num_queries(20):
        response = client.get(CENTRE)
    assert len(listed_ids(response)) == 20
