"""The account pages in Chromium: sign-up and sign-in pass axe, a member signs in through the
form and the header offers "Sign out", and the keyboard reaches the sign-in fields in order."""

import pytest
from allauth.account.models import EmailAddress

from tests.factories import TEST_PASSWORD, UserFactory
from tests.live_server import assert_accessible

pytestmark = pytest.mark.browser

# What the focused element is, as the test reports it.
DESCRIBE_FOCUS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return "body";
  if (element.id) return "#" + element.id;
  if (element.matches("main button[type=submit]")) return "submit:" + element.textContent.trim();
  return element.tagName.toLowerCase() + ":" + element.textContent.trim().slice(0, 30);
}"""


@pytest.fixture
def member(live_url):
    user = UserFactory(email="browser.member@agency.example", display_name="Browser Member")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_sign_up_page_passes_axe_and_shows_labelled_fields(live_url, page):
    response = page.goto(live_url + "/accounts/signup/")
    assert response.status == 200
    assert page.title().startswith("Sign")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign Up"
    assert page.get_by_label("Email").first.is_visible()
    assert page.get_by_label("Password", exact=False).first.is_visible()
    assert_accessible(page)

    # An error keeps the typed email, names the field and passes axe too.
    page.get_by_label("Email").first.fill("someone@agency.example")
    page.locator("#id_password1").fill("granite-orchard-ledger-2031")
    page.locator("#id_password2").fill("something-else-entirely-2031")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    error = page.locator("#id_password2_error")
    assert error.is_visible()
    assert error.get_attribute("role") == "alert"
    assert page.locator("#id_password2").get_attribute("aria-describedby") == "id_password2_error"
    assert page.locator("#id_email").input_value() == "someone@agency.example"
    assert_accessible(page, "after a sign-up error ")


def test_login_page_passes_axe(live_url, page):
    response = page.goto(live_url + "/accounts/login/")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Sign In"
    assert_accessible(page)


def test_member_signs_in_through_the_form_and_sees_sign_out(live_url, page, member):
    page.goto(live_url + "/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(live_url + "/")
    header = page.locator("header")
    assert header.get_by_role("button", name="Sign out").is_visible()
    assert header.get_by_role("link", name="My profile").is_visible()
    assert header.get_by_role("link", name="Sign in").count() == 0

    # Signing out is a POST from the header; afterwards "Sign in" is back.
    header.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.locator("header").get_by_role("link", name="Sign in").is_visible()


def test_wrong_password_in_the_browser_keeps_the_email(live_url, page, member):
    page.goto(live_url + "/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.inner_text().startswith("The email address and/or password")
    assert page.get_by_label("Email").input_value() == member.email
    assert page.get_by_label("Password").input_value() == ""
    assert_accessible(page, "after a failed sign-in ")


def test_keyboard_reaches_email_password_and_submit_in_order(live_url, page):
    page.goto(live_url + "/accounts/login/")
    visited = []
    for _press in range(40):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(DESCRIBE_FOCUS))
        if visited[-1].startswith("submit:"):
            break
    assert "#id_login" in visited, visited
    assert "#id_password" in visited, visited
    assert visited[-1] == "submit:Sign In", visited
    assert visited.index("#id_login") < visited.index("#id_password") < len(visited) - 1
    # Typing works where the keyboard lands.
    page.locator("#id_login").focus()
    page.keyboard.type("typed@agency.example")
    assert page.locator("#id_login").input_value() == "typed@agency.example"
