"""The updates index: filters, pagination, "effective soon", visibility and query count."""

import datetime
import difflib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.legislation import selectors
from cms.legislation.models import Level, Status
from tests.cms.legislation.factories import make_update, restrict_to_members
from tests.factories import UserFactory, member_of

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

TODAY = timezone.localdate()


def days(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def listed_titles(html: str) -> list[str]:
    """Titles in the main listing, in order (the "effective soon" list is separate)."""
    listing = html.split('id="updates-heading"', 1)[1]
    return re.findall(r'class="usa-collection__heading"><a class="usa-link" href="[^"]+">([^<]+)</a>', listing)


@pytest.fixture
def varied(site):
    """Four updates differing in jurisdiction, level, status and year."""
    return {
        "missouri_signed": make_update(
            site.index, title="Missouri signed", introduced_date=datetime.date(2025, 1, 8),
            signed_date=datetime.date(2025, 7, 1), effective_date=datetime.date(2025, 8, 28),
        ),
        "kansas_introduced": make_update(
            site.index, title="Kansas introduced", jurisdictions=("KS",), status=Status.INTRODUCED,
            introduced_date=datetime.date(2026, 1, 12), signed_date=None, effective_date=None,
        ),
        "federal_effective": make_update(
            site.index, title="Federal effective", level=Level.FEDERAL, jurisdictions=("federal-ocss",),
            status=Status.EFFECTIVE, introduced_date=datetime.date(2023, 3, 1),
            signed_date=datetime.date(2024, 2, 1), effective_date=datetime.date(2024, 6, 1),
        ),
        "tribal_vetoed": make_update(
            site.index, title="Tribal vetoed", level=Level.TRIBAL, jurisdictions=("tribe-osage",),
            status=Status.VETOED, introduced_date=datetime.date(2026, 2, 2), signed_date=None, effective_date=None,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Missouri signed", "Kansas introduced", "Federal effective", "Tribal vetoed"}),
        ("?jurisdiction=KS", {"Kansas introduced"}),
        ("?level=federal", {"Federal effective"}),
        ("?level=state", {"Missouri signed", "Kansas introduced"}),
        ("?status=vetoed", {"Tribal vetoed"}),
        ("?year=2025", {"Missouri signed"}),
        ("?year=2024", {"Federal effective"}),
        ("?year=2026&level=state", {"Kansas introduced"}),
        ("?jurisdiction=MO&status=introduced", set()),
    ],
)
def test_filters(client, site, varied, query, expected):
    response = client.get(site.index.url + query)
    assert response.status_code == 200
    assert set(listed_titles(response.content.decode())) == expected


def test_filter_form_keeps_the_chosen_values_and_offers_only_what_exists(client, site, varied):
    html = client.get(site.index.url + "?level=state&year=2026&jurisdiction=KS").content.decode()
    assert '<option value="state" selected>State</option>' in html
    assert '<option value="2026" selected>2026</option>' in html
    assert '<option value="KS" selected>Kansas</option>' in html
    # Jurisdictions and years come from the updates themselves.
    assert '<optgroup label="Tribal nation">' in html and '<option value="tribe-osage">Osage</option>' in html
    assert '<option value="WA">' not in html
    assert [int(year) for year in re.findall(r'<option value="(\d{4})"', html)] == [2026, 2025, 2024, 2023]
    assert "1 update for Jurisdiction: Kansas, Level: State, Year: 2026, newest first." in html
    assert '<label class="usa-label" for="id_level">Level</label>' in html


@pytest.mark.parametrize(
    ("query", "field"),
    [("?level=galactic", "level"), ("?status=<script>", "status"), ("?year=abc", "year"),
     ("?year=1999", "year"), ("?jurisdiction=ZZ", "jurisdiction"), ("?year=99999999999999999999", "year")],
)
def test_invalid_filter_values_are_reported_and_ignored(client, site, varied, query, field):
    response = client.get(site.index.url + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert f'id="id_{field}_error"' in html and "is not one of the choices, so it was not used to filter" in html
    assert 'aria-invalid="true"' in html
    assert len(listed_titles(html)) == 4
    assert "<script>" not in html.split('id="filters-heading"', 1)[1]


def test_an_invalid_filter_does_not_drop_the_valid_ones(client, site, varied):
    html = client.get(site.index.url + "?level=state&status=bogus").content.decode()
    assert set(listed_titles(html)) == {"Missouri signed", "Kansas introduced"}


def test_pagination_accepts_any_page_value(client, site):
    for number in range(23):
        make_update(site.index, title=f"Update {number:02d}")
    for page, shown in [("-1", 3), ("0", 3), ("abc", 20), (str(10**9), 3), ("1e3", 20), ("", 20), ("2", 3)]:
        response = client.get(site.index.url, {"page": page})
        assert response.status_code == 200, page
        assert len(listed_titles(response.content.decode())) == shown, page


def test_pages_hold_twenty_updates_newest_first(client, site):
    now = timezone.now()
    for number in range(23):
        make_update(site.index, title=f"Update {number:02d}", published_at=now - datetime.timedelta(days=number))
    first = listed_titles(client.get(site.index.url).content.decode())
    second = listed_titles(client.get(site.index.url + "?page=2").content.decode())
    assert first == [f"Update {number:02d}" for number in range(20)]
    assert second == ["Update 20", "Update 21", "Update 22"]
    assert "23 updates; showing 21–23, newest first." in client.get(site.index.url + "?page=99").content.decode()


def test_effective_soon_lists_what_takes_effect_within_the_window(client, site):
    make_update(site.index, title="In ten days", effective_date=days(10))
    make_update(site.index, title="Today", effective_date=days(0))
    make_update(site.index, title="Day ninety", effective_date=days(90))
    make_update(site.index, title="Day ninety-one", effective_date=days(91))
    make_update(site.index, title="Last week", status=Status.EFFECTIVE, effective_date=days(-7))
    make_update(site.index, title="Withdrawn rule", status=Status.WITHDRAWN, effective_date=days(20))
    make_update(site.index, title="Draft", effective_date=days(5), publish=False)

    soon = selectors.effective_soon(selectors.visible_updates(UserFactory(), site.index), days=90)
    assert [update.title for update in soon] == ["Today", "In ten days", "Day ninety"]

    html = client.get(site.index.url).content.decode()
    section = html.split('id="effective-soon-heading"', 1)[1].split("</section>", 1)[0]
    assert "Effective in the next 90 days" in section
    assert re.findall(r'href="[^"]+">([^<]+)</a>', section) == ["Today", "In ten days", "Day ninety"]

    site.index.effective_soon_days = 5
    site.index.save_revision().publish()
    section = client.get(site.index.url).content.decode().split('id="effective-soon-heading"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="[^"]+">([^<]+)</a>', section) == ["Today"]


def test_members_only_update_is_listed_for_members_only(client, site):
    make_update(site.index, title="Public bill")
    private = make_update(site.index, title="Board position on HB 9", effective_date=days(30))
    restrict_to_members(private, site.association)

    def titles_for(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        html = client.get(site.index.url).content.decode()
        return set(listed_titles(html)), "Board position on HB 9" in html

    assert titles_for(None) == ({"Public bill"}, False)
    assert titles_for(UserFactory()) == ({"Public bill"}, False)
    assert titles_for(member_of(site.association, status="lapsed")) == ({"Public bill"}, False)
    assert titles_for(member_of(site.association)) == ({"Public bill", "Board position on HB 9"}, True)
    assert titles_for(UserFactory(is_superuser=True, is_staff=True))[0] == {"Public bill", "Board position on HB 9"}

    # The page itself: a signed-in outsider is refused, a member reads it.
    client.force_login(UserFactory())
    assert client.get(private.url).status_code == 403
    client.force_login(member_of(site.association))
    assert client.get(private.url).status_code == 200


def test_drafts_and_other_associations_updates_are_not_listed(client, site):
    from tests.cms.legislation.factories import updates_site

    make_update(site.index, title="Published")
    make_update(site.index, title="Draft only", publish=False)
    other = updates_site("western-test")
    make_update(other.index, title="Other association's update")
    html = client.get(site.index.url).content.decode()
    assert listed_titles(html) == ["Published"]
    assert "Draft only" not in html and "Other association" not in html


def index_queries(client, url: str) -> list[str]:
    client.get(url)  # warm caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_query_count_does_not_grow_with_the_number_of_updates(client, site, settings):
    """5 updates, then 40: the index (plain, filtered, a later page) costs the same queries."""
    # A cache of this test's own: other test runs sharing the Redis server clear it at will,
    # which would make the cached header lists cost a query at random.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "legislation-queries"}}
    now = timezone.now()
    queries = ["", "?level=state&year=" + str(TODAY.year), "?page=2"]

    def add(count, start):
        for number in range(start, start + count):
            make_update(
                site.index, title=f"Update {number}", jurisdictions=("MO", "KS") if number % 2 else ("MO",),
                tags=("e-iwo", f"tag-{number % 4}"), effective_date=days(number % 60 + 1),
                introduced_date=days(-200), published_at=now - datetime.timedelta(hours=number),
            )

    add(4, 0)
    restrict_to_members(make_update(site.index, title="Members only"), site.association)
    client.force_login(member_of(site.association))
    with_5 = [index_queries(client, site.index.url + query) for query in queries]
    assert "More updates take effect in this period" not in client.get(site.index.url).content.decode()
    add(35, 4)
    assert "More updates take effect in this period" in client.get(site.index.url).content.decode()
    with_40 = [index_queries(client, site.index.url + query) for query in queries]
    for query, few, many in zip(queries, with_5, with_40):
        assert len(few) == len(many), (query, "\n".join(difflib.unified_diff(few, many, lineterm="")))
        assert len(many) <= 25, (query, len(many))


def test_overview_lists_each_association_with_its_latest_public_updates(client, site):
    from tests.cms.legislation.factories import updates_site

    now = timezone.now()
    for number in range(4):
        make_update(site.index, title=f"Missouri update {number}", published_at=now - datetime.timedelta(days=number))
    restrict_to_members(make_update(site.index, title="Members only"), site.association)
    other = updates_site("western-test")
    make_update(other.index, title="Western update")
    response = client.get("/legislation/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'class="usa-collection__heading"><a class="usa-link" href="[^"]+">([^<]+)</a>', html) == [
        "Missouri update 0", "Missouri update 1", "Missouri update 2", "Western update",
    ]
    assert 'rel="alternate" type="application/rss+xml"' in html
    assert f'href="{site.index.url}"' in html and f'href="{other.index.url}"' in html
