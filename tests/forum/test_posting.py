"""Posting: the create/reply/edit services (with revisions, holds, suspensions and mentions),
the topic page, the new-topic, reply and edit forms, edit history, pagination and the topic
page's query count."""

import re
from datetime import timedelta

import django_ratelimit.core
import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.forms import OneTimeSubmission, quote_as_markdown
from forum.models import Category, Post, PostingSuspension, PostRevision, Topic, Visibility
from forum.rendering import render_markdown
from forum.selectors import visible_posts, visible_topics
from members.models import Jurisdiction
from members.selectors import associations_for_switcher
from notifications.selectors import unread_count
from tests.factories import (
    JurisdictionFactory,
    ProfileFactory,
    UserFactory,
    association_with_groups,
    member_of,
)
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.pages import form_token, soup

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

LONG_BODY = "Which documents does your tribunal require before it registers an order for enforcement only?"


# --- Fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture
def outsider():
    """A member of another association: cannot see members-only categories here."""
    return member_of(association_with_groups())


@pytest.fixture
def emitted(monkeypatch):
    """Events the forum services emit, in order, as (name, payload)."""
    events = []
    monkeypatch.setattr(services, "emit", lambda name, **payload: events.append((name, payload)))
    return events


def topic_url(topic) -> str:
    return reverse("forum:topic", args=[topic.pk])


def new_topic_data(client, category, **overrides) -> dict:
    data = {
        "submission_token": form_token(client, reverse("forum:new_topic", args=[category.slug])),
        "kind": "question",
        "title": "Registering a Texas order for enforcement only",
        "body": LONG_BODY,
        "tags": "UIFSA, registration",
    }
    data.update(overrides)
    return data


def reply_data(client, topic, **overrides) -> dict:
    data = {"submission_token": form_token(client, topic_url(topic)), "body": "We file the certified copy."}
    data.update(overrides)
    return data


def bulk_replies(topic, author, count: int) -> None:
    """Many published replies at once (the services are tested elsewhere; this is for pages)."""
    start = topic.posts.count() + 1
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            topic=topic, author=author, position=start + index, body=f"Reply number {start + index}",
            body_html=render_markdown(f"Reply number {start + index}"), created_at=now + timedelta(seconds=index),
        )
        for index in range(count)
    )
    Topic.objects.filter(pk=topic.pk).update(post_count=start + count - 1)


def mark_accepted(post) -> None:
    """The page's part only: accepting itself is the answers part's service, tested there."""
    Topic.objects.filter(pk=post.topic_id).update(accepted_answer=post)


# --- Services ---------------------------------------------------------------------------------


def test_create_topic_stores_rendered_sanitised_post_tags_and_jurisdictions(member, category):
    missouri, oregon = JurisdictionFactory(code="MO"), JurisdictionFactory(code="OR")
    topic = services.create_topic(
        member, category, kind="question", title="  Registering   an order for enforcement only ",
        body="**Bold** question <script>alert(1)</script>", tags=["UIFSA", "Controlling Order", "uifsa"],
        jurisdictions=[missouri, oregon],
    )
    post = topic.posts.get()
    assert topic.title == "Registering an order for enforcement only"
    assert (topic.kind, topic.status, topic.post_count, topic.last_post_id) == ("question", "published", 1, post.pk)
    assert post.position == 1
    assert "<strong>Bold</strong>" in post.body_html and "<script" not in post.body_html
    assert sorted(topic.tags.names()) == ["controlling-order", "uifsa"]
    assert set(topic.jurisdictions.all()) == {missouri, oregon}


def test_reply_numbers_posts_and_counts_them(member, other_member, category):
    topic = make_topic(member, category)
    first = make_reply(other_member, topic)
    second = make_reply(member, topic, body="Thanks, that worked.", quoted_post=first)
    topic.refresh_from_db()
    assert (first.position, second.position) == (2, 3)
    assert second.quoted_post == first
    assert topic.post_count == 3 and topic.last_post == second


def test_edit_keeps_a_revision_and_changes_the_title_of_the_opening_post(member, category):
    topic = make_topic(member, category, body="Original question text")
    post = topic.posts.get()
    services.edit_post(member, post, body="Edited question text", title="A clearer title for the question")
    post.refresh_from_db()
    topic.refresh_from_db()
    revision = PostRevision.objects.get(post=post)
    assert revision.body == "Original question text" and revision.edited_by == member
    assert post.body == "Edited question text" and "Edited question text" in post.body_html
    assert post.edited_at is not None
    assert topic.title == "A clearer title for the question"


