import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cms.legislation import services
from cms.legislation.models import LegislativeUpdatePage, Level, Status
from tests.cms.legislation.factories import jurisdiction, make_update, update_fields
from tests.factories import UserFactory, member_of

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

TODAY = timezone.localdate()


def days(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def errors_of(site, **overrides) -> dict[str, list[str]]:
    """The field-keyed errors of saving an update with `overrides`; nothing is saved."""
    before = LegislativeUpdatePage.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_update(site.index, **overrides)
    assert LegislativeUpdatePage.objects.count() == before
    return caught.value.message_dict


def test_a_valid_update_is_saved_with_its_jurisdictions_and_tags(site):
    update = make_update(site.index, jurisdictions=("MO", "KS"), tags=("e-iwo", "employer"))
    update = LegislativeUpdatePage.objects.get(pk=update.pk)
    assert update.live
    assert sorted(j.code for j in update.jurisdictions.all()) == ["KS", "MO"]
    assert sorted(tag.name for tag in update.tags.all()) == ["e-iwo", "employer"]
    assert update.summary_line == f"{update.bill_number} · Kansas, Missouri · Signed"


@pytest.mark.parametrize(
    ("dates", "field", "words"),
    [
        ({"introduced_date": days(-10), "signed_date": days(-20), "effective_date": None}, "signed_date", "before the introduced date"),
        ({"introduced_date": days(-10), "signed_date": None, "effective_date": days(-30), "status": Status.PASSED}, "effective_date", "before the introduced date"),
        ({"introduced_date": days(-100), "signed_date": days(-10), "effective_date": days(-50)}, "effective_date", "before the signed date"),
    ],
)
def test_dates_out_of_order_are_field_errors(site, dates, field, words):
    errors = errors_of(site, **dates)
    assert field in errors
    assert any(words in message for message in errors[field])


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"status": Status.SIGNED, "signed_date": None, "effective_date": None}, "signed_date", "needs the date it was signed"),
        ({"status": Status.EFFECTIVE, "effective_date": None}, "effective_date", "needs the date it took effect"),
        ({"status": Status.INTRODUCED, "introduced_date": None, "signed_date": None, "effective_date": None}, "introduced_date", "needs the date it was introduced"),
        ({"status": Status.INTRODUCED}, "status", "It has a signed date"),
        ({"status": Status.PASSED}, "status", "It has a signed date"),
        ({"status": Status.VETOED, "effective_date": None}, "signed_date", "vetoed bill was not signed"),
        ({"status": Status.VETOED, "signed_date": None}, "effective_date", "does not take effect"),
    ],
)
def test_status_must_agree_with_the_dates(site, overrides, field, words):
    errors = errors_of(site, **overrides)
    assert any(words in message for message in errors[field]), errors


def test_statuses_consistent_with_their_dates_are_accepted(site):
    make_update(site.index, status=Status.VETOED, signed_date=None, effective_date=None)
    make_update(site.index, status=Status.WITHDRAWN)
    make_update(site.index, status=Status.PASSED, signed_date=None)
    make_update(site.index, status=Status.EFFECTIVE, effective_date=days(-1))
    assert LegislativeUpdatePage.objects.count() == 4


def test_at_least_one_jurisdiction_and_one_that_matches_the_level(site):
    assert errors_of(site, jurisdictions=())["jurisdictions"] == ["Choose at least one jurisdiction."]
    mismatch = errors_of(site, level=Level.TRIBAL, jurisdictions=("MO",))["jurisdictions"]
    assert "A tribal update names at least one tribal nation jurisdiction" in mismatch[0]
    federal = make_update(site.index, level=Level.FEDERAL, jurisdictions=("federal-ocss", "MO"))
    assert federal.summary_line.endswith("· Office of Child Support Services (OCSS), Missouri · Signed")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/bill.pdf", "house.mo.gov", "data:text/html,x"])
def test_source_link_must_be_a_web_address(site, url):
    assert "source_url" in errors_of(site, source_url=url)


def test_service_adds_and_publishes_for_an_editor_only(site):
    editor = member_of(site.association, "editor")
    update = services.add_update(
        site.index, by=editor, jurisdictions=[jurisdiction("MO")], tags=["arrears"], **update_fields(slug="by-service")
    )
    assert update.live and update.get_parent().pk == site.index.pk
    assert [tag.name for tag in update.tags.all()] == ["arrears"]
    assert update.revisions.count() == 1

    for outsider in (member_of(site.association), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.add_update(site.index, by=outsider, jurisdictions=[jurisdiction("MO")], **update_fields())


def test_service_keeps_a_draft_unpublished(site):
    editor = member_of(site.association, "editor")
    update = services.add_update(
        site.index, by=editor, jurisdictions=[jurisdiction("MO")], publish=False, **update_fields()
    )
    assert not update.live and update.first_published_at is None


def test_service_refuses_invalid_fields_and_keeps_nothing(site):
    editor = member_of(site.association, "editor")
    with pytest.raises(ValidationError) as caught:
        services.add_update(
            site.index, by=editor, jurisdictions=[jurisdiction("MO")],
            **update_fields(introduced_date=days(-5), signed_date=days(-9)),
        )
    assert "signed_date" in caught.value.message_dict
    assert not LegislativeUpdatePage.objects.exists()
    assert site.index.get_children().count() == 0
