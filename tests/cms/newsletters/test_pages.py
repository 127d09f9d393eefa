"""The public newsletter pages: the index with its archive by year, issues listing only the
articles the reader may open, members-only articles served only to members, and a constant
number of queries whatever the number of issues or articles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from tests.cms.newsletters.conftest import make_article, make_issue, newsletter_site
from tests.factories import UserFactory, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_index_lists_live_issues_newest_first_with_feed_links(client, site):
    make_issue(site.index, volume=12, number=2, quarter=3, title="Summer 2026")
    make_issue(site.index, volume=12, number=3, quarter=4, title="Fall 2026")
    make_issue(site.index, volume=12, number=4, quarter=1, year=2027, publish=False, title="Winter draft")
    html = client.get(site.index.url).content.decode()
    assert html.index("Fall 2026") < html.index("Summer 2026")
    assert "Winter draft" not in html
    assert "Vol. 12, No. 3 · Fall 2026" in html
    slug = site.association.slug
    assert f'<link rel="alternate" type="application/rss+xml" title="{site.association.short_name} newsletter (RSS)" href="/newsletters/{slug}/rss/">' in html
    assert f'type="application/atom+xml"' in html and f'href="/newsletters/{slug}/atom/"' in html


def test_archive_by_year(client, site):
    make_issue(site.index, volume=11, number=4, quarter=4, year=2025, title="Fall 2025")
    make_issue(site.index, volume=12, number=1, quarter=1, year=2026, title="Winter 2026")
    index_html = client.get(site.index.url).content.decode()
    assert f'href="{site.index.url}2025/"' in index_html and f'href="{site.index.url}2026/"' in index_html

    response = client.get(f"{site.index.url}2025/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Newsletter: 2025</h1>" in html
    assert "Fall 2025" in html and "Winter 2026" not in html
    assert f'href="{site.index.url}2025/" aria-current="page"' in html
    assert client.get(f"{site.index.url}1999/").status_code == 404
    assert client.get(f"{site.index.url}not-a-year/").status_code == 404


def test_private_issues_are_listed_only_to_those_who_may_open_them(client, site):
    make_issue(site.index, volume=12, number=2, title="Public issue")
    private = make_issue(site.index, volume=12, number=3, title="Members issue")
    restriction = PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([site.members_group])

    assert "Members issue" not in client.get(site.index.url).content.decode()
    client.force_login(UserFactory())
    assert "Members issue" not in client.get(site.index.url).content.decode()
    client.force_login(member_of(site.association))
    assert "Members issue" in client.get(site.index.url).content.decode()


def test_a_members_only_article_is_hidden_from_outsiders_and_served_only_to_members(client, site):
    issue = make_issue(site.index)
    make_article(issue, title="Registering an order for enforcement", slug="registering")
    secret = make_article(issue, title="Board minutes October", slug="board-minutes", members_only_group=site.members_group)
    draft = make_article(issue, title="Unfinished draft", slug="draft")
    draft.unpublish()

    anonymous_html = client.get(issue.url).content.decode()
    assert "Registering an order for enforcement" in anonymous_html
    assert "Board minutes October" not in anonymous_html and "Unfinished draft" not in anonymous_html
    response = client.get(secret.url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    other = newsletter_site()
    outsider = member_of(other.association)  # a member, but of another association
    client.force_login(outsider)
    assert "Board minutes October" not in client.get(issue.url).content.decode()
    assert client.get(secret.url).status_code == 403

    client.force_login(member_of(site.association))
    assert "Board minutes October" in client.get(issue.url).content.decode()
    article = client.get(secret.url)
    assert article.status_code == 200
    assert "Board minutes October" in article.content.decode()


def test_article_page_shows_authors_body_tags_and_jurisdictions(client, site):
    from members.models import Jurisdiction

    issue = make_issue(site.index, title="Fall 2026")
    make_article(
        issue, title="e-IWO across state lines", slug="e-iwo", tags=["e-iwo", "employer"],
        jurisdictions=list(Jurisdiction.objects.filter(code__in=["MO", "KS"])),
    )
    html = client.get(f"{issue.url}e-iwo/").content.decode()
    assert "<h1" in html and "e-IWO across state lines" in html
    assert "By Rosa Delgado (Arizona Division of Child Support Services)" in html
    assert "Send a certified copy and a sworn statement of arrears." in html
    assert "Missouri" in html and "Kansas" in html
    assert "e-iwo" in html and "employer" in html
    assert "Newsletter · Vol. 12, No. 3 · Fall 2026" in html


def test_all_newsletters_page(client, site):
    make_issue(site.index, title="Fall 2026")
    html = client.get(reverse("newsletters:index")).content.decode()
    assert site.association.name in html and "Fall 2026" in html
    assert f'href="{site.index.url}"' in html


def count_queries(client, url) -> int:
    client.get(url)  # warm up what the site caches between requests (navigation, sessions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_index_and_issue_pages_cost_a_constant_number_of_queries(client, site, settings):
    # A cache of its own: parallel test runs sharing Redis clear it at any moment, which
    # would add a query that has nothing to do with these pages.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsletter-queries"}}
    member = member_of(site.association)
    client.force_login(member)
    first = make_issue(site.index, volume=1, number=1, quarter=1, year=2020)
    make_article(first, title="One", slug="one", tags=["uifsa"])
    make_article(first, title="Two", slug="two", tags=["csenet"], members_only_group=site.members_group)
    index_few, issue_few = count_queries(client, site.index.url), count_queries(client, first.url)

    for number in range(2, 8):
        make_issue(site.index, volume=1, number=number, quarter=(number % 4) + 1, year=2020 + number)
    for position in range(6):
        make_article(first, title=f"Article {position}", slug=f"article-{position}", tags=["uifsa", f"tag-{position}"],
                     members_only_group=site.members_group if position % 2 else None)
    assert count_queries(client, site.index.url) == index_few
    assert count_queries(client, first.url) == issue_few
