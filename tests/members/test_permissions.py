"""The permission source over a matrix of people × audiences, and the role checks every
other app relies on."""

import pytest
from django.contrib.auth.models import AnonymousUser

from members import permissions
from members.models import Role
from tests.factories import UserFactory, association_with_groups, member_of

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


class Content:
    """Anything with audience ids, as forum categories, pages and search documents have."""

    def __init__(self, *audience_ids):
        self.audience_ids = audience_ids


@pytest.fixture
def world():
    a = association_with_groups(short_name="AAA", slug="aaa")
    b = association_with_groups(short_name="BBB", slug="bbb")
    people = {
        "anonymous": AnonymousUser(),
        "signed-in": UserFactory(),
        "applicant": member_of(a, status="applied"),
        "member": member_of(a),
        "moderator": member_of(a, Role.MODERATOR),
        "editor": member_of(a, Role.EDITOR),
        "admin": member_of(a, Role.ADMIN),
        "board": member_of(a, Role.BOARD),
        "other-association": member_of(b),
        "lapsed": member_of(a, Role.BOARD, status="lapsed"),
        "rejected": member_of(a, status="rejected"),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    audiences = {
        "public": Content(permissions.PUBLIC),
        "signed-in": Content(permissions.SIGNED_IN),
        "members of A": Content(permissions.audience_for_role(a, Role.MEMBER)),
        "board of A": Content(permissions.audience_for_role(a, Role.BOARD)),
        "members of B": Content(permissions.audience_for_role(b, Role.MEMBER)),
        "A's board or B's members": Content(
            permissions.audience_for_role(a, Role.BOARD), permissions.audience_for_role(b, Role.MEMBER)
        ),
    }
    return a, b, people, audiences


# Who may see what. Every cell of the matrix is asserted.
CAN_VIEW = {
    "anonymous": {"public"},
    "signed-in": {"public", "signed-in"},
    "applicant": {"public", "signed-in"},
    "member": {"public", "signed-in", "members of A"},
    "moderator": {"public", "signed-in", "members of A"},
    "editor": {"public", "signed-in", "members of A"},
    "admin": {"public", "signed-in", "members of A"},
    "board": {"public", "signed-in", "members of A", "board of A", "A's board or B's members"},
    "other-association": {"public", "signed-in", "members of B", "A's board or B's members"},
    "lapsed": {"public", "signed-in"},
    "rejected": {"public", "signed-in"},
    "superuser": {"public", "signed-in", "members of A", "board of A", "members of B", "A's board or B's members"},
}


def test_can_view_matrix(world):
    _, _, people, audiences = world
    assert set(CAN_VIEW) == set(people)
    for person, user in people.items():
        visible = {name for name, content in audiences.items() if permissions.can_view(user, content)}
        assert visible == CAN_VIEW[person], person


ROLE_CHECKS = {
    #                 moderate  edit pages  manage memberships
    "anonymous": (False, False, False),
    "signed-in": (False, False, False),
    "applicant": (False, False, False),
    "member": (False, False, False),
    "moderator": (True, False, False),
    "editor": (False, True, False),
    "admin": (True, True, True),
    "board": (False, False, False),
    "other-association": (False, False, False),
    "lapsed": (False, False, False),
    "rejected": (False, False, False),
    "superuser": (True, True, True),
}


def test_role_checks_are_scoped_to_the_association(world):
    a, b, people, _ = world
    for person, user in people.items():
        expected = ROLE_CHECKS[person]
        actual = (
            permissions.can_moderate(user, a),
            permissions.can_edit_pages(user, a),
            permissions.can_manage_memberships(user, a),
        )
        assert actual == expected, person
        if person != "superuser":
            # Nobody but a superuser holds A's powers in B.
            assert not permissions.can_moderate(user, b), person
            assert not permissions.can_manage_memberships(user, b), person


def test_directory_is_for_active_members_only(world):
    _, _, people, _ = world
    allowed = {person for person, user in people.items() if permissions.can_view_directory(user)}
    assert allowed == {"member", "moderator", "editor", "admin", "board", "other-association", "superuser"}


def test_nobody_decides_their_own_application_or_changes_their_own_roles(world):
    a, _, people, _ = world
    admin = people["admin"]
    own = admin.memberships.get(association=a)
    someone_else = people["member"].memberships.get(association=a)
    assert not permissions.can_decide_application(admin, own)
    assert permissions.can_decide_application(admin, someone_else)
    assert not permissions.can_assign_role(admin, own, Role.BOARD)
    assert permissions.can_assign_role(admin, someone_else, Role.BOARD)
    assert not permissions.can_assign_role(people["moderator"], someone_else, Role.BOARD)


def test_an_inactive_account_holds_no_audiences_whatever_its_groups(world):
    _, _, people, _ = world
    board = people["board"]
    board.is_active = False
    assert permissions.audience_ids(board) == {permissions.PUBLIC}
    assert permissions.roles_by_association(board) == {}


def test_editors_edit_only_their_own_associations_pages():
    from django.core.management import call_command

    from members.models import Association

    call_command("seed_demo", stdout=__import__("io").StringIO())
    western, missouri = Association.objects.get(slug="western"), Association.objects.get(slug="missouri")
    editor = member_of(missouri, Role.EDITOR)
    assert missouri.home_page.permissions_for_user(editor).can_edit()
    assert not western.home_page.permissions_for_user(editor).can_edit()
    assert not missouri.home_page.permissions_for_user(editor).can_publish()
    admin = member_of(missouri, Role.ADMIN)
    assert missouri.home_page.permissions_for_user(admin).can_publish()
    assert not western.home_page.permissions_for_user(admin).can_edit()
    plain_member = member_of(missouri)
    assert not missouri.home_page.permissions_for_user(plain_member).can_edit()
