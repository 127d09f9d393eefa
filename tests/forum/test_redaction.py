"""Moderators redact a span of a post (forum.moderation.redact_post): gone from the body, the
rendered HTML, the edit history, search and notifications; kept only in the Redaction record
until the retention time is over and the scheduled purge blanks it. The author is told and
the audit log records the action without the text."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import GuardFinding, ModerationAction, PostRevision, Redaction, Visibility
from forum.moderation import (
    REDACT_ACTION,
    ModerationError,
    purge_expired_redactions,
    purge_redactions_task,
    redact_post,
)
from members.models import Role
from notifications.models import Kind, Notification
from search.models import IndexOutboxEntry
from search.sources import documents_for
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import make_reply, make_topic
from tests.pages import soup

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

SSN = "212-34-5678"
BODY = f"We garnished wages.\n\nThe obligor's SSN: {SSN} was on the order. Call the obligor at 573-555-0142 today."
TITLE = "Income withholding after a UIFSA registration"


@pytest.fixture
def author(association):
    return member_of(association, user=UserFactory(display_name="Priya Natarajan"))


@pytest.fixture
def topic(author, category):
    return make_topic(author, category, title=TITLE, body="Which tribunal registers orders for enforcement?")


@pytest.fixture
def post(author, topic):
    """A reply with an SSN (held by the guard), edited once, so its history holds it too."""
    reply = make_reply(author, topic, body="We garnished wages.\n\nThe obligor's SSN: 212-34-5678 was on the order.")
    services.edit_post(author, reply, body=BODY, confirmed_reason="The phone number is the court's public line.")
    reply.refresh_from_db()
    return reply


def ssn_span(post):
    start = post.body.index(SSN)
    return start, start + len(SSN)


# --- The service ------------------------------------------------------------------------------------


def test_the_span_leaves_the_body_its_html_and_its_history(post, moderator, settings):
    settings.FORUM_REDACTION_RETENTION_DAYS = 30
    assert post.status == Visibility.HELD and PostRevision.objects.filter(post=post, body__contains=SSN).exists()
    before = timezone.now()
    redaction = redact_post(moderator, post, *ssn_span(post), "An obligor's real SSN.")
    post.refresh_from_db()
    assert SSN not in post.body and "SSN: [redacted] was on the order" in post.body
    assert SSN not in post.body_html and "[redacted]" in post.body_html
    assert not PostRevision.objects.filter(post=post, body__contains=SSN).exists()
    assert PostRevision.objects.filter(post=post, body__contains="[redacted]").exists()
    # Kept only in the Redaction record, until the retention time is over.
    assert redaction.original_text == SSN and redaction.moderator == moderator
    assert before + timedelta(days=30) <= redaction.purge_after <= timezone.now() + timedelta(days=30)
    assert redaction.reason == "An obligor's real SSN."


def test_matching_findings_are_marked_redacted_and_later_ones_move(post, moderator):
    # Held when posted, and again when edited: both rows point at the SSN.
    assert GuardFinding.objects.filter(post=post, kind="ssn", outcome=GuardFinding.Outcome.HELD).count() == 2
    phone_row = GuardFinding.objects.get(post=post, kind="phone_number")
    phone_text = post.body[phone_row.start:phone_row.end]
    redact_post(moderator, post, *ssn_span(post), "Real SSN.")
    post.refresh_from_db()
    phone_row.refresh_from_db()
    assert set(GuardFinding.objects.filter(post=post, kind="ssn").values_list("outcome", "decided_by")) == {
        (GuardFinding.Outcome.REDACTED, moderator.pk)
    }
    assert post.body[phone_row.start:phone_row.end] == phone_text  # still points at the same text


def test_a_finding_never_recorded_is_recorded_as_redacted(post, moderator):
    GuardFinding.objects.all().delete()  # e.g. a post written before the guard existed
    redact_post(moderator, post, *ssn_span(post), "Real SSN.")
    (row,) = GuardFinding.objects.all()
    assert row.kind == "ssn" and row.outcome == GuardFinding.Outcome.REDACTED


def test_the_audit_log_records_it_without_the_text(post, moderator):
    redaction = redact_post(moderator, post, *ssn_span(post), "Real SSN.")
    action = ModerationAction.objects.get(action=REDACT_ACTION)
    assert (action.actor, action.post, action.subject_user) == (moderator, post, post.author)
    assert action.details["redaction_id"] == redaction.pk
    assert SSN not in str(action.details) and SSN not in action.reason


def test_the_author_is_told_and_notifications_lose_the_text(post, moderator, author, django_capture_on_commit_callbacks):
    follower = member_of(post.topic.category.association)
    Notification.objects.create(recipient=follower, kind=Kind.REPLY, title="A reply", url="/", summary=post.body[:200],
                                post=post, topic=post.topic)
    with django_capture_on_commit_callbacks(execute=True):
        redact_post(moderator, post, *ssn_span(post), "An obligor's real SSN.")
    notice = Notification.objects.get(recipient=author, kind=Kind.MODERATION)
    assert "redacted part of your post" in notice.title and notice.summary == "Reason: An obligor's real SSN."
    assert notice.actor == moderator
    assert not Notification.objects.filter(summary__contains=SSN).exists()


def test_search_reindexes_the_post_without_the_text(topic, author, moderator):
    phone = "573-555-0142"
    published = make_reply(author, topic, body=f"Call the obligor at {phone} before the hearing.",
                           confirmed_reason="A made-up number.")
    assert published.status == Visibility.PUBLISHED
    assert phone in str(documents_for([f"post:{published.pk}"]))
    IndexOutboxEntry.objects.all().delete()
    start = published.body.index(phone)
    redact_post(moderator, published, start, start + len(phone), "It was the obligor's real number.")
    assert IndexOutboxEntry.objects.filter(document_id=f"post:{published.pk}").exists()
    document = documents_for([f"post:{published.pk}"])[f"post:{published.pk}"]
    assert phone not in str(document) and "[redacted]" in str(document)
    assert GuardFinding.objects.get(post=published).outcome == GuardFinding.Outcome.REDACTED


@pytest.mark.parametrize("who", ["author", "member", "other_moderator"])
def test_only_the_categorys_moderators_may_redact(post, who):
    people = {
        "author": post.author,
        "member": member_of(post.topic.category.association),
        "other_moderator": member_of(association_with_groups(), Role.MODERATOR),
    }
    with pytest.raises(PermissionDenied):
        redact_post(people[who], post, *ssn_span(post), "Real SSN.")
    post.refresh_from_db()
    assert SSN in post.body and not Redaction.objects.exists()


@pytest.mark.parametrize("span,reason", [((5, 5), "Real."), ((0, 10_000), "Real."), ((-1, 3), "Real."), ((0, 3), " ")])
def test_bad_spans_and_missing_reasons_are_refused(post, moderator, span, reason):
    with pytest.raises(ModerationError):
        redact_post(moderator, post, *span, reason)
    assert not Redaction.objects.exists()


# --- The purge -------------------------------------------------------------------------------------------


def test_purge_blanks_expired_originals_only(post, moderator):
    old = redact_post(moderator, post, *ssn_span(post), "Real SSN.")
    post.refresh_from_db()
    start = post.body.index("573-555-0142")
    recent = redact_post(moderator, post, start, start + len("573-555-0142"), "A private phone number.")
    Redaction.objects.filter(pk=old.pk).update(purge_after=timezone.now() - timedelta(minutes=1))
    assert purge_expired_redactions() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.original_text == "" and old.purged_at is not None
    assert recent.original_text == "573-555-0142" and recent.purged_at is None
    assert purge_expired_redactions(now=timezone.now() + timedelta(days=91)) == 1
    recent.refresh_from_db()
    assert recent.original_text == ""
    assert not Redaction.objects.filter(original_text__contains=SSN).exists()


def test_the_command_and_the_task_purge(post, moderator, capsys):
    redaction = redact_post(moderator, post, *ssn_span(post), "Real SSN.")
    Redaction.objects.filter(pk=redaction.pk).update(purge_after=timezone.now() - timedelta(days=1))
    call_command("purge_redactions")
    assert "Purged the original text of 1 redaction." in capsys.readouterr().out
    redaction.refresh_from_db()
    assert redaction.original_text == "" and redaction.purged_at is not None
    assert purge_redactions_task.call() == 0


# --- The moderators' page ----------------------------------------------------------------------------------


def test_redact_page_lists_findings_with_redact_buttons(client, post, moderator):
    client.force_login(moderator)
    response = client.get(reverse("forum:redact_post", args=[post.pk]))
    assert response.status_code == 200
    page = soup(response)
    buttons = page.select("button[name=span]")
    assert {button["value"] for button in buttons} >= {"{}:{}".format(*ssn_span(post))}
    assert page.find("table").find("caption") is not None
    version = page.find("input", attrs={"name": "version"})["value"]
    response = client.post(reverse("forum:redact_post", args=[post.pk]), {
        "span": "{}:{}".format(*ssn_span(post)), "reason": "Real SSN.", "version": version,
    })
    assert response.status_code == 302
    post.refresh_from_db()
    assert SSN not in post.body
    page = soup(client.get(reverse("forum:redact_post", args=[post.pk])))
    assert "original kept until" in page.text and SSN not in page.text  # the original is never shown


def test_typed_text_that_appears_twice_asks_which(client, post, moderator):
    services.edit_post(post.author, post, body=post.body + "\n\nAgain: 212-34-5678.", confirmed_reason=None)
    post.refresh_from_db()
    client.force_login(moderator)
    url = reverse("forum:redact_post", args=[post.pk])
    version = soup(client.get(url)).find("input", attrs={"name": "version"})["value"]
    response = client.post(url, {"text": SSN, "reason": "Real SSN.", "version": version})
    assert response.status_code == 200 and not Redaction.objects.exists()
    page = soup(response)
    assert [button["value"] for button in page.select("button[name=occurrence]")] == ["1", "2"]
    response = client.post(url, {"text": SSN, "reason": "Real SSN.", "version": version, "occurrence": "2"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body.count(SSN) == 1 and post.body.endswith("Again: [redacted].")


def test_typed_text_must_be_in_the_post_and_the_page_current(client, post, moderator):
    client.force_login(moderator)
    url = reverse("forum:redact_post", args=[post.pk])
    version = soup(client.get(url)).find("input", attrs={"name": "version"})["value"]
    response = client.post(url, {"text": "999-99-9999", "reason": "Real.", "version": version})
    assert response.status_code == 400 and "not in the post" in response.content.decode()
    response = client.post(url, {"span": "{}:{}".format(*ssn_span(post)), "reason": "Real.", "version": "stale"})
    assert response.status_code == 400 and "changed since" in response.content.decode()
    assert not Redaction.objects.exists()


def test_redact_page_permissions(client, post):
    url = reverse("forum:redact_post", args=[post.pk])
    client.force_login(post.author)
    assert client.get(url).status_code == 403
    client.force_login(member_of(association_with_groups(), Role.MODERATOR))
    assert client.get(url).status_code == 404  # cannot even see the members-only category
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
