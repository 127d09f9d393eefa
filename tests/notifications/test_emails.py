"""Notification emails: one at once per "immediate" notification, a daily digest of the
"digest" ones; plain text and HTML, absolute links, one-click unsubscribe per kind; never
twice for the same notification, even when the task runs twice at the same time; and never
about what the member can no longer see."""

import datetime as dt
import io
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum import moderation, services as forum_services
from notifications import emails, services, tasks
from notifications.models import Delivery, Kind, Notification
from notifications.selectors import preferences_for
from notifications.services import Target
from notifications.tasks import send_daily_digests, send_digests, send_immediate, send_immediate_emails
from tests.factories import UserFactory, member_of
from tests.notifications.test_centre import forum_world, reply

SITE = "https://comity.example"
smoke = pytest.mark.smoke


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def held_tasks(settings):
    """Tasks are recorded but not run, so a test decides when the email task runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def forum(capture):
    return forum_world(capture)


def to(user, outbox) -> list:
    return [message for message in outbox if message.to == [user.email]]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", text)


def mention(capture, forum, body="Asking @reader: which form do you use?"):
    """The replier mentions the reader (mentions are emailed at once by default)."""
    return reply(capture, forum.replier, forum.topic, body)


# --- Immediate ---------------------------------------------------------------------------------


@smoke
@pytest.mark.django_db
def test_an_immediate_email_has_text_and_html_absolute_links_and_unsubscribe(forum, capture, mailoutbox,
                                                                              immediate_tasks):
    post = mention(capture, forum)
    [notification] = Notification.objects.filter(recipient=forum.reader)
    assert notification.kind == Kind.MENTION
    [message] = to(forum.reader, mailoutbox)
    assert message.subject == notification.title == "Rosa Replier mentioned you in “Registering a Texas order for enforcement only”"
    target = SITE + post.get_absolute_url()
    html = html_of(message)
    assert target in links(message.body) and target in html
    assert "Asking @reader" in message.body

    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{SITE}/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body and unsubscribe in html
    assert emails.read_unsubscribe_token(unsubscribe.rstrip("/").rsplit("/", 1)[1]).kinds == (Kind.MENTION,)
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@smoke
@pytest.mark.django_db
def test_the_html_part_escapes_what_members_wrote(capture, mailoutbox, immediate_tasks):
    forum = forum_world(capture, title="Orders & <em>arrears</em> across lines")
    mention(capture, forum, "@reader <script>alert(1)</script> look")
    [message] = to(forum.reader, mailoutbox)
    html = html_of(message)
    assert "<em>arrears</em>" not in html and "&lt;em&gt;arrears&lt;/em&gt;" in html
    assert "<script>" not in html
    assert "Orders & <em>arrears</em>" in message.subject  # plain text is plain


@smoke
@pytest.mark.django_db
def test_running_the_immediate_task_again_sends_nothing_twice(forum, capture, mailoutbox, immediate_tasks):
    mention(capture, forum)
    [notification] = Notification.objects.filter(recipient=forum.reader)
    assert len(to(forum.reader, mailoutbox)) == 1
    send_immediate_emails.enqueue([notification.pk])
    send_immediate_emails.enqueue([notification.pk])
    assert send_immediate([notification.pk])["sent"] == 0
    assert len(to(forum.reader, mailoutbox)) == 1


@smoke
@pytest.mark.django_db
def test_the_immediate_task_checks_again_before_sending(forum, capture, mailoutbox, held_tasks):
    """Between notify() and the task: the post was hidden, the member read one, turned
    another kind's email off. None of those is emailed; the rest is."""
    member = forum.reader
    with capture(execute=True):
        forum_services.follow(member, "category", forum.category)
    services.set_preference(member, Kind.REPLY, Delivery.IMMEDIATE)
    services.set_preference(member, Kind.NEW_TOPIC, Delivery.IMMEDIATE)
    hidden = reply(capture, forum.replier, forum.topic, "This one will be hidden.")
    read = reply(capture, forum.replier, forum.topic, "This one is read on the site first.")
    kept = reply(capture, forum.replier, forum.topic, "This one is emailed.")
    with capture(execute=True):
        forum_services.create_topic(forum.replier, forum.category, kind="discussion",
                                    title="A new topic whose emails are turned off", body="Anyone?")
    rows = {row.post_id: row for row in Notification.objects.filter(recipient=member)}
    assert len(rows) == 4 and mailoutbox == []

    with capture(execute=True):
        moderation.hide_post(forum.moderator, hidden, "Contains a case number.")
    services.mark_read(member, [rows[read.pk].pk])
    services.set_preference(member, Kind.NEW_TOPIC, Delivery.IN_APP)
    done = send_immediate([row.pk for row in rows.values()])
    assert done == {"sent": 1, "failed": 0, "skipped": 3}
    [message] = to(member, mailoutbox)
    assert "This one is emailed." in message.body
    assert Notification.objects.filter(recipient=member, emailed_at__isnull=False).get().post_id == kept.pk


