"""Editing updates through the Wagtail admin: bad input is a field error on the form, with
what was typed kept, never a failed save."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.legislation.models import LegislativeUpdatePage
from tests.cms.legislation.factories import jurisdiction, make_update
from tests.factories import UserFactory

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def admin_client(client, site):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def form(**overrides) -> dict:
    data = {
        "title": "HB 77: review and adjustment notices by email",
        "slug": "hb-77",
        "bill_number": "HB 77",
        "level": "state",
        "status": "signed",
        "jurisdictions": [jurisdiction("MO").pk],
        "introduced_date": "2026-01-10",
        "signed_date": "2026-06-30",
        "effective_date": "2026-08-28",
        "summary": "Lets the agency send review and adjustment notices by email when a parent agrees.",
        "impact_on_practice": rich_text("<p>Ask for email consent at intake.</p>"),
        "source_url": "https://house.mo.gov/",
        "tags": "modification, notices",
        "comments": inline_formset([]),
        "action-publish": "action-publish",
    }
    data.update(overrides)
    # A multiple choice goes as repeated values, not through nested_form_data's flattening.
    chosen = data.pop("jurisdictions")
    return {**nested_form_data(data), "jurisdictions": chosen}


def add_url(site) -> str:
    return reverse("wagtailadmin_pages:add", args=["legislation", "legislativeupdatepage", site.index.pk])


def test_an_editor_publishes_an_update_through_the_admin(admin_client, site):
    response = admin_client.post(add_url(site), form())
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    update = LegislativeUpdatePage.objects.get(slug="hb-77")
    assert update.live and update.get_parent().pk == site.index.pk
    assert [j.code for j in update.jurisdictions.all()] == ["MO"]
    assert sorted(tag.name for tag in update.tags.all()) == ["modification", "notices"]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"effective_date": "2025-12-01"}, "effective_date", "before the introduced date"),
        ({"signed_date": "", "effective_date": ""}, "signed_date", "needs the date it was signed"),
        ({"jurisdictions": []}, "jurisdictions", "Choose at least one jurisdiction."),
        ({"level": "tribal"}, "jurisdictions", "A tribal update names at least one tribal nation jurisdiction"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "Enter a web address starting with https://"),
    ],
)
def test_bad_input_is_a_field_error_and_keeps_what_was_typed(admin_client, site, overrides, field, words):
    response = admin_client.post(add_url(site), form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(words in message for message in errors[field]), errors
    html = response.content.decode()
    assert 'value="HB 77"' in html and "Lets the agency send review and adjustment notices" in html
    assert not LegislativeUpdatePage.objects.filter(slug="hb-77").exists()


def test_changing_the_jurisdictions_is_checked_against_the_level(admin_client, site):
    """The new choice, not the saved one, is validated: a federal update that loses its
    federal jurisdiction is refused on the form (and one that gains it is accepted)."""
    update = make_update(site.index, level="federal", jurisdictions=("federal-ocss",))
    edit_url = reverse("wagtailadmin_pages:edit", args=[update.pk])
    fields = {
        "title": update.title, "slug": update.slug, "level": "federal",
        "jurisdictions": [jurisdiction("MO").pk],
        "effective_date": update.effective_date.isoformat(),
    }
    response = admin_client.post(edit_url, form(**fields))
    assert response.status_code == 200
    assert "A federal update names at least one federal jurisdiction" in str(response.context["form"].errors["jurisdictions"])

    fields["jurisdictions"] = [jurisdiction("MO").pk, jurisdiction("federal-ocss").pk]
    response = admin_client.post(edit_url, form(**fields))
    assert response.status_code == 302
    assert sorted(j.code for j in LegislativeUpdatePage.objects.get(pk=update.pk).jurisdictions.all()) == ["MO", "federal-ocss"]


def test_previews_render(admin_client, site):
    """A new update and the index (with a draft of its settings) preview without errors."""
    make_update(site.index, title="Already published")
    preview_url = reverse("wagtailadmin_pages:preview_on_add", args=["legislation", "legislativeupdatepage", site.index.pk])
    assert admin_client.post(preview_url, form()).json()["is_valid"]
    response = admin_client.get(preview_url)
    assert response.status_code == 200 and "HB 77: review and adjustment notices by email" in response.content.decode()

    index_preview = reverse("wagtailadmin_pages:preview_on_edit", args=[site.index.pk])
    data = nested_form_data({
        "title": "Bills and rules", "slug": site.index.slug, "intro": rich_text(""), "effective_soon_days": "30",
        "comments": inline_formset([]),
    })
    assert admin_client.post(index_preview, data).json()["is_valid"]
    html = admin_client.get(index_preview).content.decode()
    assert "Bills and rules" in html and "Effective in the next 30 days" in html and "Already published" in html
