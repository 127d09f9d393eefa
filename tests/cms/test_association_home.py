"""An association's home page: its latest newsletter issue, latest legislative updates,
upcoming events (public, live pages only) and the recent forum topics the viewer may see,
in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Category
from tests.forum.factories import CategoryFactory, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def sections(western):
    """The newsletter, legislative updates and events sections of WICSEC's site (built with
    the factories of those apps)."""
    from cms.events.models import EventIndexPage
    from cms.legislation.models import LegislativeUpdateIndexPage
    from cms.newsletters.models import NewsletterIndexPage

    home = western.home
    newsletter = home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))
    updates = home.add_child(instance=LegislativeUpdateIndexPage(title="Legislative updates", slug="legislative-updates"))
    events = home.add_child(instance=EventIndexPage(title="Events", slug="events"))
    for page in (newsletter, updates, events):
        page.save_revision().publish()
    return newsletter, updates, events


def add_content(sections, association, author, *, count: int) -> None:
    """`count` issues, updates, events and forum topics (numbered from 1, the newest last)."""
    from tests.cms.events.factories import future_day, make_event
    from tests.cms.legislation.factories import make_update
    from tests.cms.newsletters.conftest import make_issue

    newsletter, updates, events = sections
    category = CategoryFactory(association=association, visibility=Category.Visibility.PUBLIC)
    start = newsletter.get_children().count()
    for n in range(start + 1, start + count + 1):
        make_issue(newsletter, volume=40, number=n, title=f"Quarterly issue {n}", year=2026, quarter=(n - 1) % 4 + 1)
        make_update(updates, title=f"SB {n}: direct income withholding", slug=f"sb-{n}", bill_number=f"SB {n}",
                    published_at=None)
        make_event(events, title=f"Regional town hall {n}", day=future_day(10 * n))
        make_topic(author, category, title=f"Forum question {n}")


def test_the_home_page_shows_each_section(client, western, sections, people):
    add_content(sections, western.association, people.western_member, count=4)
    response = client.get(western.home.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1 id=\"page-title\">Western Intergovernmental Child Support Engagement Council</h1>" in html
    context = response.context
    assert context["latest_issue"].title == "Quarterly issue 4"
    assert [u.title for u in context["recent_updates"]] == [f"SB {n}: direct income withholding" for n in (4, 3, 2)]
    assert [e.title for e in context["upcoming_events"]] == ["Regional town hall 1", "Regional town hall 2", "Regional town hall 3"]
    assert [t.title for t in context["recent_topics"]] == [f"Forum question {n}" for n in (4, 3, 2, 1)]
    for item in (context["latest_issue"], *context["recent_updates"], *context["upcoming_events"]):
        assert f'href="{item.url}">{item.title}</a>' in html
        assert item.summary_line in html
    assert "Regional town hall 4" not in html


def test_forum_topics_follow_what_the_viewer_may_see(client, western, missouri, people):
    members_only = CategoryFactory(association=western.association, visibility=Category.Visibility.MEMBERS)
    public = CategoryFactory(association=western.association, visibility=Category.Visibility.PUBLIC)
    elsewhere = CategoryFactory(association=missouri.association, visibility=Category.Visibility.PUBLIC)
    make_topic(people.western_member, members_only, title="Board election timeline (members)")
    make_topic(people.western_member, public, title="Registering an order for enforcement only")
    make_topic(people.missouri_editor, elsewhere, title="Missouri town hall question")

    def topics_for(user):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        return [topic.title for topic in client.get(western.home.url).context["recent_topics"]]

    assert topics_for(None) == ["Registering an order for enforcement only"]
    assert topics_for(people.outsider) == ["Registering an order for enforcement only"]
    assert topics_for(people.western_member) == [
        "Registering an order for enforcement only", "Board election timeline (members)",
    ]


def test_drafts_and_members_only_pages_stay_off_the_home_page(client, western, sections, people):
    from tests.cms.legislation.factories import make_update, restrict_to_members
    from tests.cms.newsletters.conftest import make_issue

    newsletter, updates, events = sections
    make_issue(newsletter, volume=41, number=1, title="Draft issue", publish=False)
    restricted = make_update(updates, title="Members' briefing on SB 12", slug="sb-12", bill_number="SB 12")
    restrict_to_members(restricted, western.association)
    client.force_login(people.western_member)
    html = client.get(western.home.url).content.decode()
    assert "Draft issue" not in html and "Members' briefing" not in html
    assert "No newsletter issue has been published yet." in html


def test_the_home_page_costs_the_same_queries_however_much_there_is(client, settings, western, sections, people):
    # A cache of this test's own: the shared Redis is cleared by other test runs at any time.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "home-queries"}}
    client.force_login(people.western_member)
    add_content(sections, western.association, people.western_member, count=1)

    def queries() -> int:
        client.get(western.home.url)  # fills the caches that publishing emptied (site root paths, switcher)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(western.home.url).status_code == 200
        return len(captured)

    few = queries()
    add_content(sections, western.association, people.western_member, count=4)
    assert queries() == few

