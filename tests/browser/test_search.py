"""The search page in Chromium, on Elasticsearch: typing shows title suggestions (htmx)
that only name what the searcher may see, searching shows highlighted results, and a
facet link narrows them; the page passes axe at each step."""

import re

import pytest

from forum.models import Category
from members.models import Role, RoleGroup
from tests.factories import association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_topic
from tests.live_server import assert_accessible, sign_in_with_session
from tests.search.conftest import index_now, page_backend  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def archive(live_url, page_backend):
    west = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    board = RoleGroup.objects.get(association=west, role=Role.BOARD).group
    open_questions = CategoryFactory(association=west, visibility=Category.Visibility.PUBLIC, name="Open questions",
                                     slug="open-questions")
    members_room = CategoryFactory(association=west, name="Members room", slug="members-room")
    board_room = CategoryFactory(association=west, visibility=Category.Visibility.GROUP, group=board,
                                 name="Board room", slug="board-room")
    member = member_of(west)
    make_topic(member, open_questions, title="Withholding from a tribal employer",
               body="Does income withholding reach a tribal employer?", tags=["income-withholding"])
    make_topic(member, open_questions, kind="discussion", title="Withholding limits under the CCPA",
               body="How much income withholding is allowed.", tags=["ccpa"])
    make_topic(member, members_room, kind="procedure", title="Withholding notice checklist",
               body="Our income withholding checklist.", tags=["income-withholding"])
    make_topic(member_of(west, Role.BOARD), board_room, title="Withholding budget for the board retreat",
               body="Board only.")
    index_now(page_backend)
    return member


@pytest.mark.parametrize("page_backend", ["elasticsearch"], indirect=True)
def test_type_see_suggestions_search_and_filter_by_a_facet(live_url, page, archive, page_backend):
    sign_in_with_session(page, live_url, archive)
    page.goto(f"{live_url}/search/")
    assert_accessible(page, "empty search page ")

    box = page.get_by_label("Search forum posts, newsletters, legislative updates, events and pages")
    box.press_sequentially("withh", delay=60)
    suggestions = page.get_by_role("list", name="Matching titles")
    suggestions.wait_for(state="visible")
    suggested = suggestions.get_by_role("link").all_inner_texts()
    assert set(suggested) == {"Withholding from a tribal employer", "Withholding limits under the CCPA",
                              "Withholding notice checklist"}  # never the board's topic
    assert_accessible(page, "with title suggestions shown ")

    box.fill("income withholding")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=income\+withholding"))
    results = page.get_by_role("list", name="Results")
    titles = results.get_by_role("heading", level=3).all_inner_texts()
    assert set(titles) == {"Withholding from a tribal employer", "Withholding limits under the CCPA",
                           "Withholding notice checklist"}
    assert results.locator("mark", has_text=re.compile("withholding", re.I)).count() >= 3
    assert "3 results" in page.get_by_role("status").filter(has_text="results").inner_text()
    assert_accessible(page, "results with facets ")

    facets = page.get_by_role("navigation", name="Narrow your results")
    facets.get_by_role("link", name=re.compile(r"^income-withholding \(2")).click()
    page.wait_for_url(re.compile(r"tag=income-withholding"))
    assert set(page.get_by_role("list", name="Results").get_by_role("heading", level=3).all_inner_texts()) == {
        "Withholding from a tribal employer", "Withholding notice checklist"}
    filters = page.get_by_role("region", name="Your filters")
    assert "Tag: income-withholding" in filters.inner_text()
    assert_accessible(page, "results narrowed by a facet ")

    filters.get_by_role("link", name="Remove filter Tag: income-withholding").click()
    page.wait_for_url(lambda url: "tag=" not in url)
    assert page.get_by_role("list", name="Results").get_by_role("heading", level=3).count() == 3
