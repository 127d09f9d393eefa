"""The search page, through Django's test client, against each backend: privacy (hidden
posts, private categories, members-only pages and drafts never appear, not even as facet
values or suggestions), the query syntax, facets, sorting, paging and bad input."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from forum import moderation
from forum.models import Category
from members.models import Jurisdiction, Role, RoleGroup
from search.forms import MAX_PAGE
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.search.conftest import index_now
from tests.search.test_backend_contract import at, document

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


@pytest.fixture
def world(page_backend):
    """Forum categories of every visibility and newsletter pages, each titled with a word
    found nowhere else ("quokka") so one search reaches them all."""
    from tests.cms.newsletters.conftest import make_article, make_issue, newsletter_site

    west = association_with_groups(short_name="WEST", slug="western-test", name="Western test council")
    board_group = RoleGroup.objects.get(association=west, role=Role.BOARD).group
    members_group = RoleGroup.objects.get(association=west, role=Role.MEMBER).group
    categories = SimpleNamespace(
        public=CategoryFactory(association=west, visibility=Category.Visibility.PUBLIC, slug="open-quokka",
                               name="Open questions"),
        signed_in=CategoryFactory(association=west, visibility=Category.Visibility.SIGNED_IN, slug="lobby",
                                  name="Lobby"),
        members=CategoryFactory(association=west, visibility=Category.Visibility.MEMBERS, slug="members-room",
                                name="Members room"),
        board=CategoryFactory(association=west, visibility=Category.Visibility.GROUP, group=board_group,
                              slug="secret-board-room", name="Secret board room"),
    )
    people = SimpleNamespace(
        member=member_of(west), board=member_of(west, Role.BOARD), moderator=member_of(west, Role.MODERATOR),
        outsider=UserFactory(),
    )
    oregon = Jurisdiction.objects.get(code="OR")
    topics = SimpleNamespace(
        public=make_topic(people.member, categories.public, title="Quokka public registration question",
                          body="Registering a quokka order with the tribunal.", tags=["uifsa"],
                          jurisdictions=[oregon]),
        public_discussion=make_topic(people.member, categories.public, kind="discussion",
                                     title="Quokka discussion about withholding", body="Employers and quokka.",
                                     jurisdictions=[Jurisdiction.objects.get(code="tribe-navajo-nation")]),
        signed_in=make_topic(people.member, categories.signed_in, title="Quokka signed-in lobby notice"),
        members=make_topic(people.member, categories.members, title="Quokka members room procedure"),
        board=make_topic(people.board, categories.board, title="Quokka board zanzibar minutes",
                         tags=["board-secret-tag"]),
    )
    hidden_reply = make_reply(people.member, topics.public, body="A quokka reply with the word xylophone.")
    moderation.hide_post(people.moderator, hidden_reply, "Off topic")

    site = newsletter_site(slug="missouri-test", short_name="MOTEST", name="Missouri test association")
    issue = make_issue(site.index)
    pages = SimpleNamespace(
        public=make_article(issue, title="Quokka public newsletter article"),
        members_only=make_article(issue, title="Quokka members-only article", slug="quokka-members-only",
                                  members_only_group=members_group),
        draft=make_article(issue, title="Quokka unpublished draft", slug="quokka-draft"),
    )
    pages.draft.title = "Quokka unpublished draft"
    pages.draft.unpublish()
    index_now(page_backend)
    return SimpleNamespace(west=west, categories=categories, people=people, topics=topics, pages=pages,
                           site=site, hidden_reply=hidden_reply, backend=page_backend)


def page_text(response) -> str:
    """The page's HTML without the <mark> highlights."""
    return re.sub(r"</?mark>", "", response.content.decode())


def ordered_titles(response) -> list[str]:
    found = re.findall(r'<h3 class="margin-0 font-sans-md"><a href="[^"]*">(.*?)</a></h3>', page_text(response), re.S)
    return [title.strip() for title in found]


def titles(response) -> set[str]:
    return set(ordered_titles(response))


def search(client, user=None, **params):
    """The page as `user` sees it (anonymous when None)."""
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content[:500]
    return response


# --- privacy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", {"Quokka public registration question", "Quokka discussion about withholding",
                   "Quokka public newsletter article"}),
    ("outsider", {"Quokka public registration question", "Quokka discussion about withholding",
                  "Quokka public newsletter article", "Quokka signed-in lobby notice"}),
    ("member", {"Quokka public registration question", "Quokka discussion about withholding",
                "Quokka public newsletter article", "Quokka signed-in lobby notice", "Quokka members room procedure",
                "Quokka members-only article"}),
    ("board", {"Quokka public registration question", "Quokka discussion about withholding",
               "Quokka public newsletter article", "Quokka signed-in lobby notice", "Quokka members room procedure",
               "Quokka members-only article", "Quokka board zanzibar minutes"}),
])
def test_each_searcher_sees_exactly_what_they_may(client, world, who, expected):
    user = None if who == "anonymous" else getattr(world.people, who)
    response = search(client, user, q="quokka", kind=["topic", "article"])
    assert titles(response) == expected