def test_an_edit_that_changes_nothing_keeps_no_revision(member, category):
    post = make_topic(member, category).posts.get()
    services.edit_post(member, post, body=post.body)
    assert not PostRevision.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something"), ("   \n  ", "Write something"), ("x" * 20_001, "at most 20,000 characters")],
)
def test_empty_or_oversized_bodies_are_refused_with_a_clear_message(member, category, body, message):
    with pytest.raises(services.PostingError) as error:
        make_topic(member, category, body=body)
    assert message in " ".join(error.value.message_dict["body"])
    topic = make_topic(member, category)
    with pytest.raises(services.PostingError) as error:
        make_reply(member, topic, body=body)
    assert message in " ".join(error.value.message_dict["body"])
    assert topic.posts.count() == 1


def test_too_short_a_title_is_refused(member, category):
    with pytest.raises(services.PostingError) as error:
        make_topic(member, category, title="Help")
    assert "at least 8 characters" in error.value.message_dict["title"][0]
    assert not Topic.objects.exists()


def test_a_locked_topic_takes_no_replies_except_from_moderators(member, other_member, moderator, category):
    topic = make_topic(member, category)
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    with pytest.raises(services.PostingError, match="locked"):
        make_reply(other_member, topic)
    assert make_reply(moderator, topic, body="Locked while we check the citation.").position == 2


def test_posting_in_a_category_one_cannot_see_is_refused(outsider, category, member):
    with pytest.raises(PermissionDenied):
        make_topic(outsider, category)
    topic = make_topic(member, category)
    with pytest.raises(PermissionDenied):
        make_reply(outsider, topic)


def test_a_signed_in_non_member_can_read_but_not_post_in_an_association_category(association, member):
    open_category = CategoryFactory(association=association, visibility=Category.Visibility.SIGNED_IN)
    reader = UserFactory()
    topic = make_topic(member, open_category)
    assert visible_topics(reader).filter(pk=topic.pk).exists()
    with pytest.raises(PermissionDenied):
        make_topic(reader, open_category)
    with pytest.raises(PermissionDenied):
        make_reply(reader, topic)


def test_a_suspended_member_cannot_post(member, moderator, association, category):
    topic = make_topic(moderator, category)
    PostingSuspension.objects.create(
        user=member, association=association, until=timezone.now() + timedelta(days=7),
        reason="Posted case details twice.", suspended_by=moderator,
    )
    with pytest.raises(PermissionDenied, match="suspended"):
        make_topic(member, category)
    with pytest.raises(PermissionDenied, match="suspended"):
        make_reply(member, topic)


def test_held_first_posts_are_seen_only_by_their_author_and_moderators(association, member, other_member, moderator):
    held_category = CategoryFactory(association=association, hold_first_posts=1)
    newcomer = member_of(association)
    topic = make_topic(member, CategoryFactory(association=association))
    held_topic = make_topic(newcomer, held_category)
    assert held_topic.status == Visibility.HELD and held_topic.post_count == 0
    assert not visible_topics(other_member).filter(pk=held_topic.pk).exists()
    assert visible_topics(newcomer).filter(pk=held_topic.pk).exists()
    assert visible_topics(moderator).filter(pk=held_topic.pk).exists()

    reply_topic = make_topic(member, held_category)
    held_reply = make_reply(member_of(association), reply_topic)
    assert held_reply.status == Visibility.HELD
    assert held_reply not in visible_posts(other_member, reply_topic)
    assert held_reply in visible_posts(held_reply.author, reply_topic)
    assert held_reply in visible_posts(moderator, reply_topic)
    assert topic.status == Visibility.PUBLISHED


# --- Mentions -----------------------------------------------------------------------------------


def test_mentions_of_existing_members_become_profile_links(member, other_member, category):
    other_member.username = "marcus.bell"
    other_member.save()
    topic = make_topic(member, category, body="Ask @marcus.bell. @nobody-here does not exist; mail x@marcus.bell too.")
    html = topic.posts.get().body_html
    links = BeautifulSoup(html, "html.parser").find_all("a")
    assert [(link.get_text(), link["href"]) for link in links] == [
        ("@marcus.bell", reverse("members:profile_detail", args=[other_member.pk]))
    ]
    assert "@nobody-here" in html


def test_mentions_inside_a_written_link_are_left_alone(member, other_member, category):
    topic = make_topic(member, category, body=f"[ask @{other_member.username}](https://example.org/faq)")
    links = BeautifulSoup(topic.posts.get().body_html, "html.parser").find_all("a")
    assert [link["href"] for link in links] == ["https://example.org/faq"]


