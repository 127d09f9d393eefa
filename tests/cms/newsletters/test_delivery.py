"""Publishing an issue emails it to the subscribers once, in batches, from a background task
(here on the immediate backend; test_delivery_worker.py runs the database backend's worker):
plain text and HTML with a per-recipient unsubscribe link and List-Unsubscribe header; a
retried or duplicated task, a crash mid-batch or a republish never sends anyone a second copy."""

import re
from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.newsletters import services, tasks
from cms.newsletters.models import DeliveryRecipient, NewsletterDelivery
from cms.newsletters.selectors import delivery_with_progress
from members.models import Membership
from members.services import lapse_membership
from tests.cms.newsletters.conftest import make_article, make_issue, subscribed_member
from tests.factories import member_of, staff_decider

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
UNSUBSCRIBE_LINK = re.compile(r"https?://[^\s\"<>]+/newsletters/unsubscribe/[^\s\"<>]+/")


@pytest.fixture
def batches(monkeypatch):
    """The size of every batch a worker claims."""
    sizes = []
    original = tasks.claim_batch

    def recording_claim(delivery_id, size):
        batch = original(delivery_id, size)
        sizes.append(len(batch))
        return batch

    monkeypatch.setattr(tasks, "claim_batch", recording_claim)
    return sizes


def publish(issue_or_index, django_capture_on_commit_callbacks, **issue_fields):
    with django_capture_on_commit_callbacks(execute=True):
        return make_issue(issue_or_index, **issue_fields)


