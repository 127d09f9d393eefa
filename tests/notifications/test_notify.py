"""notify() and the event handlers, driven by the real forum, membership and CMS services:
who is told of what (only people who may see it, never the actor, once per thing), in bulk."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import moderation, services
from forum.models import Category, Follow
from members import services as member_services
from members.models import Membership, Role, RoleGroup
from notifications.handlers import remind_upcoming_events
from notifications.models import Delivery, Kind, Notification
from notifications.services import Target, insert_skipping_twins, notify, set_preference
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def run_events(django_capture_on_commit_callbacks):
    """Run the after-commit event handlers (and what they queue) as a real commit would."""
    def run():
        return django_capture_on_commit_callbacks(execute=True)
    return run


@pytest.fixture
def forum():
    west = association_with_groups(short_name="WEST", slug="west-notify")
    board = RoleGroup.objects.get(association=west, role=Role.BOARD).group
    categories = SimpleNamespace(
        members=CategoryFactory(association=west, visibility=Category.Visibility.MEMBERS, name="Interstate"),
        board=CategoryFactory(association=west, visibility=Category.Visibility.GROUP, group=board, name="Board"),
    )
    return SimpleNamespace(
        west=west, categories=categories, asker=member_of(west), answerer=member_of(west), follower=member_of(west),
        board_member=member_of(west, Role.BOARD), moderator=member_of(west, Role.MODERATOR),
    )


def told(kind=None) -> dict[int, list[str]]:
    """{recipient id: [titles]} of the notifications written so far."""
    rows = Notification.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    result: dict[int, list[str]] = {}
    for row in rows:
        result.setdefault(row.recipient_id, []).append(row.title)
    return result


def test_a_reply_tells_the_asker_and_followers_who_may_see_it_but_not_its_author(forum, run_events):
    with run_events():
        topic = make_topic(forum.asker, forum.categories.members, title="Registering a Texas order")
        services.follow(forum.follower, "topic", topic)
    # Someone who followed while a member and has since lapsed may no longer see the topic.
    lapsed = member_of(forum.west)
    Follow.objects.create(user=lapsed, topic=topic)
    Membership.objects.filter(user=lapsed).update(status=Membership.Status.LAPSED)
    lapsed.groups.clear()
    with run_events():
        reply = make_reply(forum.answerer, topic, body="File it with the tribunal.")
    assert told(Kind.REPLY) == {
        forum.asker.pk: [f"{forum.answerer.display_name} replied in “Registering a Texas order”"],
        forum.follower.pk: [f"{forum.answerer.display_name} replied in “Registering a Texas order”"],
    }
    row = Notification.objects.get(recipient=forum.asker)
    assert (row.actor_id, row.post_id, row.topic_id, row.url) == (forum.answerer.pk, reply.pk, topic.pk,
                                                                   reply.get_absolute_url())


def test_someone_mentioned_in_a_reply_is_told_once_as_a_mention(forum, run_events):
    topic = make_topic(forum.asker, forum.categories.members, title="Arrears interest")
    with run_events():
        make_reply(forum.answerer, topic, body=f"@{forum.asker.username} see the 2024 rule.")
    assert [(row.kind, row.recipient_id) for row in Notification.objects.all()] == [(Kind.MENTION, forum.asker.pk)]


def test_a_new_topic_reaches_category_tag_and_jurisdiction_followers_once_each(forum, run_events):
    from members.models import Jurisdiction
    from taggit.models import Tag

    oregon = Jurisdiction.objects.get(code="OR")
    make_topic(forum.answerer, forum.categories.members, title="An older UIFSA question", tags=["uifsa"])
    tag = Tag.objects.get(slug="uifsa")
    by_tag, by_jurisdiction = member_of(forum.west), member_of(forum.west)
    services.follow(forum.follower, "category", forum.categories.members)
    services.follow(forum.follower, "tag", tag)  # two reasons, one notification
    services.follow(by_tag, "tag", tag)
    services.follow(by_jurisdiction, "jurisdiction", oregon)
    with run_events():
        make_topic(forum.asker, forum.categories.members, title="Registering in Oregon", tags=["uifsa"],
                   jurisdictions=[oregon])
    expected = ["New practice question in Interstate: “Registering in Oregon”"]
    assert told(Kind.NEW_TOPIC) == {forum.follower.pk: expected, by_tag.pk: expected, by_jurisdiction.pk: expected}


def test_a_board_topic_never_reaches_members_following_its_tag(forum, run_events):
    from taggit.models import Tag

    make_topic(forum.asker, forum.categories.members, title="Association budget", tags=["budget"])
    tag = Tag.objects.get(slug="budget")
    services.follow(forum.follower, "tag", tag)
    other_board_member = member_of(forum.west, Role.BOARD)
    services.follow(other_board_member, "tag", tag)
    with run_events():
        make_topic(forum.board_member, forum.categories.board, title="Retreat budget", tags=["budget"])
    assert set(told(Kind.NEW_TOPIC)) == {other_board_member.pk}


def test_a_held_reply_tells_nobody_until_a_moderator_approves_it(forum, run_events):
    topic = make_topic(forum.asker, forum.categories.members, title="Held replies")
    forum.categories.members.hold_first_posts = 1
    forum.categories.members.save()
    newcomer = member_of(forum.west)
    with run_events():
        held = make_reply(newcomer, topic, body="My first post.")
    assert held.status == "held" and told(Kind.REPLY) == {}
    with run_events():
        moderation.approve_post(forum.moderator, held, "Fine")
    assert set(told(Kind.REPLY)) == {forum.asker.pk}
    assert set(told(Kind.MODERATION)) == {newcomer.pk}


def test_accepted_answers_and_batched_helpful_votes(forum, run_events):
    topic = make_topic(forum.asker, forum.categories.members, title="Which form?")
    with run_events():
        answer = make_reply(forum.answerer, topic, body="Use the general testimony form.")
    Notification.objects.all().delete()
    with run_events():
        services.accept_answer(answer, by=forum.asker)
        services.vote_helpful(answer, voter=forum.asker)
        services.vote_helpful(answer, voter=forum.follower)
        services.vote_helpful(answer, voter=forum.board_member)
    assert told(Kind.ANSWER_ACCEPTED) == {forum.answerer.pk: [f"{forum.asker.display_name} accepted your answer in “Which form?”"]}
    [helpful] = Notification.objects.filter(kind=Kind.HELPFUL_VOTES)
    assert (helpful.recipient_id, helpful.count, helpful.actor_id) == (forum.answerer.pk, 3, forum.board_member.pk)
    assert helpful.title == "3 people found your post in “Which form?” helpful"
    # Once read, the next vote starts a new notification.
    helpful.read_at = timezone.now()
    helpful.save()
    with run_events():
        services.vote_helpful(answer, voter=forum.moderator)
    assert Notification.objects.filter(kind=Kind.HELPFUL_VOTES).count() == 2


def test_a_moderator_hiding_a_post_tells_its_author_why(forum, run_events):
    topic = make_topic(forum.asker, forum.categories.members, title="Off-topic thread")
    reply = make_reply(forum.answerer, topic, body="Selling a car.")
    with run_events():
        moderation.hide_post(forum.moderator, reply, "Advertising is not allowed")
    [row] = Notification.objects.filter(kind=Kind.MODERATION)
    assert (row.recipient_id, row.title, row.summary) == (
        forum.answerer.pk, "A moderator hid your post in “Off-topic thread”", "Reason: Advertising is not allowed")


def test_a_membership_decision_tells_the_applicant(run_events):
    from tests.factories import staff_decider

    association = association_with_groups(short_name="MOA", slug="mo-notify", name="Missouri test")
    applicant = member_of(association, status="applied")
    with run_events():
        member_services.approve_membership(applicant.memberships.get(), by=staff_decider())
    assert told(Kind.MEMBERSHIP) == {applicant.pk: ["Your membership of Missouri test was approved"]}


def test_nobody_is_told_of_their_own_action_or_twice_for_one_key(forum):
    target = Target(title="Something", url="/forum/")
    first = notify(Kind.NEWSLETTER, [forum.asker.pk, forum.follower.pk], target, actor_id=forum.asker.pk,
                   dedupe_key="issue:1")
    again = notify(Kind.NEWSLETTER, [forum.asker.pk, forum.follower.pk], target, dedupe_key="issue:1")
    assert [row.recipient_id for row in first] == [forum.follower.pk]
    assert [row.recipient_id for row in again] == [forum.asker.pk]
    assert Notification.objects.filter(recipient=forum.follower).count() == 1


def test_a_twin_written_after_the_check_is_kept_and_not_doubled(forum):
    """The race notify()'s pre-check cannot see: a concurrent call with the same key wrote the
    follower's row first. The insert keeps that row and writes the asker's alone."""
    target = Target(title="Issue", url="/")
    [twin] = notify(Kind.NEWSLETTER, [forum.follower.pk], target, dedupe_key="issue:2")
    rows = [Notification(recipient_id=user.pk, kind=Kind.NEWSLETTER, title="Issue", url="/", dedupe_key="issue:2")
            for user in (forum.asker, forum.follower)]
    written = insert_skipping_twins(rows)
    assert [row.recipient_id for row in written] == [forum.asker.pk]
    assert written[0].pk is not None
    assert list(Notification.objects.filter(dedupe_key="issue:2", recipient=forum.follower)) == [twin]


def test_a_kind_turned_off_writes_nothing(forum):
    set_preference(forum.follower, Kind.NEWSLETTER, Delivery.OFF)
    rows = notify(Kind.NEWSLETTER, [forum.follower.pk, forum.answerer.pk], Target(title="Issue", url="/"))
    assert [row.recipient_id for row in rows] == [forum.answerer.pk]


def test_recipients_are_computed_in_bulk(forum, run_events):
    """A reply costs the same number of queries for 3 followers as for 60."""
    def queries_for_a_reply(followers: int) -> int:
        topic = make_topic(forum.asker, forum.categories.members, title=f"Topic with {followers} followers")
        Follow.objects.bulk_create([Follow(user=member_of(forum.west), topic=topic) for _ in range(followers)])
        with CaptureQueriesContext(connection) as queries, run_events():
            make_reply(forum.answerer, topic, body="An answer.")
        assert Notification.objects.filter(topic=topic, kind=Kind.REPLY).count() == followers + 1
        return len(queries)

    assert queries_for_a_reply(3) == queries_for_a_reply(60)


def test_a_legislative_update_reaches_followers_of_its_jurisdictions_who_may_see_it(run_events):
    from tests.cms.legislation.factories import jurisdiction, make_update, restrict_to_members, updates_site

    site = updates_site(slug="mo-laws")
    missouri, kansas = jurisdiction("MO"), jurisdiction("KS")
    member, outsider, kansan = member_of(site.association), UserFactory(), member_of(site.association)
    for user in (member, outsider):
        services.follow(user, "jurisdiction", missouri)
    services.follow(kansan, "jurisdiction", kansas)
    with run_events():
        update = make_update(site.index, jurisdictions=("MO",), title="HB 12: remote employers")
    assert set(told(Kind.LEGISLATION)) == {member.pk, outsider.pk}
    assert Notification.objects.get(recipient=member).title == "Legislative update for Missouri: HB 12: remote employers"

    Notification.objects.all().delete()
    restrict_to_members(update, site.association)
    with run_events():
        update.save_revision().publish()  # republished, now for members only
    assert set(told(Kind.LEGISLATION)) == {member.pk}
    with run_events():
        update.save_revision().publish()
    assert Notification.objects.filter(kind=Kind.LEGISLATION).count() == 1  # never twice


def test_event_reminders_go_once_the_day_before_to_registered_members(run_events):
    from cms.events.services import register_member
    from tests.cms.events.factories import association_site, make_event

    association, index = association_site(short_name="EVT", slug="events-notify")
    soon = timezone.localtime() + dt.timedelta(hours=20)
    event = make_event(index, day=soon.date(), time_zone="America/Chicago",
                       start_time=(soon + dt.timedelta(minutes=1)).time().replace(second=0, microsecond=0),
                       end_time=dt.time(23, 59))
    later = make_event(index, day=(soon + dt.timedelta(days=3)).date(), title="Later workshop")
    member, other = member_of(association), member_of(association)
    register_member(member, event)
    register_member(other, later)
    if event.starts_at > timezone.now() + dt.timedelta(hours=24) or event.starts_at <= timezone.now():
        pytest.fail(f"the test event should start within a day, not at {event.starts_at}")
    assert remind_upcoming_events() == 1
    assert remind_upcoming_events() == 0
    [row] = Notification.objects.filter(kind=Kind.EVENT_REMINDER)
    assert row.recipient_id == member.pk and row.title.startswith("Reminder: Interstate case processing workshop starts")
