"""The Wagtail admin: an association admin creates an issue where Wagtail lets them, sees the
delivery's progress on the issue's edit view and in the deliveries report, and may resend
failed emails; another association's editors see nothing of it."""

import pytest
from django.urls import reverse

from cms.newsletters.models import DeliveryRecipient, NewsletterIssuePage
from members.models import Role
from tests.cms.newsletters.conftest import make_issue, newsletter_site, subscribed_member
from tests.factories import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def delivered_issue(site, immediate_tasks, django_capture_on_commit_callbacks):
    for _ in range(3):
        subscribed_member(site)
    with django_capture_on_commit_callbacks(execute=True):
        issue = make_issue(site.index, title="Fall 2026")
    return issue


def test_the_edit_view_shows_delivery_progress(client, site, delivered_issue):
    client.force_login(member_of(site.association, Role.ADMIN))
    html = client.get(reverse("wagtailadmin_pages:edit", args=[delivered_issue.pk])).content.decode()
    assert "Email delivery" in html
    assert "<td>3</td>" in html  # recipients and sent
    assert reverse("newsletter_deliveries:detail", args=[delivered_issue.delivery.pk]) in html


def test_an_unpublished_issue_explains_what_publishing_will_do(client, site):
    issue = make_issue(site.index, publish=False)
    client.force_login(member_of(site.association, Role.EDITOR))
    html = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk])).content.decode()
    assert "When this issue is published for the first time" in html


def test_deliveries_report_and_detail_are_scoped_to_the_associations_one_edits(client, site, delivered_issue):
    editor = member_of(site.association, Role.EDITOR)
    client.force_login(editor)
    report = client.get(reverse("newsletter_deliveries:index"))
    assert report.status_code == 200
    assert "Fall 2026" in report.content.decode()
    assert "Newsletter deliveries" in client.get(reverse("wagtailadmin_home")).content.decode()
    detail = client.get(reverse("newsletter_deliveries:detail", args=[delivered_issue.delivery.pk]))
    assert detail.status_code == 200 and "Finished" in detail.content.decode()

    other = newsletter_site()
    other_editor = member_of(other.association, Role.EDITOR)
    client.force_login(other_editor)
    assert "Fall 2026" not in client.get(reverse("newsletter_deliveries:index")).content.decode()
    assert client.get(reverse("newsletter_deliveries:detail", args=[delivered_issue.delivery.pk])).status_code == 404

    client.force_login(member_of(site.association))  # a plain member has no admin access
    assert client.get(reverse("newsletter_deliveries:index")).status_code == 302


def test_an_admin_resends_failed_emails_from_the_detail_page(client, site, delivered_issue, mailoutbox, django_capture_on_commit_callbacks):
    delivery = delivered_issue.delivery
    failed = delivery.recipients.first()
    DeliveryRecipient.objects.filter(pk=failed.pk).update(status=DeliveryRecipient.Status.FAILED, error="SMTPRecipientsRefused")
    mailoutbox.clear()
    url = reverse("newsletter_deliveries:detail", args=[delivery.pk])

    client.force_login(member_of(site.association, Role.EDITOR))  # editors may not publish, so may not resend
    assert "Send again" not in client.get(url).content.decode()
    client.post(url)
    assert DeliveryRecipient.objects.get(pk=failed.pk).status == DeliveryRecipient.Status.FAILED

    client.force_login(member_of(site.association, Role.ADMIN))
    page = client.get(url).content.decode()
    assert "SMTPRecipientsRefused" in page and "Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "1 email queued again." in response.content.decode()
    assert [message.to for message in mailoutbox] == [[failed.email]]
    assert DeliveryRecipient.objects.get(pk=failed.pk).status == DeliveryRecipient.Status.SENT


def test_an_association_admin_may_add_an_issue_only_under_their_own_newsletter(client, site):
    admin = member_of(site.association, Role.ADMIN)
    other = newsletter_site()
    client.force_login(admin)
    add_url = reverse("wagtailadmin_pages:add", args=["newsletters", "newsletterissuepage", site.index.pk])
    assert client.get(add_url).status_code == 200
    other_url = reverse("wagtailadmin_pages:add", args=["newsletters", "newsletterissuepage", other.index.pk])
    assert client.get(other_url).status_code in (302, 403)
    assert not NewsletterIssuePage.objects.exists()