def test_mention_events_go_to_members_who_can_see_the_topic(member, other_member, outsider, category, emitted):
    topic = make_topic(member, category, body=f"@{other_member.username} and @{outsider.username}, and me: @{member.username}")
    mentions = [payload for name, payload in emitted if name == "mention"]
    assert mentions == [{"post_id": topic.last_post_id, "user_id": other_member.pk}]


def test_an_edit_emits_mentions_only_for_newly_mentioned_members(member, other_member, moderator, category, emitted):
    post = make_topic(member, category, body=f"Asking @{other_member.username}").posts.get()
    emitted.clear()
    services.edit_post(member, post, body=f"Asking @{other_member.username} and @{moderator.username}")
    assert [payload["user_id"] for name, payload in emitted if name == "mention"] == [moderator.pk]


def test_a_held_post_mentions_nobody_yet(association, other_member, emitted):
    held_category = CategoryFactory(association=association, hold_first_posts=1)
    make_topic(member_of(association), held_category, body=f"Hello @{other_member.username}")
    assert [name for name, _ in emitted if name == "mention"] == []


def test_quote_as_markdown_quotes_every_line_and_escapes_the_name(member, category):
    post = make_topic(member, category, body="Line one\n\nLine *two*").posts.get()
    assert quote_as_markdown(post, "Ann [admin]") == "> **Ann \\[admin\\]** wrote:\n>\n> Line one\n>\n> Line *two*\n\n"


# --- The topic page ------------------------------------------------------------------------------


def test_topic_page_shows_title_kind_breadcrumb_tags_jurisdictions_and_bylines(client, member, other_member, category):
    ProfileFactory(user=member, agency="Missouri Family Support Division", jurisdiction=JurisdictionFactory(code="MO"))
    ProfileFactory(user=other_member, agency="Hidden Agency", show_agency=False, show_jurisdiction=False,
                   jurisdiction=JurisdictionFactory(code="OR"))
    topic = make_topic(member, category, tags=["uifsa"], jurisdictions=[Jurisdiction.objects.get(code="MO")])
    make_reply(other_member, topic)
    client.force_login(other_member)
    response = client.get(topic_url(topic))
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == topic.title
    assert "Practice question" in page.get_text() and "Unanswered" in page.get_text()
    breadcrumb = page.find("nav", attrs={"aria-label": "Breadcrumbs"})
    assert [a["href"] for a in breadcrumb.find_all("a")] == [reverse("forum:index"), reverse("forum:category", args=[category.slug])]
    assert page.find("a", href=reverse("forum:tag", args=["uifsa"]))
    assert page.find("a", href=reverse("forum:jurisdiction", args=["MO"]))
    text = page.get_text(" ")
    assert "Priya Natarajan" in text and "Missouri Family Support Division" in text
    assert "Marcus Bell" in text and "Hidden Agency" not in text
    assert len(page.select("article.comity-post time[datetime]")) == 2
    assert other_member.email not in response.content.decode()


def test_the_accepted_answer_comes_right_after_the_question(client, member, other_member, category):
    topic = make_topic(member, category)
    make_reply(other_member, topic, body="First reply")
    answer = make_reply(other_member, topic, body="The accepted one")
    make_reply(member, topic, body="Last reply")
    mark_accepted(answer)
    client.force_login(member)
    page = soup(client.get(topic_url(topic)))
    opening = topic.posts.get(position=1)
    article_ids = [article["id"] for article in page.select("article.comity-post")]
    assert article_ids[:2] == [f"post-{opening.pk}", f"post-{answer.pk}"]
    assert article_ids.count(f"post-{answer.pk}") == 1
    section = page.find("section", attrs={"aria-labelledby": "accepted-answer-heading"})
    assert "Accepted answer" in section.get_text() and "The accepted one" in section.get_text()
    assert "Answered" in page.find("header", class_="comity-topic__header").get_text()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "signed_in_non_member"])
def test_topics_of_a_category_the_viewer_cannot_see_are_404(client, member, category, who):
    topic = make_topic(member, category)
    post = topic.posts.get()
    if who == "outsider":
        client.force_login(member_of(association_with_groups()))
    elif who == "signed_in_non_member":
        client.force_login(UserFactory())
    for url in (topic_url(topic), reverse("forum:post_history", args=[post.pk])):
        assert client.get(url).status_code == 404
    if who != "anonymous":
        assert client.post(reverse("forum:reply", args=[topic.pk]), {"body": "Hello there"}).status_code == 404
        assert client.get(reverse("forum:edit_post", args=[post.pk])).status_code == 404
        assert client.get(reverse("forum:new_topic", args=[category.slug])).status_code == 404


