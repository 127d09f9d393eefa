import pytest
from django.core.management import call_command

from cms.models import AssociationHomePage, HomePage
from members.models import Association

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    call_command("seed_demo")
    assert HomePage.objects.count() == 1
    assert set(Association.objects.values_list("slug", flat=True)) == {"western", "missouri"}
    assert AssociationHomePage.objects.count() == 2
    assert all(association.home_page.live for association in Association.objects.all())


def test_home_page_lists_both_association_sites(client):
    call_command("seed_demo")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="usa-skipnav" href="#main-content">' in html
    assert 'id="main-content"' in html
    for association in Association.objects.all():
        assert association.name in html
        assert f'href="{association.home_page.url}"' in html


def test_association_home_page_renders(client):
    call_command("seed_demo")
    missouri = Association.objects.get(slug="missouri")
    response = client.get(missouri.home_page.url)
    assert response.status_code == 200
    assert "Missouri Child Support Enforcement Association" in response.content.decode()


def test_unknown_page_is_404(client):
    call_command("seed_demo")
    assert client.get("/no-such-page/").status_code == 404


def test_wagtail_and_django_admin_are_mounted_behind_login(client):
    assert client.get("/admin/").status_code == 302
    assert client.get("/django-admin/").status_code == 302
