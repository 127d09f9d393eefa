"""The demo forum that `manage.py seed_demo` loads: the taxonomy, who sees what, and the
content itself."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from forum.demo import DEMO_TOPICS
from forum.models import Category, ModerationAction, Post, Topic
from forum.selectors import visible_topics
from members.models import Association, Role, RoleGroup, User
from tests.factories import member_of

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

# DOMAIN.md, "Forum taxonomy": the interstate commons, then each association's own two.
COMMONS = [
    "Interstate & UIFSA", "Establishment & parentage", "Enforcement remedies", "Income withholding & employers",
    "Medical support", "Review & modification", "Payments, distribution & arrears", "Case management & closure",
    "Tribal child support", "International cases (Hague 2007)", "Courts & legal practice",
    "Systems & data exchange", "Training & professional development",
]


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def person(first_name: str) -> User:
    return User.objects.get(email__istartswith=f"{first_name}.")


def topic_in(slug: str) -> Topic:
    return Topic.objects.filter(category__slug=slug).get()


def sees(user, topic: Topic) -> bool:
    return visible_topics(user).filter(pk=topic.pk).exists()


@pytest.fixture
def seeded():
    seed_demo()


def test_seeding_twice_duplicates_nothing_and_prints_no_email(capfd):
    seed_demo()
    counts = (Category.objects.count(), Topic.objects.count(), Post.objects.count())
    second_output = seed_demo()
    assert (Category.objects.count(), Topic.objects.count(), Post.objects.count()) == counts
    assert Topic.objects.count() == len(DEMO_TOPICS)
    assert Post.objects.count() == sum(1 + len(demo.replies) for demo in DEMO_TOPICS)
    titles = list(Topic.objects.values_list("category_id", "title"))
    assert len(titles) == len(set(titles))
    printed = second_output + "".join(capfd.readouterr())
    assert "Subject:" not in printed and "From:" not in printed


def test_every_taxonomy_category_exists_with_its_audience(seeded):
    for name in COMMONS:
        category = Category.objects.get(name=name, association=None)
        expected = "public" if name == "Training & professional development" else "members"
        assert category.visibility == expected, name
        assert category.group is None
    for association in Association.objects.filter(slug__in=["western", "missouri"]):
        business = Category.objects.get(slug=f"{association.slug}-association-business")
        assert (business.name, business.association, business.visibility) == (
            "Association business", association, Category.Visibility.MEMBERS,
        )
        board = Category.objects.get(slug=f"{association.slug}-board")
        assert (board.name, board.association, board.visibility) == ("Board", association, Category.Visibility.GROUP)
        assert board.group == RoleGroup.objects.get(association=association, role=Role.BOARD).group
    # Every category has demo content, so nothing in the demo looks empty.
    assert not Category.objects.filter(topics__isnull=True).exists()


def test_board_topics_are_seen_only_by_that_associations_board(seeded):
    western, missouri = Association.objects.get(slug="western"), Association.objects.get(slug="missouri")
    western_board, missouri_board = topic_in("western-board"), topic_in("missouri-board")
    mark, carla = person("mark"), person("carla")  # the western and the Missouri board member
    assert sees(mark, western_board) and not sees(mark, missouri_board)
    assert sees(carla, missouri_board) and not sees(carla, western_board)
    new_director = member_of(western, Role.BOARD)
    assert sees(new_director, western_board)
    # Neither an association's admin nor its moderator is on the board.
    for outsider in (person("dana"), person("grace"), member_of(western), member_of(missouri, Role.ADMIN)):
        assert not sees(outsider, western_board)
    assert not sees(AnonymousUser(), western_board) and not sees(AnonymousUser(), missouri_board)


def test_association_business_is_seen_only_by_that_associations_members(seeded):
    western_business, missouri_business = (
        topic_in("western-association-business"), topic_in("missouri-association-business")
    )
    priya, kevin, beth = person("priya"), person("kevin"), person("beth")  # western, Missouri, both
    assert sees(priya, western_business) and not sees(priya, missouri_business)
    assert sees(kevin, missouri_business) and not sees(kevin, western_business)
    assert sees(beth, western_business) and sees(beth, missouri_business)
    nora = person("nora")  # still an applicant
    assert not sees(nora, western_business)
    assert not sees(AnonymousUser(), western_business) and not sees(AnonymousUser(), missouri_business)


def test_anonymous_visitors_see_the_public_category_only(seeded):
    anonymous_topics = visible_topics(AnonymousUser())
    assert anonymous_topics.exists()
    assert set(anonymous_topics.values_list("category__slug", flat=True)) == {"training-professional-development"}
    assert anonymous_topics.count() == Topic.objects.filter(category__visibility="public").count()


def test_the_commons_is_shared_by_members_of_either_association(seeded):
    commons_topics = Topic.objects.filter(category__association=None, category__visibility="members")
    for member in (person("priya"), person("kevin")):
        assert visible_topics(member).filter(pk__in=commons_topics).count() == commons_topics.count()
    assert not visible_topics(person("nora")).filter(pk__in=commons_topics).exists()


def test_about_half_the_questions_have_an_answer_accepted_by_the_asker(seeded):
    questions = Topic.objects.filter(kind=Topic.Kind.QUESTION)
    answered = questions.exclude(accepted_answer=None).select_related("accepted_answer")
    assert questions.count() >= 12
    assert questions.count() // 3 <= answered.count() < questions.count()
    for topic in answered:
        assert topic.accepted_answer.topic_id == topic.pk and topic.accepted_answer.position > 1
    assert not ModerationAction.objects.filter(action="accept_answer").exists()  # the askers did it
    assert Topic.objects.filter(kind=Topic.Kind.PROCEDURE).count() >= 3
    assert Topic.objects.filter(kind=Topic.Kind.DISCUSSION).count() >= 3


def test_demo_content_is_rendered_counted_and_dated_in_the_past(seeded):
    assert not Post.objects.filter(body_html="").exists()
    assert all("<p>" in html or "<ol>" in html for html in Post.objects.values_list("body_html", flat=True))
    assert Post.objects.filter(body_html__contains="<table>").exists()  # procedures use tables
    assert Post.objects.filter(helpful_count__gt=0).exists()
    now = timezone.now()
    for topic in Topic.objects.prefetch_related("posts"):
        posts = list(topic.posts.all())
        assert topic.post_count == len(posts) >= 2
        assert topic.last_post_id == posts[-1].pk
        assert topic.created_at == posts[0].created_at <= topic.last_activity_at == posts[-1].created_at <= now
        assert [post.created_at for post in posts] == sorted(post.created_at for post in posts)
    oldest, newest = Topic.objects.order_by("created_at")[0], Topic.objects.order_by("-created_at")[0]
    assert (newest.created_at - oldest.created_at).days > 90
    assert Topic.objects.filter(jurisdictions__code="tribe-navajo-nation").exists()
    assert Topic.objects.filter(jurisdictions__code="intl-germany").exists()
    assert Topic.objects.filter(tags__name="controlling-order").exists()
