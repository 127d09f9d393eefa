"""The people and places most forum tests start from: one association with a members-only
category, two members and a moderator. A module that needs something else defines its own
fixture of the same name."""

import pytest

from members.models import Role
from tests.factories import UserFactory, association_with_groups, member_of
from tests.forum.factories import CategoryFactory


@pytest.fixture
def association():
    return association_with_groups()


@pytest.fixture
def category(association):
    return CategoryFactory(association=association)  # members only


@pytest.fixture
def member(association):
    return member_of(association, user=UserFactory(display_name="Priya Natarajan"))


@pytest.fixture
def other_member(association):
    return member_of(association, user=UserFactory(display_name="Marcus Bell"))


@pytest.fixture
def moderator(association):
    return member_of(association, Role.MODERATOR, user=UserFactory(display_name="Grace Yazzie"))