def recipients_of(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_first_publish_emails_every_subscriber_once_in_batches(
    site, immediate_tasks, settings, mailoutbox, batches, heard, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_EMAIL_BATCH_SIZE = 2
    subscribers = [subscribed_member(site) for _ in range(5)]
    member_of(site.association)  # a member who did not subscribe
    issue = publish(site.index, django_capture_on_commit_callbacks, volume=12, number=3, quarter=4, year=2026, title="Fall 2026")

    assert recipients_of(mailoutbox) == sorted(user.email for user in subscribers)
    assert batches == [2, 2, 1, 0]
    delivery = delivery_with_progress(issue.pk)
    assert delivery.status == NewsletterDelivery.Status.FINISHED
    assert (delivery.recipient_count, delivery.sent_count, delivery.pending_count, delivery.failed_count) == (5, 5, 0, 0)
    assert delivery.started_at and delivery.finished_at
    assert heard == [{"page_id": issue.pk, "association_id": site.association.pk}]


def test_each_email_has_text_html_and_its_own_working_unsubscribe_link(
    site, immediate_tasks, mailoutbox, client, django_capture_on_commit_callbacks
):
    first, second = subscribed_member(site), subscribed_member(site)
    with django_capture_on_commit_callbacks(execute=True):
        issue = make_issue(site.index, publish=False, title="Fall 2026", editors_note='<p>See <a href="https://www.acf.hhs.gov/css">OCSS</a>.</p>')
        make_article(issue, title="e-IWO for employers in another state", slug="e-iwo")
        members_article = make_article(issue, title="Board minutes", slug="board-minutes", members_only_group=site.members_group)
        board_only = make_article(issue, title="Board's private notes", slug="board-private")
        PageViewRestriction.objects.create(page=board_only, restriction_type=PageViewRestriction.PASSWORD, password="x")
        issue.save_revision().publish()

    messages = {message.to[0]: message for message in mailoutbox}
    assert set(messages) == {first.email, second.email}
    message = messages[first.email]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.subject == f"{site.association.short_name} newsletter: Fall 2026 (Vol. 12, No. 3 · Fall 2026)"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for body in (message.body, html):
        assert "e-IWO for employers in another state" in body
        assert members_article.title in body  # subscribers are members: members-only articles are listed
        assert "private notes" not in body  # a password-protected article is not
        assert "http://" in body and issue.url in body
    assert "https://www.acf.hhs.gov/css" in html and "OCSS (https://www.acf.hhs.gov/css)" in message.body

    text_link = UNSUBSCRIBE_LINK.search(message.body).group(0)
    assert UNSUBSCRIBE_LINK.search(html).group(0) == text_link
    assert message.extra_headers["List-Unsubscribe"] == f"<{text_link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.reply_to == [site.association.contact_email]
    assert UNSUBSCRIBE_LINK.search(messages[second.email].body).group(0) != text_link  # per recipient

    path = text_link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 200
    assert not services.NewsletterSubscription.objects.get(user=first).is_active
    assert services.NewsletterSubscription.objects.get(user=second).is_active


def test_republishing_or_duplicated_tasks_send_nothing_twice(
    site, immediate_tasks, mailoutbox, heard, django_capture_on_commit_callbacks
):
    subscribers = [subscribed_member(site) for _ in range(3)]
    issue = publish(site.index, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3

    subscribed_member(site)  # someone subscribing later does not get this issue
    with django_capture_on_commit_callbacks(execute=True):
        issue.title = "Fall 2026 (corrected)"
        issue.save_revision().publish()  # an edit, published again
        issue.unpublish()
        issue.save_revision().publish()  # unpublished and published again
    tasks.send_newsletter_issue.enqueue(issue.delivery.pk)  # a duplicated task
    tasks.send_waiting_emails(issue.delivery.pk)  # a retried one

    assert recipients_of(mailoutbox) == sorted(user.email for user in subscribers)
    assert NewsletterDelivery.objects.count() == 1
    assert DeliveryRecipient.objects.count() == 3
    assert len(heard) == 1


def test_a_crash_mid_batch_never_resends_what_was_claimed(
    site, immediate_tasks, settings, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_EMAIL_BATCH_SIZE = 3
    subscribers = [subscribed_member(site) for _ in range(5)]
    real_send = EmailMultiAlternatives.send
    sent = []

    def dies_on_the_second_email(message, *args, **kwargs):
        if len(sent) == 1:
            raise SystemExit("worker killed")  # not an Exception: nothing in the task catches it
        sent.append(message.to[0])
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", dies_on_the_second_email)
    issue = publish(site.index, django_capture_on_commit_callbacks)
    progress = delivery_with_progress(issue.pk)
    assert (progress.sent_count, progress.sending_count, progress.pending_count) == (1, 2, 2)

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    tasks.send_newsletter_issue.enqueue(issue.delivery.pk)  # the retry
    progress = delivery_with_progress(issue.pk)
    # The two claimed-but-unconfirmed rows are not resent; the waiting two are.
    assert (progress.sent_count, progress.sending_count, progress.pending_count) == (3, 2, 0)
    assert len(mailoutbox) == 3 and len(set(recipients_of(mailoutbox))) == 3
    assert progress.status == NewsletterDelivery.Status.SENDING  # not finished while rows are unconfirmed

    # An editor chooses to resend the claimed rows (accepting a possible duplicate).
    admin = staff_decider()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_delivery(issue.delivery, by=admin, include_claimed=True) == 2
    progress = delivery_with_progress(issue.pk)
    assert (progress.sent_count, progress.sending_count) == (5, 0)
    assert progress.status == NewsletterDelivery.Status.FINISHED
    assert recipients_of(mailoutbox) == sorted(user.email for user in subscribers)


def test_failed_emails_are_recorded_and_a_retry_sends_only_those(
    site, immediate_tasks, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    good, bad = subscribed_member(site), subscribed_member(site)
    real_send = EmailMultiAlternatives.send

    def refuses_one_address(message, *args, **kwargs):
        if message.to == [bad.email]:
            raise OSError("550 mailbox unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuses_one_address)
    issue = publish(site.index, django_capture_on_commit_callbacks)
    progress = delivery_with_progress(issue.pk)
    assert (progress.sent_count, progress.failed_count, progress.status) == (1, 1, NewsletterDelivery.Status.FINISHED)
    assert DeliveryRecipient.objects.get(email=bad.email).error == "OSError: 550 mailbox unavailable"

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    with pytest.raises(services.PermissionDenied):
        services.retry_delivery(issue.delivery, by=good)  # a member cannot resend
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_delivery(issue.delivery, by=staff_decider()) == 1
    assert recipients_of(mailoutbox) == sorted([good.email, bad.email])
    assert delivery_with_progress(issue.pk).sent_count == 2


def test_people_who_unsubscribe_or_lapse_after_publication_are_skipped(
    site, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    stays, leaves, lapses = (subscribed_member(site) for _ in range(3))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issue = make_issue(site.index)  # the task is queued but has not run yet
    services.unsubscribe(leaves, site.association)
    lapse_membership(Membership.objects.get(user=lapses), by=staff_decider(), reason="Dues unpaid.")
    for callback in callbacks:
        callback()
    assert recipients_of(mailoutbox) == [stays.email]
    progress = delivery_with_progress(issue.pk)
    assert (progress.sent_count, progress.skipped_count) == (1, 2)


def test_a_lapsed_members_subscription_is_not_delivered(site, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks):
    lapsed = subscribed_member(site)
    lapse_membership(Membership.objects.get(user=lapsed), by=staff_decider(), reason="Dues unpaid.")
    issue = publish(site.index, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    delivery = NewsletterDelivery.objects.get(issue=issue)
    assert delivery.status == NewsletterDelivery.Status.NOT_EMAILED
    assert delivery.note == "Nobody was subscribed when the issue was published."


def test_an_issue_restricted_beyond_members_is_not_emailed(site, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks):
    from members.models import Role, RoleGroup

    subscribed_member(site)
    board = RoleGroup.objects.get(association=site.association, role=Role.BOARD).group
    issue = make_issue(site.index, publish=False)
    restriction = PageViewRestriction.objects.create(page=issue, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([board])
    with django_capture_on_commit_callbacks(execute=True):
        issue.save_revision().publish()
    assert mailoutbox == []
    assert NewsletterDelivery.objects.get(issue=issue).status == NewsletterDelivery.Status.NOT_EMAILED


def test_a_scheduled_issue_is_emailed_when_it_goes_live_not_when_scheduled(
    site, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber = subscribed_member(site)
    issue = make_issue(site.index, publish=False)
    issue.go_live_at = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        revision = issue.save_revision()
        revision.publish()  # scheduled: Wagtail still sends page_published, with the page not live
    assert not NewsletterDelivery.objects.exists() and mailoutbox == []

    issue.refresh_from_db()
    issue.go_live_at = timezone.now() - timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        issue.save_revision().publish()
    assert recipients_of(mailoutbox) == [subscriber.email]


def test_demo_issues_are_recorded_as_not_emailed_before_publication(site, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks):
    subscribed_member(site)
    with django_capture_on_commit_callbacks(execute=True):
        issue = make_issue(site.index, publish=False)
        services.record_issue_as_not_emailed(issue, "Demo content: not emailed.")
        issue.save_revision().publish()
    assert mailoutbox == []
    assert not DeliveryRecipient.objects.exists()
