import pytest
from django.core.management import call_command

from cms.legislation import selectors
from cms.legislation.demo import DEMO_UPDATES, seed_legislative_updates
from cms.legislation.models import LegislativeUpdateIndexPage, LegislativeUpdatePage, Level
from members.models import Association

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_demo_builds_six_updates_on_both_sites_and_reads_well(client):
    call_command("seed_demo")
    seed_legislative_updates()  # again: nothing new
    assert LegislativeUpdateIndexPage.objects.live().count() == 2
    assert LegislativeUpdatePage.objects.live().public().count() == len(DEMO_UPDATES) == 6
    assert {update.level for update in LegislativeUpdatePage.objects.all()} == set(Level.values) - {Level.TERRITORIAL}

    for association in Association.objects.all():
        index_page = selectors.index_page_of(association.home_page)
        expected = [demo for demo in DEMO_UPDATES if demo.association == association.slug]
        recent = selectors.recent_updates_for(association.home_page, limit=3)
        newest = min(expected, key=lambda demo: demo.published_days_ago)
        assert recent[0].title == newest.title
        response = client.get(index_page.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert all(demo.title in html for demo in expected)
        soon = html.split('id="effective-soon-heading"', 1)[1].split("</section>", 1)[0]
        assert "<time" in soon  # something takes effect soon on each site
        for update in recent:
            assert client.get(update.url).status_code == 200
        feed = client.get(f"/legislation/{association.slug}/feed/atom/")
        assert feed.status_code == 200 and newest.title in feed.content.decode()
    assert client.get("/legislation/").status_code == 200
