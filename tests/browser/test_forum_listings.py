"""Forum listings and answer buttons in Chromium: the index, a filtered category listing
(with an ignored filter value), a tag listing and the bookmarks page pass axe; on a topic,
the helpful button and the follow/bookmark buttons work through htmx without a reload."""


import pytest

from forum import services
from forum.models import Category, Follow, HelpfulVote
from tests.factories import JurisdictionFactory, UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_reply, make_topic
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


@pytest.fixture
def forum(live_url):
    west = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    commons = CategoryFactory(association=None, name="Interstate commons", slug="commons",
                              visibility=Category.Visibility.PUBLIC)
    category = CategoryFactory(association=west, name="Interstate cases", slug="interstate-cases")
    CategoryFactory(association=west, name="Tribal cases", slug="tribal-cases", parent=category)
    asker = member_of(west, user=UserFactory(display_name="Asha Asker"))
    reader = member_of(west, user=UserFactory(display_name="Rita Reader"))
    missouri = JurisdictionFactory(code="MO", name="Missouri")
    question = make_topic(asker, category, title="Registering a Texas order for enforcement only",
                          tags=["registration"], jurisdictions=[missouri])
    answer = make_reply(member_of(west), question, body="We file with the circuit clerk.")
    services.accept_answer(answer, by=asker)
    make_topic(asker, category, title="Which tribunal keeps CEJ after both parents move?", tags=["cej", "registration"])
    make_topic(asker, commons, kind="discussion", title="Welcome to the interstate commons")
    services.mark_read(reader, question, 1)
    services.toggle_bookmark(reader, question)
    return {"category": category, "question": question, "answer": answer, "reader": reader}


def test_listings_pass_axe(live_url, page, forum):
    page.goto(f"{live_url}/forum/")
    assert_accessible(page, "on the forum index for a visitor ")
    sign_in_with_session(page, live_url, forum["reader"])
    page.goto(f"{live_url}/forum/")
    assert page.locator("h1").inner_text() == "Forum"
    assert page.get_by_role("link", name="Tribal cases").is_visible()
    assert_accessible(page, "on the forum index ")

    page.goto(f"{live_url}/forum/c/interstate-cases/?kind=poem&answered=yes")
    assert "it was not used to filter" in page.locator(".comity-messages").inner_text()
    rows = page.locator(".comity-topic-row")
    assert rows.count() == 1
    row_text = rows.first.inner_text().lower()  # USWDS tags are upper-cased by CSS
    assert "answered" in row_text and "1 new" in row_text
    assert_accessible(page, "on a filtered category listing ")

    page.goto(f"{live_url}/forum/tags/registration/")
    assert page.locator(".comity-topic-row").count() == 2
    assert_accessible(page, "on a tag listing ")

    page.goto(f"{live_url}/forum/bookmarks/")
    assert page.locator(".comity-topic-row").count() == 1
    assert_accessible(page, "on the bookmarks page ")


def test_helpful_and_follow_buttons_work_through_htmx(live_url, page, forum):
    sign_in_with_session(page, live_url, forum["reader"])
    answer, question = forum["answer"], forum["question"]
    page.goto(f"{live_url}/forum/t/{question.pk}/")
    page.evaluate("window.__notReloaded = true")
    helpful = page.locator(f"#post-actions-{answer.pk} button", has_text="Helpful")
    assert helpful.get_attribute("aria-pressed") == "false"
    helpful.click()
    pressed = page.locator(f"#post-actions-{answer.pk} button[aria-pressed=true]")
    pressed.wait_for()
    assert "Helpful (1)" in pressed.inner_text()
    assert HelpfulVote.objects.filter(post=answer, voter=forum["reader"]).exists()
    follow = page.locator(f"#topic-actions-{question.pk} button", has_text="Follow")
    follow.click()
    page.locator(f"#topic-actions-{question.pk} button[aria-pressed=true]", has_text="Following").wait_for()
    assert Follow.objects.filter(user=forum["reader"], topic=question).exists()
    assert page.evaluate("window.__notReloaded") is True
    assert_accessible(page, "on the topic page after voting ")