def test_private_things_leave_no_trace_for_someone_who_may_not_see_them(client, world):
    html = search(client, q="quokka").content.decode()
    for secret in ("zanzibar", "Secret board room", "secret-board-room", "board-secret-tag", "members-only",
                   "Members room", "lobby", "xylophone", "unpublished draft"):
        assert secret.lower() not in html.lower(), secret
    # A direct filter on a private category neither names it nor finds anything.
    response = search(client, q="quokka", category="secret-board-room")
    assert "Secret board room" not in response.content.decode() and titles(response) == set()
    assert "zanzibar" not in client.get(reverse("search:suggest"), {"q": "quokka board"}).content.decode()


def test_hidden_posts_and_drafts_never_appear_even_to_their_authors(client, world):
    assert titles(search(client, world.people.member, q="xylophone")) == set()
    assert titles(search(client, world.people.member, q="unpublished draft")) == set()


def test_a_moderators_hide_takes_the_topic_out_of_search(client, world):
    first_post = world.topics.public.posts.order_by("created_at").first()
    moderation.hide_post(world.people.moderator, first_post, "Duplicate")
    index_now(world.backend)
    assert "Quokka public registration question" not in titles(search(client, q="quokka"))


def test_suggestions_are_filtered_by_audience(client, world):
    url = reverse("search:suggest")
    anonymous = client.get(url, {"q": "quokka"}).content.decode()
    assert "Quokka public registration question" in anonymous
    assert "members room" not in anonymous and "zanzibar" not in anonymous
    client.force_login(world.people.board)
    assert "Quokka board zanzibar minutes" in client.get(url, {"q": "quokka boa"}).content.decode()
    assert client.get(url, {"q": "q"}).content.decode().strip() == ""


# --- query syntax, facets, sorting, paging ------------------------------------------------------------


def test_query_syntax_filters(client, world):
    member = world.people.member
    assert titles(search(client, member, q="quokka tag:UIFSA")) == {"Quokka public registration question"}
    assert titles(search(client, member, q="quokka jurisdiction:or")) == {"Quokka public registration question"}
    assert titles(search(client, member, q="type:discussion quokka")) == {"Quokka discussion about withholding"}
    assert titles(search(client, member, q='"newsletter article"')) == {"Quokka public newsletter article"}
    assert titles(search(client, member, q="quokka after:2999-01-01")) == set()
    assert "Quokka members room procedure" in titles(search(client, member, q="quokka before:2999-01-01"))


def test_facets_narrow_and_links_remove_them(client, world):
    response = search(client, world.people.member, q="quokka")
    html = response.content.decode()
    assert "Narrow your results" in html and "Newsletter articles" in html and "Open questions" in html
    narrowed = search(client, q="quokka", kind="article")
    assert titles(narrowed) == {"Quokka public newsletter article"}
    assert "Your filters" in narrowed.content.decode()
    by_category = search(client, q="quokka", category="open-quokka", kind="topic")
    assert titles(by_category) == {"Quokka public registration question", "Quokka discussion about withholding"}
    answered = search(client, q="quokka", answered="no", kind="topic")
    assert "Quokka public registration question" in titles(answered)


def facet_labels_shown(response, name: str) -> list[str]:
    """The option labels of one facet group, as the page shows them."""
    found = re.search(rf'<ul [^>]*aria-labelledby="facet-{name}">(.*?)</ul>', page_text(response), re.S)
    assert found, f"no {name} facet"
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r'<a href="[^"]*"[^>]*>(.*?) <span', found.group(1), re.S)]


def test_jurisdiction_facets_are_labelled_with_names_for_states_and_tribes(client, world):
    member = world.people.member
    assert sorted(facet_labels_shown(search(client, member, q="quokka"), "jurisdictions")) == ["Navajo Nation", "Oregon"]
    narrowed = search(client, member, q="quokka", jurisdiction="tribe-navajo-nation")
    assert titles(narrowed) == {"Quokka discussion about withholding"}
    assert facet_labels_shown(narrowed, "jurisdictions") == ["Remove filter: Navajo Nation"]


def test_sort_by_date_lists_newest_first(client, world):
    order = ordered_titles(search(client, world.people.board, q="quokka", kind="topic", sort="date"))
    assert order.index("Quokka board zanzibar minutes") < order.index("Quokka public registration question")