def test_a_public_category_topic_is_readable_without_signing_in(client, association, member):
    topic = make_topic(member, CategoryFactory(association=association, visibility=Category.Visibility.PUBLIC))
    response = client.get(topic_url(topic))
    assert response.status_code == 200
    assert "Sign in" in soup(response).find(id="reply").get_text()


def test_forged_ids_are_404(client, member, category):
    client.force_login(member)
    assert client.get(reverse("forum:topic", args=[999_999])).status_code == 404
    assert client.post(reverse("forum:reply", args=[999_999]), {"body": "x"}).status_code == 404
    assert client.get(reverse("forum:edit_post", args=[999_999])).status_code == 404
    assert client.get(reverse("forum:post_history", args=[999_999])).status_code == 404
    assert client.get(reverse("forum:new_topic", args=["no-such-category"])).status_code == 404


def test_held_and_hidden_posts_are_marked_for_those_who_see_them(client, association, member, moderator):
    held_category = CategoryFactory(association=association, hold_first_posts=1)
    topic = make_topic(moderator, held_category)
    newcomer = member_of(association)
    held = make_reply(newcomer, topic, body="My first reply")
    hidden = make_reply(member, topic, body="A reply a moderator hid")
    Post.objects.filter(pk=hidden.pk).update(status=Visibility.HIDDEN)

    client.force_login(newcomer)
    page = soup(client.get(topic_url(topic)))
    assert "Waiting for review" in page.find(id=f"post-{held.pk}").get_text()
    assert page.find(id=f"post-{hidden.pk}") is None

    client.force_login(member)
    page = soup(client.get(topic_url(topic)))
    assert page.find(id=f"post-{held.pk}") is None and page.find(id=f"post-{hidden.pk}") is None

    client.force_login(moderator)
    page = soup(client.get(topic_url(topic)))
    assert "Waiting for review" in page.find(id=f"post-{held.pk}").get_text()
    assert "Hidden by a moderator" in page.find(id=f"post-{hidden.pk}").get_text()


def test_a_120_post_topic_is_paginated(client, member, category, settings):
    topic = make_topic(member, category)
    bulk_replies(topic, member, 119)
    client.force_login(member)
    pages = {}
    for number in (1, 2, 3):
        page = soup(client.get(topic_url(topic), {"page": number}))
        pages[number] = [int(article["id"].removeprefix("post-")) for article in page.select("article.comity-post")]
    positions = {post.pk: post.position for post in topic.posts.all()}
    assert [len(pages[number]) for number in (1, 2, 3)] == [50, 50, 20]
    assert [positions[pk] for pk in pages[3]] == list(range(101, 121))
    assert soup(client.get(topic_url(topic), {"page": "nonsense"})).select("article.comity-post")
    last = topic.posts.get(position=120)
    response = client.get(last.get_absolute_url())
    assert f'id="post-{last.pk}"' in response.content.decode()
    nav = soup(response).find("nav", attrs={"aria-label": "Pagination"})
    assert nav.find("a", attrs={"aria-current": "page"}).get_text(strip=True) == "3"


def count_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


# The header's association list is cached for every page: warm it in a private cache (a
# parallel run clearing the shared Redis must not change the count).
PRIVATE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "forum-topic-page"}}


def test_topic_page_query_count_is_constant_and_at_most_twelve(client, settings, member, other_member, category):
    settings.CACHES = PRIVATE_CACHE
    cache.clear()
    ProfileFactory(user=member, jurisdiction=JurisdictionFactory(code="MO"))
    topic = make_topic(member, category, tags=["uifsa", "registration"], jurisdictions=[Jurisdiction.objects.get(code="MO")])
    make_topic(member, category, title="Another registration question", tags=["uifsa"])  # a related question
    bulk_replies(topic, other_member, 4)
    mark_accepted(topic.posts.get(position=2))
    client.force_login(other_member)
    associations_for_switcher()
    unread_count(other_member)  # so is the header's unread badge

    # A first visit also records how far the member read: one write.
    first_visit = count_queries(client, topic_url(topic))
    five_posts = count_queries(client, topic_url(topic))
    assert len(five_posts) == len(first_visit) - 1, first_visit

    bulk_replies(topic, member, 55)  # 60 posts: two pages
    count_queries(client, topic_url(topic))  # reads further: one write
    sixty_posts = count_queries(client, topic_url(topic))
    # A full page of 50 (the question and 49 replies) plus the accepted answer.
    assert len(soup(client.get(topic_url(topic))).select("article.comity-post")) == 51
    assert len(sixty_posts) == len(five_posts), sixty_posts
    page_two = count_queries(client, f"{topic_url(topic)}?page=2")
    assert len(page_two) == len(first_visit), page_two

    # Session, user, the viewer's permissions, the topic (with follows, bookmark, read
    # position, suspension and post count), tags, jurisdictions, accepted answer, posts
    # (with votes), attachments, related questions and, when it moves, the read position.
    assert len(first_visit) <= 12, first_visit
    assert len(five_posts) <= 11