@smoke
@pytest.mark.django_db
def test_inactive_members_get_no_email(forum, capture, mailoutbox, held_tasks):
    mention(capture, forum)
    [notification] = Notification.objects.filter(recipient=forum.reader)
    forum.reader.is_active = False
    forum.reader.save(update_fields=["is_active"])
    assert send_immediate([notification.pk])["sent"] == 0
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_two_immediate_runs_at_the_same_moment_send_each_email_once(mailoutbox, monkeypatch, held_tasks):
    """Both runs read the same rows as waiting, then race to claim them (PostgreSQL, each
    thread on its own connection): every email goes out exactly once."""
    recipients = [UserFactory() for _ in range(30)]
    rows = services.notify(Kind.MENTION, [user.pk for user in recipients],
                           Target(title="Dana mentioned you", url="/members/"))
    assert len(rows) == 30
    both_read = threading.Barrier(2, timeout=10)
    real_claim = tasks.claim

    def claim_together(ids, field):
        both_read.wait()  # neither run claims until both have decided what to send
        return real_claim(ids, field)

    monkeypatch.setattr(tasks, "claim", claim_together)
    results, errors = [], []

    def run():
        from django.db import connection
        try:
            results.append(send_immediate([row.pk for row in rows]))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(result["sent"] for result in results) == 30
    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in recipients)


# --- Digest ------------------------------------------------------------------------------------


@smoke
@pytest.mark.django_db
def test_the_digest_groups_by_kind_and_is_sent_once(forum, capture, mailoutbox, immediate_tasks):
    with capture(execute=True):
        forum_services.follow(forum.reader, "category", forum.category)
    first = reply(capture, forum.replier, forum.topic, "First reply, in the digest.")
    second = reply(capture, forum.replier, forum.topic, "Second reply, in the digest.")
    with capture(execute=True):
        forum_services.create_topic(forum.replier, forum.category, kind="question",
                                    title="Do you accept e-signatures on affidavits?", body="Asking for Kansas.")
    assert to(forum.reader, mailoutbox) == []  # replies and new topics wait for the digest

    call_command("send_notification_digests", stdout=(out := io.StringIO()))
    # The reader's three, and the topic author's two replies.
    assert out.getvalue().strip() == "2 digests sent (5 notifications), 0 failed."
    [digest] = to(forum.reader, mailoutbox)
    assert digest.subject == "Your Comity digest: 3 new notifications"
    html = html_of(digest)
    for text in (digest.body, html):
        replies_at = text.index("Replies in topics you follow".upper() if text is digest.body else "Replies in topics you follow")
        topics_at = text.index("New topics in categories" if text is html else "NEW TOPICS IN CATEGORIES")
        assert replies_at < topics_at
        assert text.index("Second reply, in the digest.") < text.index("First reply, in the digest.")
        assert SITE + first.get_absolute_url() in text and SITE + second.get_absolute_url() in text
        assert "Do you accept e-signatures on affidavits?" in text
    per_kind = [url for url in links(digest.body) if "/notifications/unsubscribe/" in url]
    kinds = [emails.read_unsubscribe_token(url.rstrip("/").rsplit("/", 1)[1]).kinds for url in per_kind]
    assert kinds == [(Kind.REPLY,), (Kind.NEW_TOPIC,)]
    header = digest.extra_headers["List-Unsubscribe"].strip("<>")
    assert set(emails.read_unsubscribe_token(header.rstrip("/").rsplit("/", 1)[1]).kinds) == {Kind.REPLY, Kind.NEW_TOPIC}
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(recipient=forum.reader, digested_at__isnull=True).exists()

    sent = len(mailoutbox)
    assert send_digests() == {"sent": 0, "failed": 0, "notifications": 0}
    send_daily_digests.enqueue()
    assert len(mailoutbox) == sent

    # Tomorrow's digest carries only what is new.
    third = reply(capture, forum.replier, forum.topic, "Third reply, tomorrow's digest.")
    send_digests()
    [_, tomorrow] = to(forum.reader, mailoutbox)
    assert tomorrow.subject == "Your Comity digest: 1 new notification"
    assert SITE + third.get_absolute_url() in tomorrow.body
    assert "First reply" not in tomorrow.body


