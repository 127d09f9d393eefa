"""Moderation: who may do what (a matrix of roles × actions), the audit log, counters after
hide/unhide/split, held posts, flags and their rate limit, suspensions, moves, events after
commit, and the moderation views and partials."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from config import events
from forum import moderation, services
from forum.models import Category, Flag, ModerationAction, PostingSuspension, Topic, Visibility
from forum.selectors import visible_posts, visible_topics
from notifications.selectors import unread_count
from members.models import Role
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

REASON = "Contains a child's name and case number."


@pytest.fixture
def world():
    home = association_with_groups(short_name="HOME", slug="home")
    away = association_with_groups(short_name="AWAY", slug="away")
    category = CategoryFactory(association=home, name="Interstate", slug="home-interstate")
    second = CategoryFactory(association=home, name="Procedures", slug="home-procedures")
    away_category = CategoryFactory(association=away, name="Away interstate", slug="away-interstate")
    commons = CategoryFactory(association=None, name="Commons", slug="commons-interstate")
    people = {
        "anonymous": AnonymousUser(),
        "member": member_of(home),
        "moderator": member_of(home, Role.MODERATOR),
        "other_moderator": member_of(away, Role.MODERATOR),
        "admin": member_of(home, Role.ADMIN),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    author = member_of(home)
    replier = member_of(home)
    topic = make_topic(author, category, title="Registering a Texas order for enforcement only")
    replies = [make_reply(replier, topic, body=f"Reply number {n}: file the certified copy.") for n in range(1, 4)]
    return SimpleNamespace(
        home=home, away=away, category=category, second=second, away_category=away_category, commons=commons,
        people=people, author=author, replier=replier, topic=topic, replies=replies, reply=replies[0],
    )


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def accept(post):
    # Written directly so these tests do not depend on the answers service.
    Topic.objects.filter(pk=post.topic_id).update(accepted_answer=post)


def held_reply(w):
    """A reply from a brand-new member in a category that holds first posts."""
    Category.objects.filter(pk=w.category.pk).update(hold_first_posts=1)
    w.category.refresh_from_db()
    newcomer = member_of(w.home)
    post = make_reply(newcomer, Topic.objects.get(pk=w.topic.pk), body="My first post: we use the e-IWO portal.")
    assert post.status == Visibility.HELD
    return post


@pytest.fixture
def heard():
    """Events heard by subscribers (only after commit). Handlers are removed afterwards."""
    received = []
    handlers = {}
    for name in ("moderation_action", "post_flagged", "post_created", "topic_created", "topic_moved", "topic_split"):
        handlers[name] = lambda name=name, **payload: received.append((name, payload))
        events.subscribe(name, handlers[name])
    yield received
    for name, handler in handlers.items():
        events._subscribers[name].remove(handler)


# --- Permission matrix ----------------------------------------------------------------------------------


def do_hide(w, actor):
    moderation.hide_post(actor, w.reply, REASON)


def do_unhide(w, actor):
    moderation.hide_post(w.people["superuser"], w.reply, REASON)
    moderation.unhide_post(actor, w.reply, "The case number was removed by the author.")


def do_approve(w, actor):
    moderation.approve_post(actor, held_reply(w), "Reads fine.")


def do_resolve_flag(w, actor):
    flag = moderation.flag_post(w.author, w.reply, Flag.Reason.INACCURATE)
    moderation.resolve_flag(actor, flag, "The guidance matches UIFSA 2008.")


def do_lock(w, actor):
    moderation.lock_topic(actor, w.topic, "Answered; further replies go to a new topic.")


def do_unlock(w, actor):
    moderation.lock_topic(w.people["superuser"], w.topic, "Cooling off.")
    moderation.unlock_topic(actor, w.topic, "Reopened for new rules.")


def do_pin(w, actor):
    moderation.pin_topic(actor, w.topic, "Frequently asked.")


def do_unpin(w, actor):
    moderation.pin_topic(w.people["superuser"], w.topic, "Frequently asked.")
    moderation.unpin_topic(actor, w.topic, "Outdated.")


def do_move(w, actor):
    moderation.move_topic(actor, w.topic, w.second, "This is a procedure, not a question.")


def do_split(w, actor):
    moderation.split_topic(actor, w.topic, [w.replies[1]], "Income withholding for a second employer", "Different question.")


def do_suspend(w, actor):
    moderation.suspend_from_posting(actor, w.author, w.home, timezone.now() + datetime.timedelta(days=7), "Posted case data twice.")


ACTIONS = {
    "hide": (do_hide, ModerationAction.Action.HIDE),
    "unhide": (do_unhide, ModerationAction.Action.UNHIDE),
    "approve": (do_approve, ModerationAction.Action.APPROVE),
    "resolve_flag": (do_resolve_flag, ModerationAction.Action.RESOLVE_FLAG),
    "lock": (do_lock, ModerationAction.Action.LOCK),
    "unlock": (do_unlock, ModerationAction.Action.UNLOCK),
    "pin": (do_pin, ModerationAction.Action.PIN),
    "unpin": (do_unpin, ModerationAction.Action.UNPIN),
    "move": (do_move, ModerationAction.Action.MOVE),
    "split": (do_split, ModerationAction.Action.SPLIT),
    "suspend": (do_suspend, ModerationAction.Action.SUSPEND),
}
ALLOWED = {"moderator", "admin", "superuser"}
ROLES = ["anonymous", "member", "moderator", "other_moderator", "admin", "superuser"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(world, role, action):
    do, logged_as = ACTIONS[action]
    actor = world.people[role]
    if role in ALLOWED:
        do(world, actor)
        assert ModerationAction.objects.filter(actor=actor, action=logged_as).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            do(world, actor)
        assert not ModerationAction.objects.filter(action=logged_as).exclude(actor=world.people["superuser"]).exists()


def test_every_associations_moderators_moderate_the_commons(world):
    topic = make_topic(world.author, world.commons, title="Which state has continuing exclusive jurisdiction?")
    reply = make_reply(world.replier, topic)
    moderation.hide_post(world.people["other_moderator"], reply, REASON)
    moderation.lock_topic(world.people["moderator"], topic, "Settled.")
    with pytest.raises(PermissionDenied):
        moderation.hide_post(world.people["member"], topic.posts.get(position=1), REASON)
    action = ModerationAction.objects.get(action=ModerationAction.Action.HIDE)
    assert action.association is None


# --- Reasons and the audit log -------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["hide", "lock", "pin", "move", "split", "suspend", "resolve_flag"])
def test_a_reason_is_required(world, action):
    moderator = world.people["moderator"]
    calls = {
        "hide": lambda: moderation.hide_post(moderator, world.reply, "  "),
        "lock": lambda: moderation.lock_topic(moderator, world.topic, ""),
        "pin": lambda: moderation.pin_topic(moderator, world.topic, ""),
        "move": lambda: moderation.move_topic(moderator, world.topic, world.second, ""),
        "split": lambda: moderation.split_topic(moderator, world.topic, [world.reply], "A title long enough", ""),
        "suspend": lambda: moderation.suspend_from_posting(
            moderator, world.author, world.home, timezone.now() + datetime.timedelta(days=1), ""),
        "resolve_flag": lambda: moderation.resolve_flag(
            moderator, moderation.flag_post(world.author, world.reply, Flag.Reason.SPAM), ""),
    }
    with pytest.raises(ValidationError) as raised:
        calls[action]()
    assert "Give a reason" in " ".join(raised.value.messages)
    assert not ModerationAction.objects.exists()
    assert refreshed(world.reply).status == Visibility.PUBLISHED
    assert refreshed(world.topic).category == world.category


def test_the_audit_log_records_who_when_and_why(world):
    before = timezone.now()
    moderation.hide_post(world.people["moderator"], world.reply, REASON)
    action = ModerationAction.objects.get()
    assert action.actor == world.people["moderator"]
    assert action.action == ModerationAction.Action.HIDE
    assert action.reason == REASON
    assert before <= action.created_at <= timezone.now()
    assert (action.topic, action.post, action.subject_user, action.association) == (
        world.topic, world.reply, world.replier, world.home)


def test_suspension_is_logged_under_its_association(world):
    do_suspend(world, world.people["moderator"])
    action = ModerationAction.objects.get(action=ModerationAction.Action.SUSPEND)
    assert action.association == world.home
    assert action.subject_user == world.author


def test_audit_log_selector_is_scoped_to_what_the_viewer_moderates(world):
    away_topic = make_topic(member_of(world.away), world.away_category, title="Away association's own question")
    moderation.lock_topic(world.people["moderator"], world.topic, "Home lock.")
    moderation.lock_topic(world.people["other_moderator"], away_topic, "Away lock.")
    commons_topic = make_topic(world.author, world.commons, title="A question for every state")
    moderation.pin_topic(world.people["other_moderator"], commons_topic, "Commons pin.")
    assert {a.reason for a in moderation.audit_log(world.people["moderator"])} == {"Home lock.", "Commons pin."}
    assert {a.reason for a in moderation.audit_log(world.people["other_moderator"])} == {"Away lock.", "Commons pin."}
    assert moderation.audit_log(world.people["superuser"]).count() == 3
    assert not moderation.audit_log(world.people["member"]).exists()
    assert [a.reason for a in moderation.audit_log(world.people["superuser"], ModerationAction.Action.PIN)] == ["Commons pin."]


def test_moves_show_in_the_log_of_the_association_the_topic_went_to(world):
    to_away = make_topic(world.author, world.category, title="A question that belongs to AWAY")
    to_commons = make_topic(world.author, world.category, title="A question for the commons")
    moderation.move_topic(world.people["superuser"], to_away, world.away_category, "Away's question.")
    moderation.move_topic(world.people["moderator"], to_commons, world.commons, "Every state's question.")
    other_log = {a.reason for a in moderation.audit_log(world.people["other_moderator"])}
    assert other_log == {"Away's question.", "Every state's question."}
    home_log = {a.reason for a in moderation.audit_log(world.people["moderator"])}
    assert home_log == {"Away's question.", "Every state's question."}
    third = association_with_groups(short_name="THIRD", slug="third")
    assert not moderation.audit_log(member_of(third, Role.MODERATOR)).filter(reason="Away's question.").exists()


# --- Hide, unhide and counters --------------------------------------------------------------------------


def test_hiding_and_restoring_a_reply_keeps_counters_right(world):
    topic, last = world.topic, world.replies[-1]
    assert refreshed(topic).post_count == 4 and topic.last_post == last
    moderation.hide_post(world.people["moderator"], last, REASON)
    topic.refresh_from_db()
    assert topic.post_count == 3
    assert topic.last_post == world.replies[1]
    assert topic.last_activity_at == world.replies[1].created_at
    moderation.unhide_post(world.people["moderator"], last, "Case data removed.")
    topic.refresh_from_db()
    assert (topic.post_count, topic.last_post, topic.last_activity_at) == (4, last, last.created_at)


def test_hiding_the_accepted_answer_clears_it_and_restoring_brings_it_back(world):
    accept(world.reply)
    moderation.hide_post(world.people["moderator"], world.reply, REASON)
    assert refreshed(world.topic).accepted_answer is None
    moderation.unhide_post(world.people["moderator"], world.reply, "Fixed.")
    assert refreshed(world.topic).accepted_answer == world.reply


def test_hiding_the_opening_post_hides_the_topic(world):
    opening = world.topic.posts.get(position=1)
    moderation.hide_post(world.people["moderator"], opening, REASON)
    assert refreshed(world.topic).status == Visibility.HIDDEN
    assert not visible_topics(world.people["member"]).filter(pk=world.topic.pk).exists()
    assert visible_topics(world.people["moderator"]).filter(pk=world.topic.pk).exists()
    moderation.unhide_post(world.people["moderator"], opening, "Reviewed.")
    assert refreshed(world.topic).status == Visibility.PUBLISHED


def test_hidden_posts_are_invisible_to_members_and_marked_for_moderators(world):
    moderation.hide_post(world.people["moderator"], world.reply, REASON)
    assert world.reply not in visible_posts(world.people["member"], world.topic)
    assert world.reply not in visible_posts(world.replier, world.topic)
    for role in ("moderator", "admin", "superuser"):
        shown = visible_posts(world.people[role], world.topic).get(pk=world.reply.pk)
        assert shown.status == Visibility.HIDDEN
        html = render_partial("forum/includes/post_moderation.html", world.people[role], post=shown, topic=world.topic,
                              can_moderate=True)
        assert 'value="unhide"' in html and 'value="hide"' not in html


def test_hiding_twice_is_a_clear_error(world):
    moderation.hide_post(world.people["moderator"], world.reply, REASON)
    with pytest.raises(ValidationError, match="already hidden"):
        moderation.hide_post(world.people["admin"], world.reply, REASON)


def test_hiding_resolves_open_flags_on_the_post(world):
    moderation.flag_post(world.author, world.reply, Flag.Reason.CASE_DATA)
    moderation.hide_post(world.people["moderator"], world.reply, REASON)
    flag = Flag.objects.get()
    assert flag.resolved_by == world.people["moderator"] and REASON in flag.resolution
    assert not moderation.moderation_queue(world.people["moderator"]).exists()


# --- Held posts --------------------------------------------------------------------------------------------


def test_a_new_members_first_posts_are_held_until_approved(world, django_capture_on_commit_callbacks, heard):
    Category.objects.filter(pk=world.category.pk).update(hold_first_posts=2)
    topic = Topic.objects.get(pk=world.topic.pk)
    newcomer = member_of(world.home)
    moderator = world.people["moderator"]

    first = make_reply(newcomer, topic, body="First: we register under UIFSA section 602.")
    second = make_reply(newcomer, topic, body="Second: and send notice to the non-registering party.")
    assert first.status == second.status == Visibility.HELD
    assert refreshed(topic).post_count == 4
    assert first not in visible_posts(world.people["member"], topic)
    assert first in visible_posts(newcomer, topic)
    assert {p.pk for p in moderation.moderation_queue(moderator)} == {first.pk, second.pk}

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve_post(moderator, first)
    assert refreshed(first).status == Visibility.PUBLISHED
    assert refreshed(topic).post_count == 5
    assert ("post_created", {"post_id": first.pk, "topic_id": topic.pk, "status": Visibility.PUBLISHED}) in heard
    assert ModerationAction.objects.get(action=ModerationAction.Action.APPROVE).reason == "Approved after review."

    moderation.approve_post(moderator, second, "Good answer.")
    third = make_reply(newcomer, topic, body="Third: the registered order is enforced like a Missouri order.")
    assert third.status == Visibility.PUBLISHED
    topic.refresh_from_db()
    assert (topic.post_count, topic.last_post) == (7, third)
    with pytest.raises(ValidationError, match="held for review"):
        moderation.approve_post(moderator, third)


def test_approving_a_held_opening_post_publishes_its_topic(world, django_capture_on_commit_callbacks, heard):
    Category.objects.filter(pk=world.category.pk).update(hold_first_posts=1)
    newcomer = member_of(world.home)
    topic = make_topic(newcomer, Category.objects.get(pk=world.category.pk), title="How do tribes register an order?")
    assert topic.status == Visibility.HELD and topic.post_count == 0
    assert not visible_topics(world.people["member"]).filter(pk=topic.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve_post(world.people["moderator"], topic.posts.get())
    topic.refresh_from_db()
    assert topic.status == Visibility.PUBLISHED and topic.post_count == 1
    assert visible_topics(world.people["member"]).filter(pk=topic.pk).exists()
    assert [name for name, _ in heard] == ["moderation_action", "topic_created", "post_created"]


# --- Flags --------------------------------------------------------------------------------------------------


def test_flagging_once_per_open_flag_and_never_ones_own_post(world, django_capture_on_commit_callbacks, heard):
    member = world.people["member"]
    with django_capture_on_commit_callbacks(execute=True):
        flag = moderation.flag_post(member, world.reply, Flag.Reason.CASE_DATA, "Names the obligor.")
    assert heard == [("post_flagged", {"flag_id": flag.pk, "post_id": world.reply.pk, "topic_id": world.topic.pk,
                                       "flagged_by_id": member.pk})]
    with pytest.raises(ValidationError, match="already flagged"):
        moderation.flag_post(member, world.reply, Flag.Reason.SPAM)
    with pytest.raises(ValidationError, match="your own post"):
        moderation.flag_post(world.replier, world.reply, Flag.Reason.SPAM)
    with pytest.raises(ValidationError):
        moderation.flag_post(member, world.replies[1], Flag.Reason.OTHER, "")
    with pytest.raises(PermissionDenied):
        moderation.flag_post(AnonymousUser(), world.reply, Flag.Reason.SPAM)
    with pytest.raises(PermissionDenied):
        moderation.flag_post(world.people["other_moderator"], world.reply, Flag.Reason.SPAM)  # cannot see it
    moderation.resolve_flag(world.people["moderator"], flag, "Names removed by the author.")
    moderation.flag_post(member, world.reply, Flag.Reason.CASE_DATA, "Names are back.")
    assert Flag.objects.filter(post=world.reply, flagged_by=member).count() == 2


def test_resolving_a_resolved_flag_is_a_clear_error(world):
    flag = moderation.flag_post(world.people["member"], world.reply, Flag.Reason.SPAM)
    moderation.resolve_flag(world.people["moderator"], flag, "Not spam: a vendor answering a question.")
    with pytest.raises(ValidationError, match="already been resolved"):
        moderation.resolve_flag(world.people["admin"], flag, "Again.")


# --- Lock, pin, move, split -----------------------------------------------------------------------------------


def test_lock_blocks_replies_from_members_but_not_moderators(world):
    moderation.lock_topic(world.people["moderator"], world.topic, "Resolved.")
    with pytest.raises(services.PostingError, match="locked"):
        make_reply(world.people["member"], world.topic)
    make_reply(world.people["moderator"], world.topic, body="Locked; see the new procedure topic.")
    with pytest.raises(ValidationError, match="already locked"):
        moderation.lock_topic(world.people["admin"], world.topic, "Again.")
    moderation.unlock_topic(world.people["admin"], world.topic, "Reopened.")
    make_reply(world.people["member"], world.topic)


def test_move_needs_both_categories_moderated(world, django_capture_on_commit_callbacks, heard):
    moderator = world.people["moderator"]
    with pytest.raises(PermissionDenied):
        moderation.move_topic(moderator, world.topic, world.away_category, "Belongs to AWAY.")
    with pytest.raises(ValidationError, match="already in that category"):
        moderation.move_topic(moderator, world.topic, world.category, "Same place.")
    assert refreshed(world.topic).category == world.category
    with django_capture_on_commit_callbacks(execute=True):
        moderation.move_topic(moderator, world.topic, world.commons, "Every state asks this.")
    assert refreshed(world.topic).category == world.commons
    assert ("topic_moved", {"topic_id": world.topic.pk, "from_category_id": world.category.pk,
                            "to_category_id": world.commons.pk}) in heard
    action = ModerationAction.objects.get(action=ModerationAction.Action.MOVE)
    assert action.association == world.home and action.details["to_category"] == "Commons"
    # The other association's moderators moderate the commons now and can move it on, not home's.
    with pytest.raises(PermissionDenied):
        moderation.move_topic(world.people["other_moderator"], world.topic, world.category, "Back home.")
    moderation.move_topic(world.people["other_moderator"], world.topic, world.away_category, "Ours.")
    assert any(a.action == "move" and a.details["to_category"] == "Away interstate"
               for a in moderation.audit_log(world.people["other_moderator"]))


def test_split_moves_replies_renumbers_and_recounts(world, django_capture_on_commit_callbacks, heard):
    topic, (first, second, third) = world.topic, world.replies
    accept(second)
    services.vote_helpful(third, voter=world.author)
    with django_capture_on_commit_callbacks(execute=True):
        new_topic = moderation.split_topic(
            world.people["moderator"], topic, [third, second], "Withholding when the obligor has two employers",
            "A different question.",
        )
    topic.refresh_from_db()
    new_topic.refresh_from_db()
    assert list(topic.posts.order_by("position").values_list("pk", "position")) == [(topic.posts.get(position=1).pk, 1),
                                                                                   (first.pk, 2)]
    assert list(new_topic.posts.order_by("position").values_list("pk", "position")) == [(second.pk, 1), (third.pk, 2)]
    assert (topic.post_count, topic.last_post, topic.accepted_answer, topic.helpful_total) == (2, first, None, 0)
    assert (new_topic.post_count, new_topic.last_post, new_topic.helpful_total) == (2, third, 1)
    assert new_topic.author == world.replier and new_topic.kind == Topic.Kind.QUESTION
    assert new_topic.category == world.category and new_topic.accepted_answer is None
    assert ("topic_split", {"topic_id": topic.pk, "new_topic_id": new_topic.pk, "post_ids": [second.pk, third.pk]}) in heard
    # Replies can follow in both topics without position clashes.
    assert make_reply(world.people["member"], topic).position == 3
    assert make_reply(world.people["member"], new_topic).position == 3


def test_split_refuses_the_opening_post_and_foreign_posts(world):
    moderator = world.people["moderator"]
    opening = world.topic.posts.get(position=1)
    other = make_topic(world.author, world.category, title="Another question about NMSN")
    for posts, message in [([opening], "opening post"), ([other.posts.get()], "this topic only"), ([], "at least one")]:
        with pytest.raises(ValidationError, match=message):
            moderation.split_topic(moderator, world.topic, posts, "A title that is long enough", "Tidy.")
    with pytest.raises(ValidationError):
        moderation.split_topic(moderator, world.topic, [world.reply], "short", "Tidy.")
    with pytest.raises(PermissionDenied):
        moderation.split_topic(moderator, world.topic, [world.reply], "A title that is long enough", "Tidy.",
                               to_category=world.away_category)
    assert Topic.objects.count() == 2 and refreshed(world.reply).topic == world.topic


def test_a_split_off_procedure_reply_becomes_a_discussion(world):
    topic = make_topic(world.author, world.category, kind="procedure", title="Our e-IWO onboarding procedure")
    reply = make_reply(world.replier, topic)
    new_topic = moderation.split_topic(world.people["admin"], topic, [reply], "A question about e-IWO testing", "Tidy.",
                                       to_category=world.second)
    assert new_topic.kind == Topic.Kind.DISCUSSION and new_topic.category == world.second


# --- Suspensions --------------------------------------------------------------------------------------------


def test_suspension_blocks_posting_in_that_association_until_it_expires(world):
    moderator, author = world.people["moderator"], world.author
    suspension = moderation.suspend_from_posting(
        moderator, author, world.home, timezone.now() + datetime.timedelta(days=3), "Posted case data twice.")
    with pytest.raises(PermissionDenied, match="suspended from posting"):
        make_reply(author, world.topic)
    with pytest.raises(PermissionDenied, match="suspended"):
        make_topic(author, world.second)
    make_topic(author, world.commons, title="The commons is not part of the suspension")
    PostingSuspension.objects.filter(pk=suspension.pk).update(until=timezone.now() - datetime.timedelta(seconds=1))
    make_reply(author, world.topic)


def test_commons_suspension_by_any_moderator(world):
    moderation.suspend_from_posting(
        world.people["other_moderator"], world.author, None, timezone.now() + datetime.timedelta(days=1), "Spam.")
    with pytest.raises(PermissionDenied):
        make_topic(world.author, world.commons)
    make_reply(world.author, world.topic)


def test_nobody_suspends_themselves_or_a_superuser_or_into_the_past(world):
    moderator = world.people["moderator"]
    later = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="yourself"):
        moderation.suspend_from_posting(moderator, moderator, world.home, later, "Taking a break.")
    with pytest.raises(ValidationError, match="cannot be suspended"):
        moderation.suspend_from_posting(moderator, world.people["superuser"], world.home, later, "No.")
    with pytest.raises(ValidationError, match="future"):
        moderation.suspend_from_posting(moderator, world.author, world.home, timezone.now(), "Too late.")
    assert not PostingSuspension.objects.exists()


# --- Events after commit ---------------------------------------------------------------------------------------


def test_moderation_events_are_heard_only_after_commit(world, django_capture_on_commit_callbacks, heard):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        moderation.hide_post(world.people["moderator"], world.reply, REASON)
    assert heard == [] and len(callbacks) == 1
    callbacks[0]()
    action = ModerationAction.objects.get()
    assert heard == [("moderation_action", {"action_id": action.pk, "post_id": world.reply.pk,
                                            "topic_id": world.topic.pk, "subject_user_id": world.replier.pk})]


def test_a_refused_action_emits_nothing(world, django_capture_on_commit_callbacks, heard):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            moderation.hide_post(world.people["member"], world.reply, REASON)
    assert callbacks == [] and heard == []


# --- Views ------------------------------------------------------------------------------------------------------


@pytest.fixture
def sign_in_as(client):
    def sign_in(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        return client
    return sign_in


VIEW_ROLES = {  # role: expected status for moderating a post in a members-only category of HOME
    "member": 403,
    "moderator": 302,
    "other_moderator": 404,  # cannot see HOME's members-only category
    "admin": 302,
    "superuser": 302,
}


@pytest.mark.parametrize("role,expected", VIEW_ROLES.items())
def test_moderate_post_view_matrix(world, sign_in_as, role, expected):
    client = sign_in_as(world.people[role])
    response = client.post(reverse("forum:moderate_post", args=[world.reply.pk]), {"action": "hide", "reason": REASON})
    assert response.status_code == expected
    assert (refreshed(world.reply).status == Visibility.HIDDEN) == (expected == 302)


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    for url in [reverse("forum:moderation_queue"), reverse("forum:moderation_log"),
                reverse("forum:moderate_post", args=[world.reply.pk]), reverse("forum:moderate_topic", args=[world.topic.pk]),
                reverse("forum:flag_post", args=[world.reply.pk]), reverse("forum:suspend_user", args=[world.author.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_can_see_but_not_moderate_is_403(world, sign_in_as):
    public = CategoryFactory(association=world.home, visibility=Category.Visibility.PUBLIC, slug="home-public")
    topic = make_topic(world.author, public, title="A public question about paternity")
    client = sign_in_as(world.people["other_moderator"])
    assert client.get(reverse("forum:moderate_topic", args=[topic.pk])).status_code == 403
    assert client.post(reverse("forum:moderate_post", args=[topic.posts.get().pk]),
                       {"action": "hide", "reason": REASON}).status_code == 403
    assert client.get(reverse("forum:moderate_topic", args=[world.topic.pk])).status_code == 404
    assert client.get(reverse("forum:moderate_topic", args=[999999])).status_code == 404


def test_moderate_post_without_reason_keeps_the_page_and_says_why(world, sign_in_as):
    client = sign_in_as(world.people["moderator"])
    response = client.post(reverse("forum:moderate_post", args=[world.reply.pk]), {"action": "hide", "reason": " "})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert refreshed(world.reply).status == Visibility.PUBLISHED
    response = client.post(reverse("forum:moderate_post", args=[world.reply.pk]), {"action": "explode", "reason": "x"})
    assert response.status_code == 400


def test_moderate_post_redirects_to_a_safe_next_only(world, sign_in_as):
    client = sign_in_as(world.people["moderator"])
    url = reverse("forum:moderate_post", args=[world.reply.pk])
    response = client.post(url, {"action": "hide", "reason": REASON, "next": reverse("forum:moderation_queue")})
    assert response["Location"] == reverse("forum:moderation_queue")
    response = client.post(url, {"action": "unhide", "reason": "Back.", "next": "https://evil.example/"})
    assert response["Location"] == world.reply.get_absolute_url()
    response = client.post(url, {"action": "unhide", "reason": "Back again."})
    assert response.status_code == 400 and "not hidden" in response.content.decode()


def test_flag_view_form_and_submission(world, sign_in_as):
    client = sign_in_as(world.people["member"])
    url = reverse("forum:flag_post", args=[world.reply.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Contains confidential case data" in page.content.decode()
    typed = "Please look: the obligor's SSN is in the second paragraph."
    response = client.post(url, {"reason": "other", "details": ""})
    assert response.status_code == 400 and "Tell the moderators" in response.content.decode()
    response = client.post(url, {"reason": "case_data", "details": typed})
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert (flag.flagged_by, flag.reason, flag.details) == (world.people["member"], "case_data", typed)
    response = client.post(url, {"reason": "case_data", "details": typed})
    assert response.status_code == 400
    assert "already flagged" in response.content.decode() and escape(typed) in response.content.decode()
    assert sign_in_as(world.people["other_moderator"]).get(url).status_code == 404
    assert sign_in_as(world.replier).get(url).content.decode().count("You cannot flag it") == 1


def test_flagging_is_rate_limited(world, sign_in_as, settings, monkeypatch):
    import django_ratelimit.core

    settings.FORUM_RATE_LIMITS = {**settings.FORUM_RATE_LIMITS, "flag": "2/m"}
    # One fixed window, so the test never straddles the minute boundary.
    window = int(timezone.now().timestamp()) + 60
    monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda value, period: window)
    client = sign_in_as(world.people["member"])
    posts = [world.topic.posts.get(position=1), *world.replies]
    for post in posts[:2]:
        assert client.post(reverse("forum:flag_post", args=[post.pk]), {"reason": "spam"}).status_code == 302
    typed = "Third flag in a minute: this reply repeats a vendor's advertisement."
    response = client.post(reverse("forum:flag_post", args=[posts[2].pk]), {"reason": "other", "details": typed})
    assert response.status_code == 429
    body = response.content.decode()
    assert "flagged several posts in a short time" in body and escape(typed) in body
    assert Flag.objects.count() == 2
    # Another member has their own allowance.
    other = sign_in_as(world.author)
    assert other.post(reverse("forum:flag_post", args=[posts[2].pk]), {"reason": "spam"}).status_code == 302


def test_queue_lists_held_and_flagged_posts_of_moderated_categories(world, sign_in_as, django_assert_max_num_queries):
    held = held_reply(world)
    moderation.flag_post(world.people["member"], world.replies[1], Flag.Reason.INACCURATE, "UIFSA 2008 changed this.")
    away_topic = make_topic(member_of(world.away), world.away_category, title="An away question nobody at home sees")
    moderation.flag_post(member_of(world.away), away_topic.posts.get(), Flag.Reason.SPAM)

    assert sign_in_as(world.people["member"]).get(reverse("forum:moderation_queue")).status_code == 403
    client = sign_in_as(world.people["moderator"])
    unread_count(world.people["moderator"])  # the header's unread badge is cached across pages: warm it
    with django_assert_max_num_queries(14):
        response = client.get(reverse("forum:moderation_queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "My first post: we use the e-IWO portal." in body
    assert "UIFSA 2008 changed this." in body and "Inaccurate or outdated guidance" in body
    assert away_topic.title not in body
    assert 'value="approve"' in body and 'value="resolve"' in body
    assert f'href="{held.get_absolute_url()}"'.replace("&", "&amp;") in body

    superuser_page = sign_in_as(world.people["superuser"]).get(reverse("forum:moderation_queue")).content.decode()
    assert away_topic.title in superuser_page


def test_approving_and_dismissing_from_the_queue(world, sign_in_as):
    held = held_reply(world)
    flagged = world.replies[1]
    moderation.flag_post(world.people["member"], flagged, Flag.Reason.OFF_TOPIC)
    client = sign_in_as(world.people["moderator"])
    queue_url = reverse("forum:moderation_queue")
    client.post(reverse("forum:moderate_post", args=[held.pk]), {"action": "approve", "reason": "", "next": queue_url})
    response = client.post(reverse("forum:moderate_post", args=[flagged.pk]),
                           {"action": "resolve", "reason": "On topic: it answers the question.", "next": queue_url})
    assert response["Location"] == queue_url
    assert refreshed(held).status == Visibility.PUBLISHED
    assert Flag.objects.get().resolution == "On topic: it answers the question."
    assert "Nothing is waiting for a moderator." in client.get(queue_url).content.decode()


def test_audit_log_page_filters_and_paginates(world, sign_in_as):
    moderator = world.people["moderator"]
    for n in range(55):
        moderation.record_action(moderator, ModerationAction.Action.PIN, reason=f"Pin {n}", topic=world.topic)
    moderation.hide_post(moderator, world.reply, REASON)
    assert sign_in_as(world.people["member"]).get(reverse("forum:moderation_log")).status_code == 403
    client = sign_in_as(world.people["admin"])
    first_page = client.get(reverse("forum:moderation_log")).content.decode()
    assert first_page.index(escape(REASON)) < first_page.index("Pin 54") and "Pin 4<" not in first_page
    assert "Pin 4<" in client.get(reverse("forum:moderation_log") + "?page=2").content.decode()
    hidden_only = client.get(reverse("forum:moderation_log") + "?action=hide").content.decode()
    assert escape(REASON) in hidden_only and "Pin 1" not in hidden_only
    assert client.get(reverse("forum:moderation_log") + "?action=nonsense&page=abc").status_code == 200


def test_moderate_topic_views_lock_move_split(world, sign_in_as):
    client = sign_in_as(world.people["moderator"])
    url = reverse("forum:moderate_topic", args=[world.topic.pk])
    page = client.get(url + "?action=split")
    assert page.status_code == 200 and "Reply number 2" in page.content.decode()
    assert world.away_category.name not in page.content.decode()

    assert client.post(url, {"action": "lock", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "lock", "reason": "Settled."}).status_code == 302
    assert refreshed(world.topic).is_locked

    response = client.post(url, {"action": "move", "move-to_category": world.away_category.pk, "move-reason": "Theirs."})
    assert response.status_code == 400 and "Choose a category you moderate" in response.content.decode()
    response = client.post(url, {"action": "move", "move-to_category": world.second.pk, "move-reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"action": "move", "move-to_category": world.second.pk, "move-reason": "A procedure."})
    assert response.status_code == 302 and refreshed(world.topic).category == world.second

    typed_title = "x"
    response = client.post(url, {"action": "split", "split-posts": [world.replies[2].pk], "split-new_title": typed_title,
                                 "split-reason": "Tidy."})
    assert response.status_code == 400 and "at least 8 characters" in response.content.decode()
    response = client.post(url, {"action": "split", "split-posts": [world.replies[2].pk],
                                 "split-new_title": "Enforcing a Canadian order", "split-reason": "Tidy."})
    new_topic = Topic.objects.get(title="Enforcing a Canadian order")
    assert response["Location"] == new_topic.get_absolute_url()
    assert client.post(url, {"action": "teleport"}).status_code == 400


def test_suspend_view(world, sign_in_as):
    url = reverse("forum:suspend_user", args=[world.author.pk])
    assert sign_in_as(world.people["member"]).get(url).status_code == 403
    client = sign_in_as(world.people["moderator"])
    page = client.get(url + f"?association={world.home.pk}")
    assert page.status_code == 200 and "The interstate commons" in page.content.decode()
    assert world.away.name not in page.content.decode()
    typed = "Posted a child's name in two replies after a warning."
    response = client.post(url, {"association": world.home.pk, "until": "2001-01-01", "reason": typed})
    assert response.status_code == 400 and "after today" in response.content.decode() and escape(typed) in response.content.decode()
    response = client.post(url, {"association": world.away.pk, "until": "2999-01-01", "reason": typed})
    assert response.status_code == 400
    until = timezone.localdate() + datetime.timedelta(days=14)
    response = client.post(url, {"association": world.home.pk, "until": until.isoformat(), "reason": typed})
    assert response.status_code == 302
    suspension = PostingSuspension.objects.get()
    assert (suspension.association, timezone.localtime(suspension.until).date()) == (world.home, until)
    assert escape(typed) in client.get(url).content.decode()
    assert client.get(reverse("forum:suspend_user", args=[999999])).status_code == 404


# --- The topic page partials ------------------------------------------------------------------------------------


def render_partial(template, user, **context):
    request = RequestFactory().get(f"/forum/t/{context['topic'].pk}/")
    request.user = user
    return render_to_string(template, {**context, "user": user}, request=request)


def test_post_partial_shows_flag_to_members_and_controls_to_moderators(world):
    def html(user, post=world.reply):
        can = user.is_authenticated and moderation.can_moderate_category(user, world.category)
        return render_partial("forum/includes/post_moderation.html", user, post=post, topic=world.topic, can_moderate=can)

    member_html = html(world.people["member"])
    assert reverse("forum:flag_post", args=[world.reply.pk]) in member_html and "Moderate post" not in member_html
    assert reverse("forum:flag_post", args=[world.reply.pk]) not in html(world.replier)  # own post
    assert html(world.people["anonymous"]).strip() == ""
    moderator_html = html(world.people["moderator"])
    assert reverse("forum:moderate_post", args=[world.reply.pk]) in moderator_html
    assert 'value="hide"' in moderator_html and 'value="approve"' not in moderator_html
    assert reverse("forum:suspend_user", args=[world.replier.pk]) in moderator_html
    assert 'value="approve"' in html(world.people["moderator"], held_reply(world))


def test_topic_controls_only_for_moderators(world):
    def html(user, can_moderate):
        return render_partial("forum/includes/moderation_controls.html", user, topic=world.topic, can_moderate=can_moderate)

    assert html(world.people["member"], False).strip() == ""
    controls = html(world.people["moderator"], True)
    assert reverse("forum:moderate_topic", args=[world.topic.pk]) in controls
    assert 'value="lock"' in controls and 'value="pin"' in controls and "Split off replies" in controls
    moderation.lock_topic(world.people["moderator"], world.topic, "Done.")
    world.topic.refresh_from_db()
    assert 'value="unlock"' in html(world.people["moderator"], True)