def test_topic_page_query_count_for_a_visitor_and_a_moderator(client, settings, member, moderator, category):
    settings.CACHES = PRIVATE_CACHE
    cache.clear()
    public = CategoryFactory(association=category.association, visibility=Category.Visibility.PUBLIC)
    topic = make_topic(member, public, kind="discussion")
    bulk_replies(topic, member, 4)
    associations_for_switcher()
    visitor_few = count_queries(client, topic_url(topic))
    client.force_login(moderator)
    count_queries(client, topic_url(topic))
    moderator_few = count_queries(client, topic_url(topic))
    bulk_replies(topic, member, 40)
    assert len(count_queries(client, topic_url(topic))) == len(moderator_few) + 1  # reads further
    assert len(count_queries(client, topic_url(topic))) == len(moderator_few)
    client.logout()
    assert len(count_queries(client, topic_url(topic))) == len(visitor_few)
    assert len(visitor_few) <= 8 and len(moderator_few) <= 11


def test_the_topic_page_says_why_a_suspended_member_cannot_reply(client, association, member, moderator, category):
    commons = CategoryFactory(association=None, visibility=Category.Visibility.MEMBERS)
    here, in_commons = make_topic(moderator, category), make_topic(moderator, commons)
    client.force_login(member)
    PostingSuspension.objects.create(
        user=member, association=association, until=timezone.now() + timedelta(days=7),
        reason="Posted case details twice.", suspended_by=moderator,
    )
    PostingSuspension.objects.create(  # over: no longer counts
        user=member, association=None, until=timezone.now() - timedelta(minutes=1),
        reason="Old news.", suspended_by=moderator,
    )
    page = soup(client.get(topic_url(here)))
    assert "You are suspended from posting until" in page.find(id="reply").get_text()
    assert "Posted case details twice." in page.find(id="reply").get_text()
    assert not page.find("form", class_="comity-reply-form")
    # A suspension in the association does not reach the commons, and the old one is over.
    page = soup(client.get(topic_url(in_commons)))
    assert page.find("form", class_="comity-reply-form") and "suspended" not in page.find(id="reply").get_text()

    PostingSuspension.objects.create(
        user=member, association=None, until=timezone.now() + timedelta(days=2),
        reason="Cooling off in the commons.", suspended_by=moderator,
    )
    page = soup(client.get(topic_url(in_commons)))
    assert "Cooling off in the commons." in page.find(id="reply").get_text()
    assert not page.find("form", class_="comity-reply-form")


# --- New topic form ---------------------------------------------------------------------------


def test_new_topic_form_posts_a_topic(client, member, category):
    client.force_login(member)
    url = reverse("forum:new_topic", args=[category.slug])
    page = soup(client.get(url))
    assert page.find("input", attrs={"name": "kind", "value": "question"})
    assert page.find("textarea", attrs={"name": "body"})
    assert "**bold**" in page.get_text()
    missouri = Jurisdiction.objects.get(code="MO")
    response = client.post(url, new_topic_data(client, category, jurisdictions=[missouri.pk]))
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert topic.kind == "question" and topic.author == member
    assert sorted(topic.tags.names()) == ["registration", "uifsa"]
    assert list(topic.jurisdictions.all()) == [missouri]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "Help"}, "title", "at least 8 characters"),
        ({"body": ""}, "body", "Write something"),
        ({"body": "y" * 20_001}, "body", "at most 20,000 characters"),
        ({"kind": "announcement"}, "kind", "Choose discussion, practice question or shared procedure"),
        ({"jurisdictions": ["999999"]}, "jurisdictions", "Choose jurisdictions from the list"),
        ({"jurisdictions": ["not-a-number"]}, "jurisdictions", "Choose jurisdictions from the list"),
        ({"tags": "a,b,c,d,e,f,g,h,i"}, "tags", "at most 8 tags"),
    ],
)
def test_new_topic_errors_keep_everything_typed(client, member, category, overrides, field, message):
    client.force_login(member)
    data = new_topic_data(client, category, **overrides)
    response = client.post(reverse("forum:new_topic", args=[category.slug]), data)
    assert response.status_code == 400
    page = soup(response)
    assert message in page.find(id=f"id_{field}_error").get_text()
    assert page.title.get_text().startswith("Error:")
    assert page.find("input", attrs={"name": "title"})["value"] == data["title"]
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == data["body"].strip()
    assert page.find("input", attrs={"name": "tags"})["value"] == data["tags"]
    assert not Topic.objects.exists()


