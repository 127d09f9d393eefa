"""The header's association switcher: associations with a live home page, cached between
requests and forgotten whenever an association or a page changes."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from wagtail.models import Page, Site

from members.context_processors import site_navigation
from members.selectors import associations_for_switcher
from tests.factories import AssociationFactory

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def private_cache(settings):
    """A cache of this test's own (a parallel run clearing the shared Redis must not
    empty it between two reads)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "switcher"}}
    cache.clear()


def home_page(slug: str, *, live: bool = True) -> Page:
    site_root = Site.objects.get(is_default_site=True).root_page
    return site_root.add_child(instance=Page(title=f"Home of {slug}", slug=slug, live=live))


def names() -> list[str]:
    return [association.name for association in associations_for_switcher()]


@pytest.fixture
def western():
    return AssociationFactory(name="Western Interstate Council", home_page=home_page("western"))


def test_lists_associations_with_a_live_home_page_by_name(western):
    AssociationFactory(name="Association without a site")
    AssociationFactory(name="Association with a draft site", home_page=home_page("draft", live=False))
    AssociationFactory(name="Eastern Regional Council", home_page=home_page("eastern"))
    assert names() == ["Eastern Regional Council", "Western Interstate Council"]


def test_the_list_is_cached_between_requests(western, django_assert_num_queries):
    request = RequestFactory().get("/forum/")
    with django_assert_num_queries(1):
        first = site_navigation(request)["associations"]
    assert first[0].home_page.url  # Wagtail caches its site root paths on first use
    with django_assert_num_queries(0):
        again = site_navigation(request)["associations"]
        url = again[0].home_page.url
    assert [association.pk for association in again] == [association.pk for association in first]
    assert url == western.home_page.url


def test_saving_or_deleting_an_association_forgets_the_list(western):
    assert names() == ["Western Interstate Council"]
    western.name = "Western Interstate Child Support Council"
    western.save()
    assert names() == ["Western Interstate Child Support Council"]
    eastern = AssociationFactory(name="Eastern Regional Council", home_page=home_page("eastern"))
    assert names() == ["Eastern Regional Council", "Western Interstate Child Support Council"]
    eastern.delete()
    assert names() == ["Western Interstate Child Support Council"]


def test_unpublishing_publishing_renaming_or_deleting_the_home_page_forgets_the_list(western):
    page = western.home_page
    assert names() == ["Western Interstate Council"]
    page.unpublish()
    assert names() == []
    page.save_revision().publish()
    assert names() == ["Western Interstate Council"]

    page.slug = "wic"
    page.save_revision().publish()
    assert associations_for_switcher()[0].home_page.url.endswith("/wic/")

    page.delete()
    assert names() == []