@smoke
@pytest.mark.django_db
def test_the_digest_leaves_out_what_is_hidden_moved_read_or_old(forum, capture, mailoutbox, immediate_tasks):
    hidden = reply(capture, forum.replier, forum.topic, "Hidden before the digest.")
    read = reply(capture, forum.replier, forum.topic, "Read on the site before the digest.")
    reply(capture, forum.replier, forum.topic, "Still in the digest.")
    with capture(execute=True):
        moderation.hide_post(forum.moderator, hidden, "Contains a case number.")
    services.mark_read(forum.reader, Notification.objects.filter(recipient=forum.reader, post=read).values_list("pk", flat=True))

    # Eight days on, nothing is recent enough.
    assert send_digests(now=timezone.now() + dt.timedelta(days=8))["sent"] == 0
    send_digests()
    [digest] = to(forum.reader, mailoutbox)
    assert "Still in the digest." in digest.body
    assert "Hidden before" not in digest.body and "Read on the site" not in digest.body
    # The hidden one is not claimed: if a moderator restores the post, tomorrow's digest has it.
    assert Notification.objects.get(recipient=forum.reader, post=hidden).digested_at is None


@smoke
@pytest.mark.django_db
def test_a_topic_moved_out_of_sight_is_not_in_the_digest(forum, capture, mailoutbox, immediate_tasks):
    reply(capture, forum.replier, forum.topic, "About to move away.")
    with capture(execute=True):
        moderation.move_topic(UserFactory(is_superuser=True, is_staff=True), forum.topic, forum.away_category,
                              "Belongs to AWAY.")
    send_digests()
    assert to(forum.reader, mailoutbox) == []


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_the_same_moment_send_each_digest_once(mailoutbox, monkeypatch, held_tasks):
    recipients = [UserFactory() for _ in range(6)]
    for user in recipients:
        services.set_preference(user, Kind.MEMBERSHIP, Delivery.DIGEST)
    for n in range(3):
        services.notify(Kind.MEMBERSHIP, [user.pk for user in recipients],
                        Target(title=f"Membership notice {n}", url="/members/"), dedupe_key=f"notice:{n}")
    both_read = threading.Barrier(2, timeout=10)
    real_claim = tasks.claim
    first_claims = set()

    def claim_together(ids, field):
        ids = list(ids)
        if threading.get_ident() not in first_claims:
            first_claims.add(threading.get_ident())
            both_read.wait()
        return real_claim(ids, field)

    monkeypatch.setattr(tasks, "claim", claim_together)
    results = []

    def run():
        from django.db import connection
        try:
            results.append(send_digests())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(result["sent"] for result in results) == 6
    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in recipients)
    assert all(message.subject == "Your Comity digest: 3 new notifications" for message in mailoutbox)


# --- Unsubscribe -------------------------------------------------------------------------------


def unsubscribe_path(user, *kinds) -> str:
    return reverse("notifications:unsubscribe", args=[emails.unsubscribe_token(user.pk, kinds)])