def test_null_bytes_are_a_clear_error_never_a_500(client, member, category):
    client.force_login(member)
    response = client.post(reverse("forum:new_topic", args=[category.slug]), new_topic_data(client, category, body="Null\x00byte"))
    assert response.status_code == 400 and "Null characters are not allowed" in soup(response).get_text()
    topic = make_topic(member, category, title="Null\x00 byte in the title", body="Null\x00 byte in the body")
    assert topic.title == "Null byte in the title" and topic.posts.get().body == "Null byte in the body"


def test_a_non_member_gets_a_clear_403_on_the_new_topic_form(client, association, member):
    open_category = CategoryFactory(association=association, visibility=Category.Visibility.SIGNED_IN)
    client.force_login(UserFactory())
    response = client.get(reverse("forum:new_topic", args=[open_category.slug]))
    assert response.status_code == 403
    assert f"Only active members of {association.name}" in response.content.decode()


def test_a_suspended_member_gets_a_clear_403_on_the_new_topic_form(client, association, member, moderator, category):
    PostingSuspension.objects.create(
        user=member, association=association, until=timezone.now() + timedelta(days=3),
        reason="Cooling off.", suspended_by=moderator,
    )
    client.force_login(member)
    response = client.get(reverse("forum:new_topic", args=[category.slug]))
    assert response.status_code == 403 and "Cooling off." in response.content.decode()


def test_signing_in_is_required_to_start_a_topic(client, category):
    response = client.get(reverse("forum:new_topic", args=[category.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_posting_rate_limit_answers_429_and_keeps_the_text(client, member, category, settings, monkeypatch):
    settings.FORUM_RATE_LIMITS = {**settings.FORUM_RATE_LIMITS, "post": "2/m"}
    # django-ratelimit counts in fixed windows; pin the window so a minute boundary falling
    # inside the test cannot reset the count.
    monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda value, period: 4_000_000_000)
    client.force_login(member)
    url = reverse("forum:new_topic", args=[category.slug])
    for number in (1, 2):
        assert client.post(url, new_topic_data(client, category, title=f"Question number {number} about UIFSA")).status_code == 302
    data = new_topic_data(client, category, title="A third question in one minute", body="Text I must not lose")
    response = client.post(url, data)
    assert response.status_code == 429
    page = soup(response)
    assert "posting faster" in page.get_text()
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == "Text I must not lose"
    assert page.find("input", attrs={"name": "title"})["value"] == "A third question in one minute"
    assert Topic.objects.count() == 2
    # Replies share the counter.
    topic = Topic.objects.first()
    response = client.post(reverse("forum:reply", args=[topic.pk]), reply_data(client, topic, body="Reply I keep"))
    assert response.status_code == 429
    assert soup(response).find("textarea", attrs={"name": "body"}).get_text().strip() == "Reply I keep"


def test_a_double_submitted_topic_is_created_once(client, member, category):
    client.force_login(member)
    url = reverse("forum:new_topic", args=[category.slug])
    data = new_topic_data(client, category)
    first = client.post(url, data)
    second = client.post(url, data)
    topic = Topic.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == topic.get_absolute_url()


def test_a_form_without_a_valid_token_posts_nothing_and_keeps_the_text(client, member, other_member, category):
    client.force_login(member)
    url = reverse("forum:new_topic", args=[category.slug])
    data = new_topic_data(client, category, submission_token="forged")
    response = client.post(url, data)
    assert response.status_code == 400 and "out of date" in soup(response).get_text()
    assert soup(response).find("textarea", attrs={"name": "body"}).get_text().strip() == LONG_BODY
    # Another member's token is no good either; the page offers a fresh one.
    client.force_login(other_member)
    other_token = form_token(client, url)
    client.force_login(member)
    response = client.post(url, {**data, "submission_token": other_token})
    assert response.status_code == 400 and not Topic.objects.exists()
    fresh = soup(response).find("input", attrs={"name": "submission_token"})["value"]
    assert client.post(url, {**data, "submission_token": fresh}).status_code == 302


def test_a_token_is_good_again_after_a_refused_submission(client, member, category):
    client.force_login(member)
    url = reverse("forum:new_topic", args=[category.slug])
    data = new_topic_data(client, category, title="Short")
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "title": "A long enough title now"}).status_code == 302
    assert Topic.objects.count() == 1


