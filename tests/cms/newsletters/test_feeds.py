"""RSS 2.0 and Atom 1.0 feeds of each association's issues, parsed back with feedparser:
only live issues anyone may read, newest first, with absolute links."""

import feedparser
import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from tests.cms.newsletters.conftest import make_issue, newsletter_site
from tests.factories import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def issues(site):
    summer = make_issue(site.index, volume=12, number=2, quarter=3, title="Summer 2026",
                        editors_note='<p>Our <a href="https://www.acf.hhs.gov/css">OCSS</a> update.</p>')
    fall = make_issue(site.index, volume=12, number=3, quarter=4, title="Fall 2026")
    make_issue(site.index, volume=12, number=4, quarter=1, year=2027, publish=False, title="Winter draft")
    private = make_issue(site.index, volume=13, number=1, quarter=1, year=2027, title="Members-only special")
    restriction = PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([site.members_group])
    return {"summer": summer, "fall": fall}


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize("kind, content_type, version", [("rss", "application/rss+xml", "rss20"), ("atom", "application/atom+xml", "atom10")])
def test_feed_has_only_live_public_issues_newest_first(client, site, issues, kind, content_type, version):
    client.force_login(member_of(site.association))  # a session changes nothing: feeds are public
    response, feed = parsed(client, reverse(f"newsletters:{kind}", args=[site.association.slug]))
    assert response["Content-Type"].startswith(content_type)
    assert feed.bozo == 0 and feed.version == version
    assert feed.feed.title == f"{site.association.short_name} newsletter"
    assert feed.feed.link == f"http://testserver{site.index.url}"
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Fall 2026 (Vol. 12, No. 3 · Fall 2026)", "Summer 2026 (Vol. 12, No. 2 · Summer 2026)"]
    summer = feed.entries[1]
    assert summer.link == f"http://testserver{issues['summer'].url}"
    assert "https://www.acf.hhs.gov/css" in summer.summary
    assert summer.published_parsed is not None


def test_the_index_page_links_to_both_feeds(client, site, issues):
    html = client.get(site.index.url).content.decode()
    for kind in ("rss", "atom"):
        assert f'href="{reverse(f"newsletters:{kind}", args=[site.association.slug])}"' in html


def test_a_restricted_newsletter_has_no_feed(client, site, issues):
    PageViewRestriction.objects.create(page=site.index, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(reverse("newsletters:rss", args=[site.association.slug])).status_code == 404


def test_unknown_association_or_no_newsletter_is_404(client, site):
    assert client.get(reverse("newsletters:rss", args=["nowhere"])).status_code == 404
    other = newsletter_site()
    other.index.delete()
    assert client.get(reverse("newsletters:atom", args=[other.association.slug])).status_code == 404


def test_feeds_of_two_associations_do_not_mix(client, site, issues):
    other = newsletter_site()
    make_issue(other.index, volume=40, number=1, title="Other association's issue")
    _, feed = parsed(client, reverse("newsletters:rss", args=[site.association.slug]))
    assert "Other association's issue" not in [entry.title for entry in feed.entries]
    _, other_feed = parsed(client, reverse("newsletters:rss", args=[other.association.slug]))
    assert [entry.title for entry in other_feed.entries] == ["Other association's issue (Vol. 40, No. 1 · Fall 2026)"]
