"""Accepting answers and helpful votes through the views (who may, what they see, htmx
fragments), the post actions partial, related questions and @mention suggestions."""

import json

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from forum import selectors, services
from forum.models import Category, HelpfulVote, ModerationAction, Post, Topic, Visibility
from members.models import Role
from tests.factories import (
    JurisdictionFactory,
    MembershipFactory,
    ProfileFactory,
    UserFactory,
    association_with_groups,
    member_of,
)
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def west():
    return association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")


@pytest.fixture
def elsewhere():
    return association_with_groups(name="Missouri Association", short_name="MCSEA", slug="mcsea")


@pytest.fixture
def category(west):
    return CategoryFactory(association=west, slug="wic-interstate", visibility=Category.Visibility.MEMBERS)


@pytest.fixture
def asker(west):
    return member_of(west)


@pytest.fixture
def answerer(west):
    return member_of(west)


@pytest.fixture
def question(asker, category):
    return make_topic(asker, category, title="Which tribunal has continuing exclusive jurisdiction?")


@pytest.fixture
def answer(answerer, question):
    return make_reply(answerer, question, body="The issuing tribunal keeps CEJ while anyone still lives there.")


def accepted_answer_id(topic) -> int | None:
    return Topic.objects.values_list("accepted_answer_id", flat=True).get(pk=topic.pk)


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# --- Accepting an answer ------------------------------------------------------------------------------


def test_asker_accepts_an_answer_and_is_sent_back_to_it(client, asker, question, answer):
    client.force_login(asker)
    response = client.post(reverse("forum:accept_answer", args=[answer.pk]))
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    assert accepted_answer_id(question) == answer.pk
    assert any("accepted answer" in message for message in shown_messages(response))
    assert not ModerationAction.objects.exists()


def test_moderator_accepts_for_the_asker_and_it_is_logged(client, west, question, answer):
    client.force_login(member_of(west, Role.MODERATOR))
    client.post(reverse("forum:accept_answer", args=[answer.pk]))
    assert accepted_answer_id(question) == answer.pk
    assert ModerationAction.objects.filter(action=ModerationAction.Action.ACCEPT_ANSWER, post=answer).exists()


def test_another_member_cannot_accept(client, west, question, answer):
    client.force_login(member_of(west))
    response = client.post(reverse("forum:accept_answer", args=[answer.pk]))
    assert response.status_code == 302
    assert accepted_answer_id(question) is None
    assert any("Only the asker or a moderator" in message for message in shown_messages(response))


def test_moderator_of_another_association_cannot_see_it(client, elsewhere, question, answer):
    client.force_login(member_of(elsewhere, Role.MODERATOR))
    assert client.post(reverse("forum:accept_answer", args=[answer.pk])).status_code == 404
    assert accepted_answer_id(question) is None


