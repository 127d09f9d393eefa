"""Fixtures for the association sites' core pages (tests/cms/test_*.py): the portal, an
association's site under it, its role groups and people, and board seat rules."""

from types import SimpleNamespace

import pytest

from tests.cms.factories import make_association_site, seat_rules_for
from tests.factories import member_of


@pytest.fixture
def portal(db):
    from cms.demo import seed_portal

    return seed_portal()


@pytest.fixture
def western(portal):
    return make_association_site(
        portal, slug="western", short_name="WICSEC", name="Western Intergovernmental Child Support Engagement Council"
    )


@pytest.fixture
def missouri(portal):
    return make_association_site(
        portal, slug="missouri", short_name="MCSEA", name="Missouri Child Support Enforcement Association"
    )


@pytest.fixture
def western_rules(western):
    """WICSEC's seat rules as the demo seeds them (17 seats...)."""
    return seat_rules_for(western.association, "western")


@pytest.fixture
def missouri_rules(missouri):
    return seat_rules_for(missouri.association, "missouri")


@pytest.fixture
def people(western, missouri):
    """An editor and an admin in each association, a WICSEC member and an outsider."""
    from tests.factories import UserFactory

    return SimpleNamespace(
        western_editor=member_of(western.association, "editor"),
        western_admin=member_of(western.association, "admin"),
        western_member=member_of(western.association),
        missouri_editor=member_of(missouri.association, "editor"),
        missouri_admin=member_of(missouri.association, "admin"),
        outsider=UserFactory(),
    )


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
