import pytest

from tests.cms.legislation.factories import updates_site


@pytest.fixture
def site(db):
    return updates_site()
