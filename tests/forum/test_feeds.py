"""Feeds: RSS 2.0 and Atom 1.0 per category, tag and jurisdiction, parsed back with a real XML
parser; public feeds show only what anyone may read; private feeds follow the token owner's
access as it is now; resetting the token retires old URLs; held and hidden topics never appear."""

import xml.etree.ElementTree as ElementTree

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from forum.feeds import feed_token_for
from forum.models import Category, FeedToken, Post, Topic, Visibility
from members.models import Membership, Role
from members.services import lapse_membership
from tests.factories import JurisdictionFactory, UserFactory, association_with_groups, member_of, staff_decider
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def association():
    return association_with_groups()


@pytest.fixture
def member(association):
    return member_of(association)


@pytest.fixture
def public_category(association):
    return CategoryFactory(
        association=association, visibility=Category.Visibility.PUBLIC, name="Interstate basics", slug="interstate-basics",
        description="UIFSA questions anyone may read.",
    )


@pytest.fixture
def members_category(association):
    return CategoryFactory(
        association=association, visibility=Category.Visibility.MEMBERS, name="Members' desk", slug="members-desk"
    )


@pytest.fixture
def missouri():
    return JurisdictionFactory(code="MO")


def public_url(kind, key, feed_format="rss"):
    return reverse("forum:feed", args=[kind, key, feed_format])


def private_url(token, kind, key, feed_format="rss"):
    return reverse("forum:private_feed", args=[token, kind, key, feed_format])


