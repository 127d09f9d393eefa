"""Feeds parsed back with feedparser, the home page's selector, and the publish event."""

import datetime

import feedparser
import pytest
from django.utils import timezone

from cms.legislation import selectors
from config import events
from tests.cms.legislation.factories import make_update, restrict_to_members, updates_site

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def updates(site):
    now = timezone.now()
    public_old = make_update(site.index, title="Older public bill", tags=("arrears",), published_at=now - datetime.timedelta(days=9))
    public_new = make_update(
        site.index, title="Newer public rule", tags=("e-iwo", "employer"), published_at=now - datetime.timedelta(days=1),
        impact_on_practice='<p>Use the <b>e-IWO</b> portal.</p>',
    )
    draft = make_update(site.index, title="Draft bill", publish=False)
    private = make_update(site.index, title="Members-only analysis", published_at=now)
    restrict_to_members(private, site.association)
    other = updates_site("western-test")
    make_update(other.index, title="Western rule", published_at=now)
    return {"public_new": public_new, "public_old": public_old, "draft": draft, "private": private}


@pytest.mark.parametrize("feed_format", ["rss", "atom"])
def test_feed_has_only_live_public_updates_newest_first(client, site, updates, feed_format):
    response = client.get(f"/legislation/{site.association.slug}/feed/{feed_format}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml" if feed_format == "rss" else "application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if feed_format == "rss" else "atom10")
    assert site.association.short_name in parsed.feed.title
    assert parsed.feed.link.endswith(site.index.url)
    assert [entry.title for entry in parsed.entries] == ["Newer public rule", "Older public bill"]
    newest = parsed.entries[0]
    assert newest.link.endswith(updates["public_new"].url)
    assert updates["public_new"].summary_line in newest.summary
    assert "<b>e-IWO</b>" in newest.summary
    assert {tag.term for tag in newest.tags} == {"State", "e-iwo", "employer"}
    assert newest.published_parsed[:3] == updates["public_new"].first_published_at.utctimetuple()[:3]


def test_feed_errors_are_404(client, site, updates):
    assert client.get(f"/legislation/{site.association.slug}/feed/json/").status_code == 404
    assert client.get("/legislation/no-such-association/feed/rss/").status_code == 404
    restrict_to_members(site.index, site.association)
    assert client.get(f"/legislation/{site.association.slug}/feed/rss/").status_code == 404


def test_index_announces_its_feeds(client, site, updates):
    html = client.get(site.index.url).content.decode()
    for feed_format, mime in (("rss", "application/rss+xml"), ("atom", "application/atom+xml")):
        assert (
            f'<link rel="alternate" type="{mime}" title="{site.association.short_name} legislative updates '
            f'({feed_format.upper() if feed_format == "rss" else "Atom"})" href="/legislation/{site.association.slug}/feed/{feed_format}/">'
        ) in html


def test_recent_updates_for_the_home_page(site, updates, django_assert_num_queries):
    recent = selectors.recent_updates_for(site.home, limit=3)
    assert [update.title for update in recent] == ["Newer public rule", "Older public bill"]
    with django_assert_num_queries(0):  # jurisdictions are prefetched
        assert recent[0].summary_line == f"{recent[0].bill_number} · Missouri · Signed"
    assert [update.title for update in selectors.recent_updates_for(site.home, limit=1)] == ["Newer public rule"]


def test_publishing_an_update_emits_update_published(site, django_capture_on_commit_callbacks):
    heard = []

    def handler(**payload):
        heard.append(payload)

    events.subscribe("update_published", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            update = make_update(site.index, publish=False)
        assert heard == []  # a draft is not news
        with django_capture_on_commit_callbacks(execute=True):
            update.save_revision().publish()
        assert heard == [{"page_id": update.pk, "association_id": site.association.pk}]
        with django_capture_on_commit_callbacks(execute=True):
            site.index.save_revision().publish()  # other page types say nothing here
        assert len(heard) == 1
    finally:
        events._subscribers["update_published"].remove(handler)
