"""@mention autocomplete in Chromium (static/js/mentions.js on the reply box): typing "@"
and a few letters of a member's name shows an accessible list of suggestions; the keyboard
moves through it and Enter inserts the handle without sending the form; Escape closes it.
The page passes axe with the list open."""

import re

import pytest

from forum.models import Post
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory, make_topic
from tests.live_server import assert_accessible, sign_in_with_session

pytestmark = pytest.mark.browser


@pytest.fixture
def forum(live_url):
    association = association_with_groups(name="Western Interstate Council", short_name="WIC", slug="west")
    category = CategoryFactory(association=association, name="Interstate cases", slug="interstate-cases")
    asker = member_of(association, user=UserFactory(username="asha", display_name="Asha Asker"))
    replier = member_of(association, user=UserFactory(username="ben", display_name="Ben Replier"))
    member_of(association, user=UserFactory(username="mquintero", display_name="Marisol Quintero"))
    member_of(association, user=UserFactory(username="mariaj", display_name="Maria Jensen"))
    topic = make_topic(asker, category, kind="discussion", title="Who handles tribal income withholding?")
    return topic, replier


def test_choose_a_member_to_mention_with_the_keyboard(live_url, page, forum):
    topic, replier = forum
    sign_in_with_session(page, live_url, replier)
    page.goto(f"{live_url}{topic.get_absolute_url()}")
    box = page.get_by_label("Your reply")
    box.click()
    box.press_sequentially("Ask @Mari", delay=40)

    suggestions = page.get_by_role("listbox", name="Members to mention")
    suggestions.wait_for(state="visible")
    options = suggestions.get_by_role("option")
    assert options.all_inner_texts() == ["Maria Jensen (@mariaj)", "Marisol Quintero (@mquintero)"]
    assert box.get_attribute("aria-controls") == suggestions.get_attribute("id")
    assert box.get_attribute("aria-autocomplete") == "list"
    assert "2 members found" in page.locator("[role=status]", has_text="members found").inner_text()

    box.press("ArrowDown")
    box.press("ArrowDown")
    chosen = options.nth(1)
    assert chosen.get_attribute("aria-selected") == "true"
    assert options.nth(0).get_attribute("aria-selected") == "false"
    assert box.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    assert page.evaluate("document.activeElement.name") == "body"  # focus stays in the box
    assert_accessible(page, "with the mention suggestions open ")

    box.press("Enter")
    assert box.input_value() == "Ask @mquintero "
    assert suggestions.is_hidden()
    assert box.get_attribute("aria-activedescendant") is None
    assert not Post.objects.filter(topic=topic, position=2).exists()  # Enter chose; it did not send

    # Typing on; Escape closes a new list and leaves the text as typed.
    box.press_sequentially("and @ash", delay=40)
    suggestions.wait_for(state="visible")
    assert suggestions.get_by_role("option").all_inner_texts() == ["Asha Asker (@asha)"]
    box.press("Escape")
    assert suggestions.is_hidden()
    box.press_sequentially(" about the e-IWO.", delay=10)
    assert box.input_value() == "Ask @mquintero and @ash about the e-IWO."

    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(re.compile(r"#post-\d+$"))
    assert Post.objects.get(topic=topic, position=2).body == "Ask @mquintero and @ash about the e-IWO."
    assert_accessible(page, "after posting the reply ")
