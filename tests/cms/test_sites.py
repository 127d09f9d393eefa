"""One Wagtail Site per association: under the portal's path prefix by default, on its own
host name once a site administrator gives it one, with page URLs right in each mode."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from wagtail.models import Site

from cms.models import StandardPage

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

HOST = "wicsec.example.org"


@pytest.fixture
def about(western):
    page = western.home.add_child(instance=StandardPage(title="About us", slug="about", intro="Since 1983."))
    page.save_revision().publish()
    return page


@pytest.fixture
def own_host(settings, western):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    home = western.home
    home.site_hostname = HOST
    home.site_port = 80
    home.save_revision().publish()
    return home


def request_for(host: str):
    return RequestFactory().get("/", HTTP_HOST=host)


def test_without_a_host_name_the_site_lives_under_the_portal(client, portal, western, about):
    assert list(Site.objects.values_list("root_page_id", flat=True)) == [portal.pk]
    assert western.home.url == "/western/"
    assert about.url == "/western/about/"
    assert about.full_url == "http://localhost/western/about/"
    assert client.get("/western/about/").status_code == 200
    assert "About us" in client.get("/western/about/").content.decode()


def test_publishing_a_host_name_makes_the_home_page_a_site_root(client, western, about, own_host):
    site = Site.objects.get(root_page=western.home)
    assert (site.hostname, site.port, site.is_default_site) == (HOST, 80, False)

    response = client.get("/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response.context["page"].pk == western.home.pk
    assert client.get("/about/", HTTP_HOST=HOST).context["page"].pk == about.pk
    # The portal's path prefix keeps working, and the portal is still the default site.
    assert client.get("/western/about/").context["page"].pk == about.pk
    assert client.get("/").context["page"].pk == Site.objects.get(is_default_site=True).root_page_id


def test_page_urls_with_a_host_name(western, about, own_host):
    about.refresh_from_db()
    # On the association's own host: relative to its root.
    assert about.get_url(request=request_for(HOST)) == "/about/"
    # On the portal: under the path prefix, still relative.
    assert about.get_url(request=request_for("localhost")) == "/western/about/"
    # Without a request (emails, feeds, search): the canonical address on the association's host.
    assert about.full_url == f"http://{HOST}/about/"
    assert western.home.specific.full_url == f"http://{HOST}/"


def test_clearing_the_host_name_removes_the_site(western, about, own_host):
    own_host.site_hostname = ""
    own_host.save_revision().publish()
    assert not Site.objects.filter(root_page=western.home).exists()
    about.refresh_from_db()
    assert about.url == "/western/about/"


def test_a_host_name_already_serving_another_site_is_refused(western, missouri, own_host):
    home = missouri.home
    home.site_hostname = HOST.upper()
    home.site_port = 80
    with pytest.raises(ValidationError) as raised:
        home.full_clean()
    assert raised.value.message_dict == {"site_hostname": [f"{HOST}:80 already serves another site."]}


def test_a_host_name_must_be_a_bare_host_name(western):
    home = western.home
    home.site_hostname = "https://wicsec.example.org/path"
    with pytest.raises(ValidationError) as raised:
        home.full_clean()
    assert list(raised.value.message_dict) == ["site_hostname"]


def test_only_site_administrators_see_the_host_name_field(client, western, people):
    from members.models import User

    superuser = User.objects.filter(is_superuser=True).first()
    for user, shown in [(people.western_admin, False), (people.western_editor, False), (superuser, True)]:
        client.force_login(user)
        response = client.get(f"/admin/pages/{western.home.pk}/edit/")
        assert response.status_code == 200
        assert ('name="site_hostname"' in response.content.decode()) is shown
