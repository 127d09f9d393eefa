"""The production path: publishing an issue queues a django-tasks-db task in the database and
`manage.py db_worker --batch` sends it. Transactional, because the worker commits as it goes."""

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from cms.newsletters.models import DeliveryRecipient, NewsletterDelivery
from cms.newsletters.tasks import send_newsletter_issue
from tests.cms.newsletters.conftest import make_issue, newsletter_site, subscribed_member

pytestmark = pytest.mark.django_db(transaction=True)
TASK_PATH = "cms.newsletters.tasks.send_newsletter_issue"


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO())


def queued_sends() -> int:
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count()


def test_db_worker_sends_the_issue_in_batches_once(database_tasks, settings, mailoutbox):
    settings.NEWSLETTER_EMAIL_BATCH_SIZE = 2
    site = newsletter_site()
    subscribers = [subscribed_member(site) for _ in range(3)]
    mailoutbox.clear()  # the membership emails sent while making the members

    issue = make_issue(site.index, title="Fall 2026")  # committed: the task now waits in the database
    assert mailoutbox == []
    assert queued_sends() == 1
    assert NewsletterDelivery.objects.get(issue=issue).status == NewsletterDelivery.Status.QUEUED

    run_worker()
    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in subscribers)
    assert all("/newsletters/unsubscribe/" in message.extra_headers["List-Unsubscribe"] for message in mailoutbox)
    assert DBTaskResult.objects.get(task_path=TASK_PATH).status == "SUCCESSFUL"
    assert NewsletterDelivery.objects.get(issue=issue).status == NewsletterDelivery.Status.FINISHED
    assert set(DeliveryRecipient.objects.values_list("status", flat=True)) == {DeliveryRecipient.Status.SENT}

    # A duplicated task, and a republished edit, send nothing more.
    send_newsletter_issue.enqueue(issue.delivery.pk)
    issue.title = "Fall 2026 (corrected)"
    issue.save_revision().publish()
    assert queued_sends() == 1  # only the duplicate: publishing again queued nothing
    run_worker()
    assert len(mailoutbox) == 3
    assert queued_sends() == 0
