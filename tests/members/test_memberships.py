"""Membership applications, decisions and roles: services and views."""

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from config import events
from members import permissions, services
from members.models import Association, Membership, Role, RoleAssignment
from tests.factories import (
    EligibilityCategoryFactory,
    JurisdictionFactory,
    UserFactory,
    association_with_groups,
    member_of,
    staff_decider,
)

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def association():
    association = association_with_groups(short_name="MCSEA", slug="missouri", contact_email="office@mcsea.example")
    EligibilityCategoryFactory(association=association, code="A", name="Court clerks and staff")
    return association


def application_data(association, **overrides):
    data = {
        "eligibility_category": association.eligibility_categories.get(code="A").pk,
        "agency": "Greene County Circuit Clerk",
        "jurisdiction": JurisdictionFactory().pk,
        "job_title": "Deputy clerk",
        "statement": "I handle UIFSA registrations.",
        "confirm": "on",
    }
    data.update(overrides)
    return data


# --- Services ---------------------------------------------------------------------------


def test_apply_rejects_a_category_the_association_does_not_offer(association):
    other = EligibilityCategoryFactory()
    with pytest.raises(services.ApplicationError) as error:
        services.apply_for_membership(
            UserFactory(), association, eligibility_category=other, agency="x", jurisdiction=JurisdictionFactory(), job_title="x"
        )
    assert "does not offer that category" in str(error.value)
    assert not Membership.objects.exists()


def test_apply_twice_is_refused_but_a_rejected_applicant_may_apply_again(association):
    user = member_of(association, status="applied")
    category = association.eligibility_categories.first()
    with pytest.raises(services.ApplicationError, match="already waiting"):
        services.apply_for_membership(
            user, association, eligibility_category=category, agency="x", jurisdiction=JurisdictionFactory(), job_title="x"
        )
    services.reject_membership(user.memberships.get(), by=staff_decider(), reason="Not in Missouri.")
    again = services.apply_for_membership(
        user, association, eligibility_category=category, agency="y", jurisdiction=JurisdictionFactory(), job_title="y"
    )
    assert again.status == Membership.Status.APPLIED and again.decision_reason == "" and again.agency == "y"


def test_approval_grants_access_and_emails_the_applicant(association, django_capture_on_commit_callbacks):
    user = member_of(association, status="applied")
    membership = user.memberships.get()
    members_audience = permissions.audience_for_role(association, Role.MEMBER)
    assert members_audience not in permissions.audience_ids(user)
    heard = []
    events.subscribe("membership_decided", lambda **payload: heard.append(payload))

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_membership(membership, by=staff_decider(), reason="Welcome")

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and membership.starts_on is not None
    assert members_audience in permissions.audience_ids(user)
    assert heard == [{"membership_id": membership.pk, "status": "active"}]
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "is now active" in mail.outbox[0].body


def test_nobody_can_approve_their_own_application(association):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    member_of(association, status="applied", user=superuser)
    with pytest.raises(PermissionDenied):
        services.approve_membership(superuser.memberships.get(), by=superuser)