def rss_items(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title")
    return [
        {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "description": item.findtext("description"),
            "categories": [category.text for category in item.findall("category")],
        }
        for item in channel.findall("item")
    ]


def rss_titles(response) -> list[str]:
    return [item["title"] for item in rss_items(response)]


def atom_entries(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "categories": [category.get("term") for category in entry.findall(f"{ATOM}category")],
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


# --- Public feeds ---------------------------------------------------------------------------------


def test_public_category_feed_in_rss_and_atom(client, member, public_category, missouri):
    topic = make_topic(
        member, public_category, title="Registering an order for enforcement only",
        body="Which documents does **your** tribunal require? <script>alert(1)</script>",
        tags=["registration", "UIFSA"], jurisdictions=[missouri],
    )
    make_reply(member, topic)

    (item,) = rss_items(client.get(public_url("category", "interstate-basics")))
    assert item["title"] == "Registering an order for enforcement only"
    assert item["link"].endswith(topic.get_absolute_url())
    assert "<strong>your</strong>" in item["description"]
    assert "<script>" not in item["description"]
    assert sorted(item["categories"]) == ["registration", "uifsa"]

    (entry,) = atom_entries(client.get(public_url("category", "interstate-basics", "atom")))
    assert entry["title"] == "Registering an order for enforcement only"
    assert entry["author"] == str(member)
    assert "<strong>your</strong>" in entry["summary"]
    assert entry["link"].endswith(topic.get_absolute_url())


def test_feed_holds_the_latest_thirty_topics_newest_activity_first(client, member, public_category):
    topics = [make_topic(member, public_category, title=f"Practice question number {number}") for number in range(32)]
    make_reply(member, topics[0])  # the oldest topic has the newest activity
    titles = rss_titles(client.get(public_url("category", "interstate-basics")))
    assert len(titles) == 30
    assert titles[0] == "Practice question number 0"
    assert titles[1] == "Practice question number 31"


def test_unknown_formats_kinds_and_keys_are_404(client, public_category):
    for url in (
        public_url("category", "interstate-basics", "json"),
        public_url("category", "interstate-basics", "RSS"),
        public_url("forum", "interstate-basics"),
        public_url("category", "no-such-category"),
        public_url("tag", "no-such-tag"),
        public_url("jurisdiction", "ZZ"),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(public_url("category", "interstate-basics")).status_code == 405


def test_a_category_that_is_not_public_has_no_public_feed(client, member, association, members_category):
    make_topic(member, members_category)
    signed_in_category = CategoryFactory(association=association, visibility=Category.Visibility.SIGNED_IN)
    for category in (members_category, signed_in_category):
        assert client.get(public_url("category", category.slug)).status_code == 404
        # Even for a member who is signed in: public feeds are what anyone may read.
        client.force_login(member)
        assert client.get(public_url("category", category.slug, "atom")).status_code == 404
        client.logout()


def test_tag_and_jurisdiction_public_feeds_carry_only_public_categories(
    client, member, public_category, members_category, missouri
):
    make_topic(member, public_category, title="Public question on registration", tags=["registration"],
               jurisdictions=[missouri])
    make_topic(member, members_category, title="Members-only question on registration", tags=["registration"],
               jurisdictions=[missouri])
    assert rss_titles(client.get(public_url("tag", "registration"))) == ["Public question on registration"]
    assert [entry["title"] for entry in atom_entries(client.get(public_url("jurisdiction", "MO", "atom")))] == [
        "Public question on registration"
    ]


def test_a_tag_used_only_in_private_categories_has_no_public_feed(client, member, members_category):
    make_topic(member, members_category, title="Members-only question on arrears", tags=["arrears-only-here"])
    assert client.get(public_url("tag", "arrears-only-here")).status_code == 404
    token = feed_token_for(member).token
    assert rss_titles(client.get(private_url(token, "tag", "arrears-only-here"))) == ["Members-only question on arrears"]


def test_public_feeds_may_be_cached_briefly(client, public_category):
    response = client.get(public_url("category", "interstate-basics"))
    assert response["Cache-Control"] == "public, max-age=300"


# --- Private feeds -------------------------------------------------------------------------------


def test_private_feed_serves_what_the_token_owner_may_see(client, member, public_category, members_category, missouri):
    make_topic(member, members_category, title="Members-only question on registration", tags=["registration"],
               jurisdictions=[missouri])
    make_topic(member, public_category, title="Public question on registration", tags=["registration"])
    token = feed_token_for(member).token
    assert len(token) >= 43

    assert rss_titles(client.get(private_url(token, "category", "members-desk"))) == [
        "Members-only question on registration"
    ]
    assert sorted(rss_titles(client.get(private_url(token, "tag", "registration")))) == [
        "Members-only question on registration", "Public question on registration",
    ]
    entries = atom_entries(client.get(private_url(token, "jurisdiction", "MO", "atom")))
    assert [entry["title"] for entry in entries] == ["Members-only question on registration"]

    response = client.get(private_url(token, "category", "members-desk"))
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"

    outsider_token = feed_token_for(UserFactory()).token
    assert client.get(private_url(outsider_token, "category", "members-desk")).status_code == 404
    assert rss_titles(client.get(private_url(outsider_token, "tag", "registration"))) == ["Public question on registration"]


def test_feed_token_is_created_once(member):
    first = feed_token_for(member)
    assert feed_token_for(member) == first
    assert FeedToken.objects.filter(user=member).count() == 1


def test_a_wrong_token_is_404(client, member, members_category):
    make_topic(member, members_category)
    token = feed_token_for(member).token
    for wrong in (token[:-1], token + "x", token.upper() if token.upper() != token else token.lower(), "x" * 43):
        assert client.get(private_url(wrong, "category", "members-desk")).status_code == 404


def test_resetting_the_token_retires_old_urls(client, member, members_category):
    make_topic(member, members_category)
    old_token = feed_token_for(member).token
    old_url = private_url(old_token, "category", "members-desk")
    assert client.get(old_url).status_code == 200

    client.force_login(member)
    listing = reverse("forum:category", args=["members-desk"])
    response = client.post(reverse("forum:reset_feed_token"), {"next": listing}, follow=False)
    assert response.status_code == 302 and response["Location"] == listing
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("old addresses will stop" in message for message in messages)

    new_token = FeedToken.objects.get(user=member).token
    assert new_token != old_token
    assert client.get(old_url).status_code == 404
    assert client.get(private_url(new_token, "category", "members-desk")).status_code == 200


def test_reset_is_a_signed_in_post_and_never_redirects_off_site(client, member):
    url = reverse("forum:reset_feed_token")
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not FeedToken.objects.exists()

    client.force_login(member)
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "https://attacker.example/steal"})
    assert response["Location"] == reverse("forum:index")
    # The first "reset" simply creates the member's addresses.
    assert FeedToken.objects.filter(user=member).count() == 1


def test_reset_goes_back_to_the_referring_page(client, member):
    client.force_login(member)
    response = client.post(reverse("forum:reset_feed_token"), HTTP_REFERER="http://testserver/forum/tags/registration/")
    assert response["Location"] == "http://testserver/forum/tags/registration/"
    response = client.post(reverse("forum:reset_feed_token"), HTTP_REFERER="https://attacker.example/")
    assert response["Location"] == reverse("forum:index")


def test_a_lapsed_members_token_no_longer_shows_members_only_topics(
    client, association, member, public_category, members_category
):
    make_topic(member, members_category, title="Members-only question on registration", tags=["registration"])
    make_topic(member, public_category, title="Public question on registration", tags=["registration"])
    token = feed_token_for(member).token
    assert client.get(private_url(token, "category", "members-desk")).status_code == 200

    lapse_membership(Membership.objects.get(user=member, association=association), by=staff_decider(), reason="Dues.")
    assert client.get(private_url(token, "category", "members-desk")).status_code == 404
    assert rss_titles(client.get(private_url(token, "tag", "registration"))) == ["Public question on registration"]


def test_a_deactivated_accounts_token_shows_only_public_topics(client, member, public_category, members_category):
    make_topic(member, members_category, title="Members-only question on registration", tags=["registration"])
    make_topic(member, public_category, title="Public question on registration", tags=["registration"])
    token = feed_token_for(member).token
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert client.get(private_url(token, "category", "members-desk")).status_code == 404
    assert rss_titles(client.get(private_url(token, "tag", "registration"))) == ["Public question on registration"]


def test_held_and_hidden_topics_never_appear_even_to_moderators(client, association, member, members_category):
    moderator = member_of(association, Role.MODERATOR)
    members_category.hold_first_posts = 5
    members_category.save()
    newcomer = member_of(association)
    held = make_topic(newcomer, members_category, title="A newcomer's held question", tags=["registration"])
    assert held.status == Visibility.HELD
    hidden = make_topic(moderator, members_category, title="A question a moderator hid", tags=["registration"])
    Topic.objects.filter(pk=hidden.pk).update(status=Visibility.HIDDEN)
    Post.objects.filter(topic=hidden).update(status=Visibility.HIDDEN)
    make_topic(moderator, members_category, title="A published question here", tags=["registration"])

    for user in (moderator, newcomer, member):
        token = feed_token_for(user).token
        for kind, key in (("category", "members-desk"), ("tag", "registration")):
            assert rss_titles(client.get(private_url(token, kind, key))) == ["A published question here"]
            assert [e["title"] for e in atom_entries(client.get(private_url(token, kind, key, "atom")))] == [
                "A published question here"
            ]


def test_feed_query_count_does_not_grow_with_topics(client, member, public_category, django_assert_max_num_queries):
    for number in range(3):
        make_topic(member, public_category, title=f"Practice question number {number}", tags=["a", "b"])
    with django_assert_max_num_queries(8) as few:
        client.get(public_url("category", "interstate-basics"))
    for number in range(3, 20):
        make_topic(member, public_category, title=f"Practice question number {number}", tags=["a", "b"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(public_url("category", "interstate-basics"))


# --- The feed links partial ------------------------------------------------------------------


def render_links(user, **context):
    request = RequestFactory().get("/forum/tags/registration/?sort=latest")
    request.user = user
    return render_to_string(
        "forum/includes/feed_links.html", {"user": user, **context}, request=request
    )


def test_feed_links_partial(member, members_category):
    from django.contrib.auth.models import AnonymousUser

    anonymous = render_links(AnonymousUser(), feed_kind="category", feed_key="interstate-basics", feed_is_public=True)
    assert public_url("category", "interstate-basics") in anonymous
    assert public_url("category", "interstate-basics", "atom") in anonymous
    assert "reset_feed_token" not in anonymous and "private" not in anonymous.lower()

    no_token_yet = render_links(member, feed_kind="tag", feed_key="registration", feed_label="topics tagged registration")
    assert public_url("tag", "registration") in no_token_yet
    assert "Get my private feed addresses" in no_token_yet
    assert 'name="next" value="/forum/tags/registration/?sort=latest"' in no_token_yet

    token = feed_token_for(member).token
    member = type(member).objects.get(pk=member.pk)
    with_token = render_links(member, feed_kind="category", feed_key="members-desk", feed_is_public=False)
    assert private_url(token, "category", "members-desk") in with_token
    assert private_url(token, "category", "members-desk", "atom") in with_token
    assert public_url("category", "members-desk") not in with_token
    assert "Reset my private feed addresses" in with_token