def test_non_member_and_visitor_cannot_accept(client, question, answer):
    response = client.post(reverse("forum:accept_answer", args=[answer.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(UserFactory())
    assert client.post(reverse("forum:accept_answer", args=[answer.pk])).status_code == 404
    assert accepted_answer_id(question) is None


def test_opening_post_and_discussions_cannot_be_accepted(client, asker, category, question):
    client.force_login(asker)
    opening = question.posts.get(position=1)
    response = client.post(reverse("forum:accept_answer", args=[opening.pk]))
    assert accepted_answer_id(question) is None
    assert any("published reply" in message for message in shown_messages(response))
    discussion = make_topic(asker, category, kind="discussion", title="Staffing the interstate unit")
    reply = make_reply(member_of(category.association), discussion)
    response = client.post(reverse("forum:accept_answer", args=[reply.pk]))
    assert accepted_answer_id(discussion) is None
    assert any("Only practice questions" in message for message in shown_messages(response))


def test_accept_needs_post(client, asker, answer):
    client.force_login(asker)
    assert client.get(reverse("forum:accept_answer", args=[answer.pk])).status_code == 405
    assert client.post(reverse("forum:accept_answer", args=[999999])).status_code == 404


def test_hidden_reply_is_404_to_the_asker(client, asker, question, answer):
    Post.objects.filter(pk=answer.pk).update(status=Visibility.HIDDEN)
    client.force_login(asker)
    assert client.post(reverse("forum:accept_answer", args=[answer.pk])).status_code == 404
    assert accepted_answer_id(question) is None


# --- Helpful votes -----------------------------------------------------------------------------------


def helpful_count(post) -> int:
    return Post.objects.values_list("helpful_count", flat=True).get(pk=post.pk)


def test_member_votes_once_however_often_they_submit(client, west, question, answer):
    voter = member_of(west)
    client.force_login(voter)
    url = reverse("forum:vote_helpful", args=[answer.pk])
    first = client.post(url)
    assert first.status_code == 302 and first["Location"] == answer.get_absolute_url()
    second = client.post(url)
    assert helpful_count(answer) == 1
    assert HelpfulVote.objects.filter(post=answer).count() == 1
    assert Topic.objects.get(pk=question.pk).helpful_total == 1
    assert any("already" in message for message in shown_messages(second))


def test_own_post_vote_is_refused(client, answerer, answer):
    client.force_login(answerer)
    response = client.post(reverse("forum:vote_helpful", args=[answer.pk]))
    assert helpful_count(answer) == 0
    assert any("your own post" in message for message in shown_messages(response))


def test_non_members_cannot_vote(client, answer, elsewhere):
    response = client.post(reverse("forum:vote_helpful", args=[answer.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    for outsider in (UserFactory(), member_of(elsewhere)):
        client.force_login(outsider)
        assert client.post(reverse("forum:vote_helpful", args=[answer.pk])).status_code == 404
    assert helpful_count(answer) == 0


def test_signed_in_non_member_cannot_vote_in_a_public_category(client, asker):
    public = CategoryFactory(association=None, slug="commons-public", visibility=Category.Visibility.PUBLIC)
    topic = make_topic(asker, public, title="A public question for everyone")
    reply = make_reply(member_of(association_with_groups()), topic)
    client.force_login(UserFactory())
    response = client.post(reverse("forum:vote_helpful", args=[reply.pk]))
    assert helpful_count(reply) == 0
    assert any("Only members" in message for message in shown_messages(response))


def test_htmx_vote_returns_the_updated_button_and_toggles_back(client, west, answer):
    client.force_login(member_of(west))
    url = reverse("forum:vote_helpful", args=[answer.pk])
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="post-actions-{answer.pk}"' in body
    assert 'aria-pressed="true"' in body and "Helpful (1)" in body
    assert 'name="action" value="withdraw"' in body
    response = client.post(url, {"action": "withdraw"}, **HTMX)
    body = response.content.decode()
    assert 'aria-pressed="false"' in body and "Helpful (0)" in body
    assert helpful_count(answer) == 0


def test_htmx_own_vote_error_is_shown_in_the_fragment(client, answerer, answer):
    client.force_login(answerer)
    response = client.post(reverse("forum:vote_helpful", args=[answer.pk]), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in body and "your own post" in body


# --- The post actions partial ------------------------------------------------------------------------


def render_actions(user, topic, post) -> str:
    request = RequestFactory().get("/")
    request.user = user
    topic = Topic.objects.select_related("category").get(pk=topic.pk)
    post = Post.objects.select_related("author").get(pk=post.pk)
    selectors.post_action_state(user, topic, [post])
    return render_to_string("forum/includes/post_actions.html", {"post": post, "topic": topic, "user": user}, request=request)


def test_post_actions_offer_accept_only_to_asker_and_moderators_on_replies(west, asker, question, answer):
    opening = question.posts.get(position=1)
    moderator = member_of(west, Role.MODERATOR)
    other = member_of(west)
    assert "Accept this answer" in render_actions(asker, question, answer)
    assert "Accept this answer" in render_actions(moderator, question, answer)
    assert "Accept this answer" not in render_actions(other, question, answer)
    assert "Accept this answer" not in render_actions(asker, question, opening)
    Topic.objects.filter(pk=question.pk).update(accepted_answer=answer)
    accepted = render_actions(asker, question, answer)
    assert "Accepted answer" in accepted and "Accept this answer" not in accepted


def test_post_actions_helpful_button_states(west, asker, question, answer):
    own = render_actions(answer.author, question, answer)
    assert "disabled" in own and "Helpful (0)" in own
    assert reverse("forum:vote_helpful", args=[answer.pk]) not in own
    voter = member_of(west)
    services.vote_helpful(answer, voter=voter)
    voted = render_actions(voter, question, answer)
    assert 'aria-pressed="true"' in voted and "Helpful (1)" in voted and "csrfmiddlewaretoken" in voted
    fresh = render_actions(asker, question, answer)
    assert 'aria-pressed="false"' in fresh


def test_post_action_state_costs_one_query_for_a_page_of_posts(west, asker, question, django_assert_num_queries):
    posts = [make_reply(member_of(west), question) for _ in range(5)]
    topic = Topic.objects.select_related("category").get(pk=question.pk)
    with django_assert_num_queries(1):
        selectors.post_action_state(asker, topic, posts)
    assert topic.viewer_can_accept is True


# --- Related questions -----------------------------------------------------------------------------


def test_related_questions_rank_by_shared_tags_and_jurisdictions_and_stay_visible(west, elsewhere, asker, category):
    missouri = JurisdictionFactory(code="MO", name="Missouri")
    oregon = JurisdictionFactory(code="OR", name="Oregon")
    topic = make_topic(asker, category, title="Registering an Oregon order in Missouri",
                       tags=["registration", "uifsa"], jurisdictions=[missouri, oregon])
    three = make_topic(asker, category, title="Three shared: tags and Missouri",
                       tags=["registration", "uifsa"], jurisdictions=[missouri])
    one = make_topic(asker, category, title="One shared: Oregon only", jurisdictions=[oregon])
    two = make_topic(asker, category, title="Two shared: both jurisdictions", jurisdictions=[missouri, oregon])
    make_topic(asker, category, title="Nothing shared at all here", tags=["medical"])
    make_topic(asker, category, kind="discussion", title="A discussion sharing tags", tags=["uifsa", "registration"])
    private = CategoryFactory(association=elsewhere, slug="mcsea-private", visibility=Category.Visibility.MEMBERS)
    make_topic(member_of(elsewhere), private, title="Invisible: another association's", tags=["uifsa", "registration"],
               jurisdictions=[missouri, oregon])
    held = make_topic(asker, category, title="Held question sharing tags", tags=["uifsa"])
    Topic.objects.filter(pk=held.pk).update(status=Visibility.HIDDEN)

    related = selectors.related_questions(member_of(west), topic)
    assert [question.title for question in related] == [three.title, two.title, one.title]
    assert [question.title for question in selectors.related_questions(member_of(west), topic, limit=2)] == [
        three.title, two.title
    ]
    assert selectors.related_questions(UserFactory(), topic) == []


def test_related_questions_template_renders_a_list_under_a_heading(west, asker, category):
    topic = make_topic(asker, category, title="Base question on NMSN", tags=["nmsn"])
    make_topic(asker, category, title="Another <NMSN> question", tags=["nmsn"])
    html = render_to_string("forum/includes/related_questions.html",
                            {"related_questions": selectors.related_questions(asker, topic)})
    assert "<h2" in html and "Related questions" in html and "Another &lt;NMSN&gt; question" in html
    assert render_to_string("forum/includes/related_questions.html", {"related_questions": []}).strip() == ""


def test_related_questions_query_count(west, asker, category, django_assert_max_num_queries):
    topic = make_topic(asker, category, title="Base question for counting", tags=["a", "b"])
    for index in range(10):
        make_topic(asker, category, title=f"Related question {index}", tags=["a"])
    viewer = selectors.ForumViewer.of(asker)
    with django_assert_max_num_queries(1):
        assert len(selectors.related_questions(asker, topic, viewer=viewer)) == 5


# --- Mention suggestions -----------------------------------------------------------------------------


@pytest.fixture
def people(west, elsewhere):
    """Named members for the mention tests; the viewer is an active member."""
    def person(username, display_name, association=west, **membership):
        user = UserFactory(username=username, display_name=display_name)
        MembershipFactory(user=user, association=association, **membership)
        return user

    return {
        "viewer": member_of(west, user=UserFactory(username="viewer", display_name="Viewer Person")),
        "priya": person("priya.natarajan", "Priya Natarajan"),
        "prisha": person("pshah", "Prisha Shah", association=elsewhere),
        "unlisted": person("prissy", "Priscilla Unlisted"),
        "lapsed": person("prince", "Prince Lapsed", status="lapsed"),
        "applicant": person("prim", "Primrose Applicant", status="applied"),
        "inactive": person("priam", "Priam Inactive"),
        "no membership": UserFactory(username="prudence", display_name="Prudence Nobody"),
        "grace": person("gyazzie", "Grace Yazzie"),
    }


def suggest(client, query, **headers):
    return client.get(reverse("forum:mention_suggestions"), {"q": query}, **headers)


def test_mention_suggestions_list_only_active_listed_members(client, people):
    ProfileFactory(user=people["unlisted"], listed_in_directory=False)
    ProfileFactory(user=people["priya"], listed_in_directory=True)
    people["inactive"].is_active = False
    people["inactive"].save()
    client.force_login(people["viewer"])
    response = suggest(client, "pri")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<ul role="listbox"')
    assert 'data-username="priya.natarajan"' in body and 'data-username="pshah"' in body
    for hidden in ("prissy", "prince", "prim\"", "priam", "prudence"):
        assert f'data-username="{hidden}' not in body
    assert body.count('role="option"') == 2
    by_name = suggest(client, "Grace").content.decode()
    assert 'data-username="gyazzie"' in by_name and "Grace Yazzie" in by_name


def test_mention_suggestions_as_json(client, people):
    client.force_login(people["viewer"])
    response = suggest(client, "@gy", HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {"results": [{"username": "gyazzie", "name": "Grace Yazzie"}]}


def test_mention_suggestions_need_two_characters_and_cap_at_eight(client, west, people):
    for index in range(12):
        MembershipFactory(user=UserFactory(username=f"casework{index:02d}"), association=west)
    client.force_login(people["viewer"])
    assert 'role="option"' not in suggest(client, "c").content.decode()
    assert 'role="option"' not in suggest(client, "").content.decode()
    assert suggest(client, "case").content.decode().count('role="option"') == 8


def test_mention_suggestions_are_for_members_only(client, people):
    assert suggest(client, "pri").status_code == 302
    assert suggest(client, "pri", HTTP_ACCEPT="application/json").status_code == 401
    client.force_login(people["no membership"])
    response = suggest(client, "pri")
    assert response.status_code == 403
    assert "priya" not in response.content.decode()
    client.force_login(people["lapsed"])
    assert suggest(client, "pri", HTTP_ACCEPT="application/json").status_code == 403


def test_mention_suggestions_escape_names(client, west, people):
    MembershipFactory(user=UserFactory(username="xss-person", display_name='<img src=x onerror=alert(1)>'),
                      association=west)
    client.force_login(people["viewer"])
    body = suggest(client, "xss").content.decode()
    assert "<img" not in body and "&lt;img" in body


def test_mention_suggestions_query_count(client, west, people, django_assert_max_num_queries):
    for index in range(8):
        MembershipFactory(user=UserFactory(username=f"counted{index}"), association=west)
    client.force_login(people["viewer"])
    with django_assert_max_num_queries(6):
        assert suggest(client, "counted").content.decode().count('role="option"') == 8