def test_a_member_cannot_approve_or_raise_roles(association):
    member = member_of(association)
    applicant = member_of(association, status="applied")
    with pytest.raises(PermissionDenied):
        services.approve_membership(applicant.memberships.get(), by=member)
    with pytest.raises(PermissionDenied):
        services.assign_role(member.memberships.get(), Role.ADMIN, by=member)
    admin = member_of(association, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.assign_role(admin.memberships.get(), Role.BOARD, by=admin)


def test_lapsing_removes_members_only_access_at_once(association):
    board_member = member_of(association, Role.BOARD)
    assert permissions.audience_for_role(association, Role.BOARD) in permissions.audience_ids(board_member)
    services.lapse_membership(board_member.memberships.get(), by=staff_decider(), reason="Dues unpaid.")
    audiences = permissions.audience_ids(board_member)
    assert audiences == {permissions.PUBLIC, permissions.SIGNED_IN}
    assert not permissions.is_active_member(board_member, association)


def test_expired_memberships_lapse(association):
    import datetime

    member = member_of(association)
    membership = member.memberships.get()
    membership.expires_on = datetime.date(2026, 6, 30)
    membership.save()
    assert services.lapse_expired_memberships(today=datetime.date(2026, 7, 1)) == 1
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LAPSED
    assert permissions.audience_ids(member) == {permissions.PUBLIC, permissions.SIGNED_IN}


# --- Views ---------------------------------------------------------------------------------


def test_apply_page_shows_categories_to_anyone(client, association):
    response = client.get(reverse("members:apply", args=[association.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A. Court clerks and staff" in html
    assert reverse("account_login") in html


def test_apply_form_with_forged_category_keeps_what_was_typed(client, association):
    user = UserFactory()
    client.force_login(user)
    foreign_category = EligibilityCategoryFactory()
    response = client.post(
        reverse("members:apply", args=[association.slug]),
        application_data(association, eligibility_category=foreign_category.pk),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of this association&#x27;s eligibility categories." in html
    assert 'value="Greene County Circuit Clerk"' in html
    assert "I handle UIFSA registrations." in html
    assert not Membership.objects.exists()


@pytest.mark.parametrize("field,value,message", [
    ("jurisdiction", "999999", "Choose a jurisdiction from the list."),
    ("agency", "", "This field is required."),
    ("confirm", "", "This field is required."),
])
def test_apply_form_errors_are_clear_and_nothing_is_saved(client, association, field, value, message):
    client.force_login(UserFactory())
    response = client.post(reverse("members:apply", args=[association.slug]), application_data(association, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Membership.objects.exists()


def test_apply_then_admin_approves_through_the_queue(client, association, django_capture_on_commit_callbacks):
    applicant = UserFactory()
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:apply", args=[association.slug]), application_data(association))
    assert response.status_code == 302
    membership = Membership.objects.get(user=applicant)
    assert membership.status == Membership.Status.APPLIED
    assert mail.outbox[-1].to == ["office@mcsea.example"]

    admin = member_of(association, Role.ADMIN)
    client.force_login(admin)
    queue = client.get(reverse("members:application_queue", args=[association.slug]))
    assert applicant.email in queue.content.decode()
    for guard_page in ("forum:guard_settings", "forum:guard_report"):  # the admins' way to the guard
        assert reverse(guard_page, args=[association.slug]) in queue.content.decode()
    decision_url = reverse("members:application_decision", args=[association.slug, membership.pk])
    rejected_without_reason = client.post(decision_url, {"decide": "1", "decision": "reject", "reason": ""})
    assert rejected_without_reason.status_code == 400
    assert "Say why the application is rejected" in rejected_without_reason.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(decision_url, {"decide": "1", "decision": "approve", "reason": "Welcome aboard"})
    assert approved.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and membership.decided_by == admin
    assert mail.outbox[-1].to == [applicant.email]


def test_queue_is_forbidden_to_members_and_other_associations_admins(client, association):
    other_admin = member_of(association_with_groups(short_name="WICSEC", slug="western"), Role.ADMIN)
    for user in (member_of(association), member_of(association, Role.MODERATOR), other_admin):
        client.force_login(user)
        assert client.get(reverse("members:application_queue", args=[association.slug])).status_code == 403


def test_admin_cannot_decide_or_change_roles_on_their_own_membership(client, association):
    admin = member_of(association, Role.ADMIN)
    own = admin.memberships.get()
    client.force_login(admin)
    decision_url = reverse("members:application_decision", args=[association.slug, own.pk])
    assert "This is your own membership" in client.get(decision_url).content.decode()
    assert client.post(decision_url, {"lapse": "1", "reason": "x"}).status_code == 403
    roles_url = reverse("members:membership_roles", args=[association.slug, own.pk])
    assert client.post(roles_url, {"roles": [Role.BOARD]}).status_code == 403
    assert not RoleAssignment.objects.filter(membership=own, role=Role.BOARD).exists()


def test_admin_sets_roles_and_groups_follow(client, association):
    admin = member_of(association, Role.ADMIN)
    member = member_of(association)
    membership = member.memberships.get()
    client.force_login(admin)
    roles_url = reverse("members:membership_roles", args=[association.slug, membership.pk])
    client.post(roles_url, {"roles": [Role.MODERATOR, Role.BOARD]})
    assert set(membership.role_assignments.values_list("role", flat=True)) == {Role.MODERATOR, Role.BOARD}
    member.refresh_from_db()
    assert permissions.can_moderate(member, association)
    client.post(roles_url, {"roles": [Role.BOARD]})
    assert not permissions.can_moderate(member, association)
    forged = client.post(roles_url, {"roles": ["superuser"]})
    assert forged.status_code == 302
    assert set(membership.role_assignments.values_list("role", flat=True)) == {Role.BOARD}


def test_members_only_page_follows_membership(client):
    call_command("seed_demo", stdout=io.StringIO())
    association = Association.objects.get(slug="missouri")
    page_url = association.home_page.url + "members-corner/"
    assert client.get(page_url).status_code == 302  # to sign in
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(page_url).status_code != 200
    member = member_of(association, user=outsider)
    assert client.get(page_url).status_code == 200
    services.lapse_membership(member.memberships.get(association=association), by=staff_decider(), reason="Left.")
    assert client.get(page_url).status_code != 200
