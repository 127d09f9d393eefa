"""Search documents built from the forum and the association sites: the contract's shape,
audiences that follow the permission source and Wagtail's view restrictions, nothing for
held, hidden, draft or password-protected content, lowercased keywords, plain text."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from forum import moderation, services
from forum.models import Category, Visibility
from members.models import Jurisdiction, Role, RoleGroup
from search import sources
from search import documents as search_documents
from search.sources.text import html_to_text, stream_text
from tests.factories import association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

CONTRACT_KEYS = {
    "id", "kind", "title", "body", "url", "association", "category", "tags", "jurisdictions", "author",
    "author_id", "published_at", "year", "answered", "topic_kind", "audience",
}


def group_id(association, role=Role.MEMBER) -> int:
    return RoleGroup.objects.get(association=association, role=role).group_id


def doc(document_id: str) -> dict | None:
    return sources.documents_for([document_id]).get(document_id)


# --- Forum -------------------------------------------------------------------------------------


@pytest.fixture
def forum():
    west = association_with_groups(short_name="WEST", slug="Western")
    east = association_with_groups(short_name="EAST", slug="eastern")
    board = RoleGroup.objects.get(association=west, role=Role.BOARD).group
    categories = SimpleNamespace(
        public=CategoryFactory(association=None, visibility=Category.Visibility.PUBLIC, slug="open-questions"),
        signed_in=CategoryFactory(association=west, visibility=Category.Visibility.SIGNED_IN),
        commons=CategoryFactory(association=None, visibility=Category.Visibility.MEMBERS),
        members=CategoryFactory(association=west, visibility=Category.Visibility.MEMBERS),
        board=CategoryFactory(association=west, visibility=Category.Visibility.GROUP, group=board),
    )
    moderator = member_of(west, Role.MODERATOR)
    return SimpleNamespace(
        west=west, east=east, categories=categories, board=board, moderator=moderator,
        asker=member_of(west, Role.BOARD), answerer=member_of(west),
    )


def test_topic_document_has_the_contract_shape(forum):
    mo = Jurisdiction.objects.get(code="MO")
    topic = make_topic(
        forum.asker, forum.categories.members, title="Registering an order for enforcement only",
        body="Which **documents** does your tribunal require? <script>alert(1)</script> &amp; more",
        tags=["UIFSA", "Registration"], jurisdictions=[mo],
    )
    document = doc(f"topic:{topic.pk}")
    assert set(document) == CONTRACT_KEYS
    assert document["id"] == f"topic:{topic.pk}" and document["kind"] == "topic"
    assert document["title"] == "Registering an order for enforcement only"
    # Plain text: the Markdown is gone; what the author typed as HTML stays text, as the page shows it.
    assert document["body"] == "Which documents does your tribunal require? <script>alert(1)</script> & more"
    assert document["url"] == f"/forum/t/{topic.pk}/"
    assert document["association"] == "western"  # lowercased slug
    assert document["category"] == forum.categories.members.slug
    assert document["tags"] == ["registration", "uifsa"]
    assert document["jurisdictions"] == ["mo"]
    assert document["author"] == forum.asker.display_name and document["author_id"] == forum.asker.pk
    assert document["published_at"] == topic.created_at and timezone.is_aware(document["published_at"])
    assert document["year"] == timezone.localtime(topic.created_at).year
    assert document["answered"] is False and document["topic_kind"] == "question"
    assert document["audience"] == [f"group:{group_id(forum.west)}"]


def test_forum_audiences_follow_the_category(forum):
    expected = {
        "public": ["public"],
        "signed_in": ["signed-in"],
        "commons": sorted([f"group:{group_id(forum.west)}", f"group:{group_id(forum.east)}"]),
        "members": [f"group:{group_id(forum.west)}"],
        "board": [f"group:{forum.board.pk}"],
    }
    for name, audience in expected.items():
        topic = make_topic(forum.asker, getattr(forum.categories, name), title=f"A topic in the {name} category")
        reply = make_reply(forum.answerer if name != "board" else forum.asker, topic)
        assert doc(f"topic:{topic.pk}")["audience"] == audience, name
        assert doc(f"post:{reply.pk}")["audience"] == audience, name
        assert doc(f"topic:{topic.pk}")["association"] == ("" if name in {"public", "commons"} else "western")


def test_a_category_nobody_can_see_has_no_documents(forum):
    # Members of an association that has no members group yet: an audience nobody holds.
    orphan = CategoryFactory(association=forum.west, visibility=Category.Visibility.MEMBERS)
    topic = make_topic(forum.moderator, forum.categories.members)
    RoleGroup.objects.filter(association=forum.west, role=Role.MEMBER).delete()
    assert doc(f"topic:{topic.pk}") is None
    assert orphan.audience_ids == frozenset()


def test_topic_body_is_the_opening_post_and_the_accepted_answer(forum):
    topic = make_topic(forum.asker, forum.categories.members, body="How do you register a Canadian order?")
    wrong = make_reply(forum.moderator, topic, body="Try the consulate.")
    right = make_reply(forum.answerer, topic, body="File it under UIFSA section 7 with a certified copy.")
    assert doc(f"topic:{topic.pk}")["body"] == "How do you register a Canadian order?"

    services.accept_answer(right, by=forum.asker)
    document = doc(f"topic:{topic.pk}")
    assert document["answered"] is True
    assert "certified copy" in document["body"] and "consulate" not in document["body"]
    # Replies are documents of their own under the topic's title, and say the question is answered.
    reply_document = doc(f"post:{wrong.pk}")
    assert reply_document["title"] == topic.title and reply_document["body"] == "Try the consulate."
    assert reply_document["answered"] is True and reply_document["topic_kind"] == "question"
    assert reply_document["url"] == f"/forum/t/{topic.pk}/?post={wrong.pk}#post-{wrong.pk}"
    assert reply_document["author_id"] == forum.moderator.pk


def test_the_opening_post_has_no_document_of_its_own(forum):
    topic = make_topic(forum.asker, forum.categories.members)
    opening = topic.posts.get(position=1)
    assert doc(f"post:{opening.pk}") is None


def test_held_and_hidden_content_has_no_documents(forum):
    category = forum.categories.members
    category.hold_first_posts = 1
    category.save()
    newcomer = member_of(forum.west)
    held = make_topic(newcomer, category, title="Held until a moderator approves it")
    assert held.status == Visibility.HELD
    assert doc(f"topic:{held.pk}") is None

    topic = make_topic(forum.moderator, category, title="Published and answered in public")
    reply = make_reply(forum.moderator, topic)
    held_reply = make_reply(newcomer, topic)
    assert held_reply.status == Visibility.HELD
    assert doc(f"post:{reply.pk}") is not None and doc(f"post:{held_reply.pk}") is None

    moderation.hide_post(forum.moderator, reply, "Contains case details.")
    assert doc(f"post:{reply.pk}") is None
    assert doc(f"topic:{topic.pk}") is not None

    # Hiding the opening post hides the topic, and with it every reply.
    visible_reply = make_reply(forum.answerer, topic)
    moderation.hide_post(forum.moderator, topic.posts.get(position=1), "Off topic.")
    assert sources.documents_for([f"topic:{topic.pk}", f"post:{visible_reply.pk}"]) == {}


def test_documents_for_many_topics_and_posts_takes_a_few_queries(forum):
    mo = Jurisdiction.objects.get(code="MO")
    categories = [forum.categories.members, forum.categories.commons, forum.categories.public]

    def queries_for(count: int) -> int:
        topics = [
            make_topic(forum.moderator, categories[n % 3], title=f"Topic number {n} about withholding",
                       tags=["e-iwo"], jurisdictions=[mo])
            for n in range(count)
        ]
        replies = [make_reply(forum.answerer, topic) for topic in topics]
        ids = [f"topic:{topic.pk}" for topic in topics] + [f"post:{reply.pk}" for reply in replies]
        with CaptureQueriesContext(connection) as queries:
            documents = sources.documents_for(ids)
        assert set(documents) == set(ids)
        return len(queries)

    few, many = queries_for(3), queries_for(12)
    # Per kind: the rows, their categories (and each members category's audience), tags,
    # jurisdictions, authors' names (and topics' opening posts): never one per document.
    assert few == many <= 16


def test_full_iteration_goes_in_chunks(forum, monkeypatch):
    topics = [make_topic(forum.moderator, forum.categories.public, title=f"Chunked topic number {n}") for n in range(5)]
    source = sources.source_for("topic")
    monkeypatch.setattr(source, "chunk_size", 2)
    pks = [topic.pk for topic in topics]
    assert list(source.pk_chunks()) == [pks[:2], pks[2:4], pks[4:]]
    assert [document["id"] for document in source()] == [f"topic:{topic.pk}" for topic in topics]
    assert source.count() == 5


def test_every_source_is_registered_for_rebuilds():
    assert {kind for source in search_documents.DOCUMENT_SOURCES if hasattr(source, "kinds") for kind in source.kinds} == set(
        sources.DOCUMENT_KINDS
    )


def test_unknown_ids_have_no_documents(db):
    assert sources.documents_for(["topic:999999", "nonsense", "category:1", "page:abc"]) == {}
    assert sources.parse_document_id("topic:12") == ("topic", 12)
    assert sources.parse_document_id("thread:12") is None


# --- Association sites --------------------------------------------------------------------------


@pytest.fixture
def site(db):
    from tests.cms.newsletters.conftest import newsletter_site

    newsletters = newsletter_site(slug="missouri-test", short_name="MOTEST", name="Missouri test association")
    return newsletters


def make_issue(site, **kwargs):
    from tests.cms.newsletters.conftest import make_issue

    return make_issue(site.index, **kwargs)


def make_article(issue, *, body=None, **kwargs):
    from tests.cms.newsletters.conftest import make_article

    article = make_article(issue, **kwargs)
    if body is not None:
        article.body = body
        article.save_revision().publish()
    return article


def restrict(page, restriction_type, groups=(), password=""):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=restriction_type, password=password)
    if groups:
        restriction.groups.set(groups)
    return restriction


def test_article_document(site):
    issue = make_issue(site, year=2025, quarter=4)
    article = make_article(
        issue, title="Registering a Canadian order", tags=("E-IWO", "UIFSA"),
        body=[("paragraph", "<p>Send a <b>certified</b> copy &amp; a statement.</p><script>x()</script>"),
              ("heading", {"text": "Where to file", "level": "h2"})],
    )
    article.jurisdictions.set([Jurisdiction.objects.get(code="MO")])
    article.save_revision().publish()
    document = doc(f"article:{article.pk}")
    assert set(document) == CONTRACT_KEYS
    assert document["kind"] == "article" and document["title"] == "Registering a Canadian order"
    assert document["body"] == "What tribunals ask for. Send a certified copy & a statement. Where to file"
    assert document["association"] == "missouri-test"
    assert document["url"] == f"/missouri-test/newsletter/vol-12-no-3/{article.slug}/"
    assert document["tags"] == ["e-iwo", "uifsa"] and document["jurisdictions"] == ["mo"]
    assert document["author"] == "Rosa Delgado" and document["author_id"] is None
    assert document["year"] == 2025  # the issue's year
    assert document["audience"] == ["public"]
    assert document["answered"] is False and document["category"] == "" and document["topic_kind"] == ""

    issue_document = doc(f"issue:{issue.pk}")
    assert issue_document["year"] == 2025 and "Vol. 12, No. 3" in issue_document["body"]
    assert "interstate committee" in issue_document["body"] and "<p>" not in issue_document["body"]


def test_page_audiences_follow_view_restrictions(site):
    members = site.members_group
    issue = make_issue(site)
    public = make_article(issue, title="Open to everyone")
    members_only = make_article(issue, title="For members only", members_only_group=members)
    assert doc(f"article:{public.pk}")["audience"] == ["public"]
    assert doc(f"article:{members_only.pk}")["audience"] == [f"group:{members.pk}"]

    # A sign-in restriction on the issue reaches its articles; a group restriction below it narrows it.
    restrict(issue, PageViewRestriction.LOGIN)
    assert doc(f"issue:{issue.pk}")["audience"] == ["signed-in"]
    assert doc(f"article:{public.pk}")["audience"] == ["signed-in"]
    assert doc(f"article:{members_only.pk}")["audience"] == [f"group:{members.pk}"]


def test_groups_in_every_restriction_on_the_way_down(site):
    members = site.members_group
    board = RoleGroup.objects.get(association=site.association, role=Role.BOARD).group
    issue = make_issue(site)
    restrict(issue, PageViewRestriction.GROUPS, [members, board])
    article = make_article(issue, title="Board papers", members_only_group=board)
    assert doc(f"article:{article.pk}")["audience"] == [f"group:{board.pk}"]
    other = make_article(issue, title="Admins only", members_only_group=RoleGroup.objects.get(
        association=site.association, role=Role.ADMIN).group)
    assert doc(f"article:{other.pk}") is None  # no group is in both restrictions


def test_password_protected_pages_are_not_indexed(site):
    issue = make_issue(site)
    article = make_article(issue, title="Behind a password")
    restrict(issue, PageViewRestriction.PASSWORD, password="open sesame")
    assert doc(f"issue:{issue.pk}") is None and doc(f"article:{article.pk}") is None


def test_drafts_and_unpublished_pages_are_not_indexed(site):
    draft = make_issue(site, publish=False, number=4)
    assert not draft.live and doc(f"issue:{draft.pk}") is None

    issue = make_issue(site)
    article = make_article(issue, title="Soon withdrawn")
    assert doc(f"article:{article.pk}") is not None
    article.unpublish()
    assert doc(f"article:{article.pk}") is None


def test_draft_changes_to_a_live_page_are_not_indexed(site):
    issue = make_issue(site)
    article = make_article(issue, title="The live title")
    article.title = "A draft title nobody has approved"
    article.save_revision()
    assert doc(f"article:{article.pk}")["title"] == "The live title"


def test_legislative_update_document(db):
    from tests.cms.legislation.factories import make_update, restrict_to_members, updates_site

    updates = updates_site(slug="mo-updates")
    update = make_update(updates.index, jurisdictions=("MO", "tribe-navajo-nation"), tags=("E-IWO",),
                         impact_on_practice="<p>Send <em>e-IWO</em> orders.</p>")
    document = doc(f"update:{update.pk}")
    assert document["kind"] == "update" and document["association"] == "mo-updates"
    assert document["jurisdictions"] == ["mo", "tribe-navajo-nation"] and document["tags"] == ["e-iwo"]
    assert update.bill_number in document["body"] and "Send e-IWO orders." in document["body"]
    assert document["url"] == f"/mo-updates/legislative-updates/{update.slug}/"
    assert document["published_at"] == update.first_published_at
    restrict_to_members(update, updates.association)
    assert doc(f"update:{update.pk}")["audience"] == [f"group:{group_id(updates.association)}"]


def test_event_document_is_dated_by_its_start(db):
    from tests.cms.events.factories import association_site, make_event, session

    association, index = association_site(slug="events-assoc", short_name="EVA")
    day = timezone.localdate() + dt.timedelta(days=400)
    event = make_event(index, day=day, sessions=[session(title="Registering foreign orders", speakers="Ana Ruiz")])
    document = doc(f"event:{event.pk}")
    assert document["kind"] == "event" and document["association"] == "events-assoc"
    assert document["published_at"] == event.starts_at and document["year"] == day.year
    assert "Registering foreign orders" in document["body"] and "Ana Ruiz" in document["body"]
    assert "Training workshop" in document["body"]

    draft = make_event(index, publish=False)
    assert doc(f"event:{draft.pk}") is None


def test_standard_page_document(site):
    from cms.models import StandardPage

    page = site.home.add_child(instance=StandardPage(
        title="Bylaws", slug="bylaws", intro="How the association governs itself.",
        body=[
            ("paragraph", "<p>Article I: <i>Name</i>.</p>"),
            ("quote", {"quote": "Serve the children.", "attribution": "Founders"}),
        ],
    ))
    page.save_revision().publish()
    document = doc(f"page:{page.pk}")
    assert document["kind"] == "page" and document["url"] == "/missouri-test/bylaws/"
    assert document["body"] == "How the association governs itself. Article I: Name. Serve the children. Founders"
    restrict(page, PageViewRestriction.LOGIN)
    assert doc(f"page:{page.pk}")["audience"] == ["signed-in"]
    assert sources.source_for("page").count() >= 1


def test_documents_for_many_pages_takes_a_few_queries(site):
    issue = make_issue(site)

    def queries_for(count: int) -> int:
        articles = [make_article(issue, title=f"Article {count} number {n}", tags=("uifsa",)) for n in range(count)]
        ids = [f"article:{article.pk}" for article in articles] + [f"issue:{issue.pk}"]
        with CaptureQueriesContext(connection) as queries:
            documents = sources.documents_for(ids)
        assert set(documents) == set(ids)
        return len(queries)

    few, many = queries_for(2), queries_for(8)
    assert few == many <= 16


# --- Text -----------------------------------------------------------------------------------------


def test_html_to_text_keeps_only_what_a_reader_sees():
    assert html_to_text("<p>One</p><p>two &amp; <b>three</b></p><ul><li>four</li><li>five</li></ul>") == (
        "One two & three four five"
    )
    assert html_to_text("<script>alert('x')</script><style>p{}</style>kept<br>line") == "kept line"
    assert html_to_text("a &lt;script&gt; in text") == "a <script> in text"
    assert html_to_text("") == "" and html_to_text(None) == ""
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"
    assert html_to_text("<p>a<i>b</i>c</p><p>d</p>") == "abc d"


def test_stream_text_reads_prose_blocks_only(db):
    from cms.models import StandardPage

    page = StandardPage(title="x", body=[
        ("heading", {"text": "Purposes", "level": "h2"}),
        ("paragraph", "<p>We <a href='https://example.org'>serve</a>.</p>"),
        ("call_to_action",
         {"text": "Join us", "page": None, "url": "https://example.org/join", "button_label": "Apply"}),
    ])
    assert stream_text(page.body) == "Purposes We serve. Join us Apply"