@smoke
@pytest.mark.django_db
def test_get_shows_what_the_link_does_and_changes_nothing(client):
    user = UserFactory(email="rita.reader@agency.example")
    response = client.get(unsubscribe_path(user, Kind.MENTION))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop these notification emails?" in html
    assert "r…@agency.example" in html and "rita.reader" not in html
    assert "Mentions of you" in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.head(unsubscribe_path(user, Kind.MENTION)).status_code == 200
    assert preferences_for(user)["mention"] == Delivery.IMMEDIATE


@smoke
@pytest.mark.django_db
def test_one_click_post_stops_that_kinds_emails_only():
    user = UserFactory()
    services.set_preference(user, Kind.REPLY, Delivery.DIGEST)
    mail_client = Client(enforce_csrf_checks=True)  # a mail client's one-click POST has no CSRF token
    response = mail_client.post(unsubscribe_path(user, Kind.MENTION), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Emails stopped" in response.content.decode()
    preferences = preferences_for(user)
    assert preferences["mention"] == Delivery.IN_APP  # still on the site
    assert preferences["reply"] == Delivery.DIGEST
    assert preferences["answer_accepted"] == Delivery.IMMEDIATE


@smoke
@pytest.mark.django_db
def test_the_digest_link_stops_each_kind_it_names_and_never_turns_off_into_on(client):
    user = UserFactory()
    services.set_preference(user, Kind.LEGISLATION, Delivery.OFF)
    client.post(unsubscribe_path(user, Kind.REPLY, Kind.NEW_TOPIC, Kind.LEGISLATION))
    preferences = preferences_for(user)
    assert (preferences["reply"], preferences["new_topic"], preferences["legislation"]) == ("in_app", "in_app", "off")
    again = client.get(unsubscribe_path(user, Kind.REPLY))
    assert "These emails are already stopped" in again.content.decode()


@smoke
@pytest.mark.django_db
@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
    lambda token: token.replace(token.split(":")[0], str(int(token.split(".")[0]) + 1) + "." + token.split(":")[0].split(".", 1)[1]),  # another user
    lambda token: token.split(":")[0],  # signature cut off
    lambda token: "not-a-token",
])
def test_a_tampered_link_is_refused_and_changes_nothing(client, tamper):
    user, neighbour = UserFactory(), UserFactory()
    token = emails.unsubscribe_token(user.pk, [Kind.MENTION])
    bad = tamper(token)
    assert bad != token
    path = reverse("notifications:unsubscribe", args=[bad])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert preferences_for(user)["mention"] == Delivery.IMMEDIATE
    assert preferences_for(neighbour)["mention"] == Delivery.IMMEDIATE


@smoke
@pytest.mark.django_db
def test_a_link_for_a_deleted_account_is_refused(client):
    user = UserFactory()
    path = unsubscribe_path(user, Kind.MENTION)
    user.delete()
    assert client.post(path).status_code == 400


# --- Scheduled jobs ----------------------------------------------------------------------------


@smoke
@pytest.mark.django_db
def test_send_event_reminders_reminds_registered_members_once(capture, mailoutbox, immediate_tasks):
    from cms.events import services as event_services
    from tests.cms.events.factories import association_site, make_event

    association, index = association_site(short_name="MCSEA", slug="mo")
    member = member_of(association)
    starts = (timezone.now() + dt.timedelta(hours=12)).astimezone(ZoneInfo("America/Chicago"))
    event = make_event(index, title="Spring interstate workshop", day=starts.date(),
                       start_time=dt.time(starts.hour, 0), end_time=dt.time(23, 59))
    with capture(execute=True):
        event_services.register_member(member, event)
    mailoutbox.clear()  # the registration confirmation

    with capture(execute=True):
        call_command("send_event_reminders", stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "1 event reminder sent."
    [notification] = Notification.objects.filter(recipient=member, kind=Kind.EVENT_REMINDER)
    assert notification.title.startswith("Reminder: Spring interstate workshop starts ")
    [message] = to(member, mailoutbox)  # event reminders are emailed at once by default
    assert message.subject == notification.title

    with capture(execute=True):
        call_command("send_event_reminders", stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "0 event reminders sent."
    assert len(to(member, mailoutbox)) == 1
