"""The association's guard setting (warn / hold for review) and the monthly report of
findings for its admins: counts by month, kind and outcome, no content, no links to posts."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from forum import guard
from forum.models import GuardFinding, Visibility
from members.models import Association, Role
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.pages import soup

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

SSN_TEXT = "The obligor's SSN: 212-34-5678 is on the order."
PHONE_TEXT = "Call the obligor at 573-555-0142 before the hearing."
TITLE = "Income withholding after a UIFSA registration"


@pytest.fixture
def association():
    return association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")


@pytest.fixture
def category(association):
    return CategoryFactory(association=association)


@pytest.fixture
def admin(association):
    return member_of(association, Role.ADMIN, user=UserFactory(display_name="Dana Whitaker"))


@pytest.fixture
def member(association):
    return member_of(association)


def report_url(association):
    return reverse("forum:guard_report", args=[association.slug])


def settings_url(association):
    return reverse("forum:guard_settings", args=[association.slug])


@pytest.fixture
def findings(association, category, member):
    """This month: an SSN held and a phone number confirmed; a case number three months ago;
    one in another association and one older than a year (neither counted)."""
    topic = make_topic(member, category, title=TITLE, body=SSN_TEXT)
    make_reply(member, topic, body=PHONE_TEXT, confirmed_reason="A made-up number.")
    old = make_topic(member, category, title=TITLE, body="Case No. 2023-DR-01234 was continued.", confirmed_reason="Made up.")
    now = timezone.now()
    GuardFinding.objects.filter(post__topic=old).update(created_at=now - timedelta(days=92))
    stale = make_topic(member, category, title=TITLE, body=PHONE_TEXT, confirmed_reason="Made up.")
    GuardFinding.objects.filter(post__topic=stale).update(created_at=now - timedelta(days=400))
    other = association_with_groups()
    make_topic(member_of(other), CategoryFactory(association=other), title=TITLE, body=SSN_TEXT)
    return topic


def test_report_counts_by_month_kind_and_outcome(association, findings):
    report = guard.findings_report(association)
    assert len(report["months"]) == 12
    cells = {(f"{row.month:%Y-%m}", row.kind): {k: v for k, v in row.counts.items() if v} for row in report["rows"]}
    this_month = f"{timezone.localtime():%Y-%m}"
    assert cells[(this_month, "ssn")] == {"held": 1}
    assert cells[(this_month, "phone_number")] == {"confirmed": 1}
    assert {kind for _, kind in cells} == {"ssn", "phone_number", "case_number"}
    assert report["total"] == 3 and report["totals"]["held"] == 1 and report["totals"]["confirmed"] == 2


def test_report_page_is_an_accessible_table_without_content(client, association, admin, findings):
    client.force_login(admin)
    response = client.get(report_url(association))
    assert response.status_code == 200
    page = soup(response)
    table = page.find("table")
    assert "Findings by month, kind and outcome" in table.find("caption").text
    assert all(th["scope"] == "col" for th in table.find("thead").find_all("th"))
    assert all(th["scope"] == "row" for th in table.find("tbody").find_all("th"))
    text = response.content.decode()
    assert "212-34-5678" not in text and "573-555-0142" not in text and "made-up" not in text.lower()
    assert not page.select('main a[href*="/forum/t/"]') and not page.select('main a[href*="/forum/p/"]')
    csv_text = client.get(report_url(association) + "?format=csv").content.decode()
    assert csv_text.splitlines()[0].startswith("month,kind,confirmed,held")
    assert "212-34-5678" not in csv_text


@pytest.mark.parametrize("role, expected", [("member", 403), ("moderator", 403), ("other_admin", 403), ("admin", 200)])
def test_only_the_associations_admins_see_the_report(client, association, role, expected):
    people = {
        "member": lambda: member_of(association),
        "moderator": lambda: member_of(association, Role.MODERATOR),
        "other_admin": lambda: member_of(association_with_groups(), Role.ADMIN),
        "admin": lambda: member_of(association, Role.ADMIN),
    }
    client.force_login(people[role]())
    assert client.get(report_url(association)).status_code == expected
    assert client.get(settings_url(association)).status_code == expected


def test_site_admins_see_every_report_and_visitors_sign_in(client, association):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(report_url(association)).status_code == 200
    client.logout()
    assert client.get(report_url(association)).status_code == 302


def test_admins_switch_to_hold_and_posts_are_held(client, association, admin, category, member):
    client.force_login(admin)
    page = soup(client.get(settings_url(association)))
    assert page.find("input", attrs={"name": "guard_mode", "value": "warn"}).has_attr("checked")
    response = client.post(settings_url(association), {"guard_mode": "hold"})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.guard_mode == Association.GuardMode.HOLD
    topic = make_topic(member, category, title=TITLE, body=PHONE_TEXT, confirmed_reason="Made up.")
    assert topic.status == Visibility.HELD
    assert client.post(settings_url(association), {"guard_mode": "lenient"}).status_code == 400


def test_the_service_checks_who_changes_the_setting(association, member):
    with pytest.raises(PermissionDenied):
        guard.set_guard_mode(member, association, Association.GuardMode.HOLD)
    association.refresh_from_db()
    assert association.guard_mode == Association.GuardMode.WARN
