"""The membership page: the association's eligibility categories (from the members app),
"why join", and the way to its application form."""

import pytest
from django.urls import reverse

from cms.models import MembershipPage
from tests.factories import EligibilityCategoryFactory, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def membership_page(western, missouri):
    EligibilityCategoryFactory(association=western.association, code="STATE", name="State IV-D agency staff",
                               description="Caseworkers, attorneys and managers of a western state's agency.", position=1)
    EligibilityCategoryFactory(association=western.association, code="RETIRED", name="Retirees", voting=False, position=2)
    EligibilityCategoryFactory(association=western.association, code="OLD", name="Discontinued category", is_active=False, position=3)
    EligibilityCategoryFactory(association=missouri.association, code="A", name="Court clerks and staff")
    page = western.home.add_child(instance=MembershipPage(
        title="Membership", slug="membership", intro="Join the council.",
        why_join=[("paragraph", "<p>Know who to call in the other jurisdiction.</p>")],
    ))
    page.save_revision().publish()
    return page


def test_lists_the_associations_active_categories_and_links_to_its_application_form(client, membership_page):
    response = client.get(membership_page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Membership</h1>" in html
    assert "Know who to call in the other jurisdiction." in html
    assert [str(category) for category in response.context["categories"]] == [
        "STATE. State IV-D agency staff", "RETIRED. Retirees",
    ]
    assert "Caseworkers, attorneys and managers of a western state&#x27;s agency." in html
    assert "Non-voting" in html
    assert "Discontinued category" not in html and "Court clerks and staff" not in html
    assert f'<a class="usa-button" href="{reverse("members:apply", args=["western"])}">Apply to join WICSEC</a>' in html


def test_a_member_is_told_they_belong_and_an_applicant_that_they_are_waiting(client, western, membership_page):
    client.force_login(member_of(western.association))
    html = client.get(membership_page.url).content.decode()
    assert "You are a member of WICSEC." in html and "Apply to join" not in html

    client.force_login(member_of(western.association, status="applied"))
    html = client.get(membership_page.url).content.decode()
    assert "Your application to WICSEC is waiting for a decision." in html and "Apply to join" not in html


def test_one_membership_page_per_association(western, membership_page):
    assert not MembershipPage.can_create_at(western.home)
