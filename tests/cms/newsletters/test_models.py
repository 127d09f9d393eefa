"""Newsletter page models: validation with field-keyed messages (in the model and in the
Wagtail admin form), one index per association, the summary line, the home page selector."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.newsletters.models import NewsletterIndexPage, NewsletterIssuePage
from cms.newsletters.selectors import latest_issue_for
from tests.cms.newsletters.conftest import make_issue, newsletter_site

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def unsaved_issue(**fields):
    values = {"title": "Fall issue", "slug": "fall", "volume": 12, "number": 3, "quarter": 4, "year": 2026}
    return NewsletterIssuePage(**{**values, **fields})


def errors_of(callable_) -> dict:
    with pytest.raises(ValidationError) as raised:
        callable_()
    return raised.value.message_dict


def test_summary_line():
    assert unsaved_issue(volume=12, number=3, quarter=4, year=2026).summary_line == "Vol. 12, No. 3 · Fall 2026"
    assert unsaved_issue(quarter=1).season == "Winter"


@pytest.mark.parametrize("quarter", [0, 5, 12])
def test_quarter_must_be_one_to_four(site, quarter):
    errors = errors_of(lambda: site.index.add_child(instance=unsaved_issue(quarter=quarter)))
    assert errors["quarter"] == ["Choose a quarter from 1 (January–March) to 4 (October–December)."]
    assert not NewsletterIssuePage.objects.exists()


@pytest.mark.parametrize("year", [1850, 1969, timezone.localdate().year + 2, 9999])
def test_year_must_be_sane(site, year):
    errors = errors_of(lambda: site.index.add_child(instance=unsaved_issue(year=year)))
    assert errors["year"] == [f"Enter the year of the issue, between 1970 and {timezone.localdate().year + 1}."]


def test_next_years_first_issue_is_allowed(site):
    issue = site.index.add_child(instance=unsaved_issue(year=timezone.localdate().year + 1, quarter=1))
    assert issue.pk


def test_volume_and_number_start_at_one(site):
    errors = errors_of(lambda: site.index.add_child(instance=unsaved_issue(volume=0, number=0)))
    assert errors["volume"] == ["The volume starts at 1."]
    assert errors["number"] == ["The number starts at 1."]


def test_volume_and_number_are_unique_within_one_newsletter(site):
    make_issue(site.index, volume=12, number=3, title="Fall 2026")
    errors = errors_of(lambda: site.index.add_child(instance=unsaved_issue(slug="again", volume=12, number=3)))
    assert errors["number"] == ["Volume 12, number 3 already exists in this newsletter (“Fall 2026”). Check the number."]
    # Another number in the same volume is fine, and so is the same number in another newsletter.
    site.index.add_child(instance=unsaved_issue(slug="next", volume=12, number=4))
    other = newsletter_site()
    other.index.add_child(instance=unsaved_issue(slug="fall", volume=12, number=3))


def test_editing_an_issue_does_not_clash_with_itself(site):
    issue = make_issue(site.index, volume=12, number=3)
    issue.title = "Fall 2026 (corrected)"
    issue.full_clean()
    issue.save_revision().publish()


def issue_form_data(**overrides):
    data = {
        "title": "Fall 2026", "slug": "fall-2026", "volume": "12", "number": "3", "quarter": "4", "year": "2026",
        "seo_title": "", "search_description": "", "go_live_at": "", "expire_at": "",
    }
    data.update(overrides)
    return data


def test_admin_form_shows_the_duplicate_on_the_number_field_and_keeps_what_was_typed(site, admin_user):
    make_issue(site.index, volume=12, number=3, title="Fall 2026")
    form_class = NewsletterIssuePage.get_edit_handler().get_form_class()
    form = form_class(data=issue_form_data(slug="fall-again"), instance=NewsletterIssuePage(), parent_page=site.index, for_user=admin_user)
    assert not form.is_valid()
    assert form.errors["number"] == ["Volume 12, number 3 already exists in this newsletter (“Fall 2026”). Check the number."]
    assert form["title"].value() == "Fall 2026"


def test_admin_form_reports_bad_quarter_and_year_by_field(site, admin_user):
    form_class = NewsletterIssuePage.get_edit_handler().get_form_class()
    form = form_class(data=issue_form_data(quarter="5", year="3026"), instance=NewsletterIssuePage(), parent_page=site.index, for_user=admin_user)
    assert not form.is_valid()
    assert "quarter" in form.errors and "year" in form.errors


def test_only_one_newsletter_index_per_association_site(site):
    assert not NewsletterIndexPage.can_create_at(site.home)
    other = newsletter_site()
    other.index.delete()
    assert NewsletterIndexPage.can_create_at(other.home)


def test_latest_issue_for_is_the_newest_live_public_issue(site):
    assert latest_issue_for(site.home) is None
    make_issue(site.index, volume=12, number=2, quarter=3, title="Summer")
    fall = make_issue(site.index, volume=12, number=3, quarter=4, title="Fall")
    make_issue(site.index, volume=12, number=4, quarter=1, year=2027, publish=False, title="Draft winter")
    members_only = make_issue(site.index, volume=13, number=1, quarter=1, year=2027, title="Members only")
    PageViewRestriction.objects.create(page=members_only, restriction_type=PageViewRestriction.LOGIN)
    assert latest_issue_for(site.home).specific == fall
    # Another association's issues are not this one's.
    other = newsletter_site()
    make_issue(other.index, volume=40, number=1, quarter=4, year=2026)
    assert latest_issue_for(site.home).pk == fall.pk