def test_held_topic_author_is_told_it_waits_for_review(client, association):
    held_category = CategoryFactory(association=association, hold_first_posts=2)
    newcomer = member_of(association)
    client.force_login(newcomer)
    response = client.post(reverse("forum:new_topic", args=[held_category.slug]), new_topic_data(client, held_category), follow=True)
    assert "waits for a moderator" in response.content.decode()
    assert "Waiting for review" in response.content.decode()


# --- Replies -----------------------------------------------------------------------------------


def test_reply_redirects_to_the_new_post_on_the_right_page(client, member, other_member, category):
    topic = make_topic(member, category)
    bulk_replies(topic, member, 60)
    client.force_login(other_member)
    response = client.post(reverse("forum:reply", args=[topic.pk]), reply_data(client, topic, body="Late reply"))
    post = Post.objects.get(body="Late reply")
    assert response.status_code == 302
    assert response["Location"] == f"{topic_url(topic)}?page=2#post-{post.pk}"
    assert f'id="post-{post.pk}"' in client.get(response["Location"]).content.decode()


def test_reply_errors_keep_the_text(client, member, other_member, category):
    topic = make_topic(member, category)
    client.force_login(other_member)
    response = client.post(reverse("forum:reply", args=[topic.pk]), reply_data(client, topic, body="z" * 20_001))
    assert response.status_code == 400
    page = soup(response)
    assert "at most 20,000 characters" in page.find(id="reply").get_text()
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == "z" * 20_001
    assert topic.posts.count() == 1


def test_replying_to_a_locked_topic_says_so(client, member, other_member, category):
    topic = make_topic(member, category)
    client.force_login(other_member)
    data = reply_data(client, topic, body="My reply to a topic that got locked")
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    page = soup(client.get(topic_url(topic)))
    assert "locked" in page.find(id="reply").get_text() and page.find("form", action=reverse("forum:reply", args=[topic.pk])) is None
    response = client.post(reverse("forum:reply", args=[topic.pk]), data)
    assert response.status_code == 400
    page = soup(response)
    assert "locked" in page.find(id="reply").get_text()
    assert page.find("textarea", id="id_reply_unsent").get_text().strip() == "My reply to a topic that got locked"
    assert topic.posts.count() == 1


def test_a_double_submitted_reply_is_posted_once(client, member, other_member, category):
    topic = make_topic(member, category)
    client.force_login(other_member)
    data = reply_data(client, topic)
    first = client.post(reverse("forum:reply", args=[topic.pk]), data)
    second = client.post(reverse("forum:reply", args=[topic.pk]), data)
    assert first["Location"] == second["Location"]
    assert topic.posts.count() == 2


def test_quote_reply_prefills_the_box_and_links_the_quoted_post(client, member, other_member, category):
    topic = make_topic(member, category, body="Which form do you use?")
    quoted = topic.posts.get()
    client.force_login(other_member)
    page = soup(client.get(topic_url(topic), {"quote": quoted.pk}))
    box = page.find("textarea", attrs={"name": "body"}).get_text()
    assert box.strip().startswith("> **Priya Natarajan** wrote:") and "> Which form do you use?" in box
    assert page.find("input", attrs={"name": "quoted_post"})["value"] == str(quoted.pk)
    data = reply_data(client, topic, body=box + "The Transmittal #1.", quoted_post=str(quoted.pk))
    client.post(reverse("forum:reply", args=[topic.pk]), data)
    post = topic.posts.get(position=2)
    assert post.quoted_post == quoted
    assert "<blockquote>" in post.body_html
    page = soup(client.get(topic_url(topic)))
    assert "In reply to Priya Natarajan" in " ".join(page.find(id=f"post-{post.pk}").get_text(" ").split())