def test_pagination_reaches_every_result(client, page_backend):
    documents = [document(f"page:{number}", f"Wombat handbook chapter {number}", "wombat", published_at=at(2025, 1, 1 + number))
                 for number in range(1, 26)]
    page_backend.index(documents, refresh=True)
    first = page_text(client.get(SEARCH, {"q": "wombat", "sort": "date"}))
    second = page_text(client.get(SEARCH, {"q": "wombat", "sort": "date", "page": "2"}))
    assert 'aria-label="Pagination"' in first and "25 results; showing 1–20" in first
    assert "showing 21–25" in second and '<ol class="usa-list usa-list--unstyled comity-search-results" start="21"' in second
    shown = re.findall(r"Wombat handbook chapter (\d+)", first + second)
    assert sorted(map(int, set(shown))) == list(range(1, 26))
    assert shown[0] == "25"  # newest first


@pytest.mark.parametrize("params", [
    {"q": ""},
    {"q": "x" * 10_000},
    {"q": 'unbalanced "quote'},
    {"q": "foo:bar quokka"},
    {"q": "quokka before:2026-13-45"},
    {"q": "quokka after:2026-05-01 before:2025-01-01"},
    {"q": 'title:"x" AND OR NOT + - && || ! ( ) { } [ ] ^ " ~ * ? : \\ / <script>alert(1)</script>'},
    {"q": "quokka", "page": "-1"},
    {"q": "quokka", "page": str(10 ** 9)},
    {"q": "quokka", "page": "abc"},
    {"q": "quokka", "kind": "bogus"},
    {"q": "quokka", "year": "20x5"},
    {"q": "quokka", "answered": "maybe"},
    {"q": "quokka", "sort": "cheapest"},
])
def test_bad_input_gets_a_message_never_an_error(client, world, params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>x</b>" not in html
    for leak in ("Traceback", "elasticsearch", "query_shard_exception", "search_phase_execution"):
        assert leak not in html
    if params.get("q") not in ("", 'title:"x" AND OR NOT + - && || ! ( ) { } [ ] ^ " ~ * ? : \\ / <script>alert(1)</script>'):
        assert 'class="usa-alert usa-alert--info' in html, params


def test_a_page_beyond_the_last_shows_the_last(client, world):
    html = page_text(client.get(SEARCH, {"q": "quokka", "page": str(MAX_PAGE)}))
    assert "so the last one is shown" in html
    assert "Quokka public registration question" in html


def test_unknown_facet_values_are_escaped_and_find_nothing(client, world):
    response = search(client, q="quokka", tag="<b>x</b>")
    assert "<b>x</b>" not in response.content.decode() and titles(response) == set()


def test_did_you_mean_when_nothing_matches(client, world):
    html = page_text(search(client, q="quokkka"))
    if world.backend.name == "elasticsearch":
        assert "Did you mean" in html and "quokka" in html
    else:
        assert "No results" in html


# --- scoped search boxes ---------------------------------------------------------------------------


def test_a_category_page_offers_a_search_of_that_category(client, world):
    html = client.get(world.categories.public.get_absolute_url()).content.decode()
    assert f'action="{SEARCH}"' in html and '<input type="hidden" name="category" value="open-quokka">' in html
    response = search(client, q="quokka", category="open-quokka")
    assert "Search in Open questions" in response.content.decode()
    assert titles(response) == {"Quokka public registration question", "Quokka discussion about withholding"}


def test_the_newsletter_archive_offers_a_search_of_its_articles(client, world):
    html = client.get(world.site.index.url).content.decode()
    assert f'action="{SEARCH}"' in html and '<input type="hidden" name="association" value="missouri-test">' in html
    response = search(client, q="quokka", association="missouri-test", kind=["article", "issue"])
    assert titles(response) == {"Quokka public newsletter article"}


# --- the engine down, rate limits, the header box ----------------------------------------------------


@pytest.mark.smoke
def test_search_says_it_is_degraded_when_the_engine_is_down(client, settings):
    from tests.search.test_outbox import closed_port

    settings.COMITY_SEARCH = {**settings.COMITY_SEARCH, "BACKEND": "elasticsearch",
                              "URL": f"http://127.0.0.1:{closed_port()}", "TIMEOUT": 2}
    response = client.get(SEARCH, {"q": "income withholding"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "Search is temporarily unavailable" in html and "ConnectionError" not in html
    suggestions = client.get(reverse("search:suggest"), {"q": "income"})
    assert suggestions.status_code == 200 and suggestions.content.decode().strip() == ""


@pytest.mark.smoke
def test_searches_are_rate_limited_per_person(client, settings):
    settings.SEARCH_RATES = {"search": "2/m", "suggest": "2/m"}
    client.force_login(UserFactory())
    assert [client.get(SEARCH, {"q": "withholding"}).status_code for _ in range(2)] == [200, 200]
    limited = client.get(SEARCH, {"q": "withholding"})
    assert limited.status_code == 429 and "Too many searches" in limited.content.decode()


@pytest.mark.smoke
def test_every_page_has_a_search_box_in_the_header(client):
    html = client.get(reverse("forum:index")).content.decode()
    assert f'role="search" action="{SEARCH}"' in html
    assert client.get(SEARCH).status_code == 200
