"""In Chromium: an association admin creates and publishes a newsletter issue in the Wagtail
admin (a duplicate number is refused with the form kept), the worker emails it to the
subscribed member, who reads it on the site and unsubscribes from the email's link; axe
checks every public newsletter page on the way."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from cms.newsletters import services
from cms.newsletters.models import NewsletterDelivery, NewsletterIssuePage, NewsletterSubscription
from members.models import Role
from tests.cms.newsletters.conftest import make_article, newsletter_site
from tests.factories import member_of
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


def fill_issue_form(page, *, title: str, volume: str, number: str, note: str) -> None:
    page.locator("#id_title").fill(title)
    page.locator("#id_volume").fill(volume)
    page.locator("#id_number").fill(number)
    page.locator("#id_quarter").select_option(label="Fall (October–December)")
    page.locator("#id_year").fill("2026")
    editor = page.locator(".Draftail-Editor [contenteditable='true']").first
    editor.click()
    editor.type(note)
    # Draftail writes the hidden field shortly after typing stops.
    page.wait_for_function(
        "text => document.querySelector('#id_editors_note').value.includes(text)", arg=note.split()[-1]
    )


def publish(page) -> None:
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_load_state()


def test_admin_publishes_an_issue_in_wagtail_and_a_subscribed_member_reads_it(live_url, chromium):
    site = newsletter_site(name="Western Test Council", short_name="WTC", slug="western-test")
    admin = member_of(site.association, Role.ADMIN)
    reader = member_of(site.association)
    services.subscribe(reader, site.association)
    mail.outbox.clear()  # the membership emails

    editor_page = chromium.new_context().new_page()
    editor_page.set_default_timeout(15_000)
    sign_in_with_session(editor_page, live_url, admin)
    editor_page.goto(f"{live_url}/admin/pages/{site.index.pk}/")
    editor_page.get_by_role("link", name="Add child page").first.click()
    editor_page.wait_for_url(re.compile(r".*/admin/pages/add/newsletters/newsletterissuepage/\d+/"))
    fill_issue_form(editor_page, title="Fall 2026: Interstate practice", volume="12", number="3",
                    note="This issue looks at UIFSA registration and e-IWO across state lines.")
    publish(editor_page)
    editor_page.wait_for_url(f"{live_url}/admin/pages/{site.index.pk}/")
    assert "Fall 2026: Interstate practice" in editor_page.locator("main").inner_text()
    issue = NewsletterIssuePage.objects.get(title="Fall 2026: Interstate practice")
    assert issue.live and issue.summary_line == "Vol. 12, No. 3 · Fall 2026"

    # The same volume and number again: a clear error on the field, and nothing typed is lost.
    editor_page.goto(f"{live_url}/admin/pages/add/newsletters/newsletterissuepage/{site.index.pk}/")
    fill_issue_form(editor_page, title="Fall 2026 again", volume="12", number="3", note="A second try.")
    publish(editor_page)
    assert "already exists in this newsletter" in editor_page.locator("main").inner_text()
    assert editor_page.locator("#id_title").input_value() == "Fall 2026 again"
    assert NewsletterIssuePage.objects.count() == 1

    # The background worker emails the subscriber; the admin sees the delivery's progress.
    assert NewsletterDelivery.objects.get(issue=issue).recipient_count == 1
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [[reader.email]]
    editor_page.goto(f"{live_url}/admin/newsletters/deliveries/")
    assert "Fall 2026: Interstate practice" in editor_page.locator("main").inner_text()
    assert "Finished" in editor_page.locator("main").inner_text()
    editor_page.context.close()

    article = make_article(issue, title="Registering an order for enforcement", slug="registering", tags=["uifsa"])

    member_page = chromium.new_context().new_page()
    sign_in_with_session(member_page, live_url, reader)
    member_page.goto(live_url + site.index.url)
    assert member_page.locator("h1").inner_text() == "Newsletter"
    assert_accessible(member_page, "on the newsletter index ")
    member_page.get_by_role("link", name="Fall 2026: Interstate practice").click()
    member_page.wait_for_url(live_url + issue.url)
    assert "UIFSA registration and e-IWO" in member_page.locator("main").inner_text()
    assert member_page.get_by_role("button", name="Stop emails").is_visible()
    assert_accessible(member_page, "on the issue page ")
    member_page.get_by_role("link", name="Registering an order for enforcement").click()
    member_page.wait_for_url(live_url + article.url)
    assert_accessible(member_page, "on the article page ")
    member_page.goto(f"{live_url}{site.index.url}2026/")
    assert_accessible(member_page, "on the year archive ")
    member_page.context.close()

    # The email's unsubscribe link works without signing in, after one button press.
    link = re.search(r"https?://\S+/newsletters/unsubscribe/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    anonymous = chromium.new_context().new_page()
    anonymous.goto(live_url + path)
    assert "Unsubscribe from the WTC newsletter?" in anonymous.locator("h1").inner_text()
    assert_accessible(anonymous, "on the unsubscribe confirmation ")
    assert NewsletterSubscription.objects.get(user=reader).is_active
    anonymous.get_by_role("button", name="Unsubscribe").click()
    anonymous.wait_for_load_state()
    assert anonymous.locator("h1").inner_text() == "You are unsubscribed"
    assert_accessible(anonymous, "after unsubscribing ")
    assert not NewsletterSubscription.objects.get(user=reader).is_active
    anonymous.goto(f"{live_url}/newsletters/")
    assert_accessible(anonymous, "on the list of newsletters ")
    anonymous.context.close()
