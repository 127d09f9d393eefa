"""seed_demo's newsletters: two issues per association with their articles and subscribers,
idempotent, and never a queued or sent email (even on the database task backend)."""

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from cms.newsletters.demo import seed_newsletters
from cms.newsletters.models import (
    DeliveryRecipient,
    NewsletterArticlePage,
    NewsletterDelivery,
    NewsletterIndexPage,
    NewsletterIssuePage,
    NewsletterSubscription,
)
from cms.newsletters.selectors import latest_issue_for
from members.models import Association

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_demo_newsletters_are_complete_idempotent_and_never_emailed(database_tasks, mailoutbox, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
        seed_newsletters()  # again: creates nothing more

    for association in Association.objects.all():
        home = association.home_page
        assert NewsletterIndexPage.objects.child_of(home).live().count() == 1
        issues = NewsletterIssuePage.objects.descendant_of(home).live()
        assert sorted(issues.values_list("year", "quarter")) == [(2026, 3), (2026, 4)]
        assert NewsletterIssuePage.objects.descendant_of(home).count() == 2
        for issue in issues:
            assert 2 <= NewsletterArticlePage.objects.child_of(issue).live().count() <= 3
        assert latest_issue_for(home).quarter == 4
        assert NewsletterSubscription.objects.filter(association=association, is_active=True).count() == 2
        assert NewsletterArticlePage.objects.descendant_of(home).not_public().count() == 1  # one members-only article
        assert client.get(latest_issue_for(home).url).status_code == 200

    assert set(NewsletterDelivery.objects.values_list("status", flat=True)) == {NewsletterDelivery.Status.NOT_EMAILED}
    assert not DeliveryRecipient.objects.exists()
    assert not DBTaskResult.objects.filter(task_path="cms.newsletters.tasks.send_newsletter_issue").exists()
    assert not [message for message in mailoutbox if "newsletter" in message.subject]