def test_a_forged_quote_is_ignored_or_refused(client, member, other_member, category):
    topic = make_topic(member, category)
    elsewhere = make_topic(member, category, title="Another topic entirely here").posts.get()
    client.force_login(other_member)
    page = soup(client.get(topic_url(topic), {"quote": elsewhere.pk}))
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == ""
    response = client.post(reverse("forum:reply", args=[topic.pk]), reply_data(client, topic, quoted_post=str(elsewhere.pk)))
    assert response.status_code == 400 and "no longer available" in soup(response).get_text()
    response = client.post(reverse("forum:reply", args=[topic.pk]), reply_data(client, topic, quoted_post="garbage"))
    assert response.status_code == 302


# --- Editing and history ------------------------------------------------------------------------


def test_edit_by_another_member_is_403(client, member, other_member, category):
    post = make_topic(member, category).posts.get()
    client.force_login(other_member)
    url = reverse("forum:edit_post", args=[post.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "Vandalism", "title": "Vandalised title here"}).status_code == 403
    post.refresh_from_db()
    assert post.body != "Vandalism"


def test_author_edits_title_and_body(client, member, category):
    topic = make_topic(member, category)
    post = topic.posts.get()
    client.force_login(member)
    url = reverse("forum:edit_post", args=[post.pk])
    page = soup(client.get(url))
    assert page.find("input", attrs={"name": "title"})["value"] == topic.title
    response = client.post(url, {"title": "A clearer question title", "body": "Clearer body"})
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{post.pk}")
    topic.refresh_from_db()
    assert topic.title == "A clearer question title"


def test_edit_errors_keep_the_text_and_a_reply_has_no_title(client, member, other_member, category):
    topic = make_topic(member, category)
    reply_post = make_reply(other_member, topic)
    client.force_login(other_member)
    url = reverse("forum:edit_post", args=[reply_post.pk])
    assert soup(client.get(url)).find("input", attrs={"name": "title"}) is None
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400 and "Write something" in soup(response).get_text()


def test_moderator_can_edit_a_members_post(client, member, moderator, category):
    post = make_topic(member, category).posts.get()
    client.force_login(moderator)
    response = client.post(reverse("forum:edit_post", args=[post.pk]), {"title": post.topic.title, "body": "Case number removed."})
    assert response.status_code == 302
    assert PostRevision.objects.get(post=post).edited_by == moderator


def test_history_shows_who_when_and_the_words_removed_and_added(client, member, other_member, moderator, category):
    post = make_topic(member, category, body="File the <b>certified</b> copy with the clerk").posts.get()
    services.edit_post(member, post, body="File the sworn copy with the clerk")
    services.edit_post(moderator, post, body="File the sworn copy with the circuit clerk")
    client.force_login(other_member)
    response = client.get(reverse("forum:post_history", args=[post.pk]))
    assert response.status_code == 200
    page = soup(response)
    edits = page.select("ol.comity-edit-history > li")
    assert len(edits) == 2
    newest, oldest = edits
    assert "Grace Yazzie" in newest.h2.get_text() and newest.h2.time["datetime"]
    assert "Priya Natarajan" in oldest.h2.get_text()
    removed = [tag.get_text() for tag in oldest.find_all("del")]
    added = [tag.get_text() for tag in oldest.find_all("ins")]
    assert any("<b>certified</b>" in text for text in removed)
    assert any("sworn" in text for text in added)
    assert [tag.get_text() for tag in newest.find_all("ins")] == ["[added: circuit ]"]
    assert oldest.find("b") is None  # the old text is shown as text, never as HTML


def test_page_shows_edited_link_to_history(client, member, category):
    topic = make_topic(member, category)
    services.edit_post(member, topic.posts.get(), body="Changed")
    client.force_login(member)
    page = soup(client.get(topic_url(topic)))
    assert page.find("a", href=reverse("forum:post_history", args=[topic.last_post_id]))


def test_one_time_submission_tokens_are_per_user(rf, member, other_member):
    request = rf.post("/")
    request.user = member
    token = OneTimeSubmission.new_token(request)
    request = rf.post("/", {"submission_token": token})
    request.user = other_member
    request.session = {}
    assert not OneTimeSubmission(request).is_valid
    request.user = member
    assert OneTimeSubmission(request).is_valid


def test_markdown_hint_and_draft_key_are_on_the_forms(client, member, category):
    topic = make_topic(member, category)
    client.force_login(member)
    page = soup(client.get(topic_url(topic)))
    form = page.find("form", attrs={"data-draft-key": True})
    assert form["data-draft-key"] == f"reply:{topic.pk}:{member.pk}"
    assert page.find(attrs={"data-draft-status": True})["aria-live"] == "polite"
    assert page.find("script", src=re.compile(r"js/drafts\.js$"))
