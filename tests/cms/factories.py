"""Helpers that build the association sites' core pages for tests (tests/cms/test_*.py and
tests/browser/test_cms_core.py): an association's site under the portal, board seat rules
and rosters."""

import datetime
from types import SimpleNamespace

from tests.factories import AssociationFactory, JurisdictionFactory


def make_association_site(portal, *, slug: str, short_name: str, name: str):
    """An association whose home page sits under the portal, with its role groups (and so
    its editors' and admins' page permissions)."""
    from cms.models import AssociationHomePage
    from members.services import ensure_role_groups

    association = AssociationFactory(slug=slug, short_name=short_name, name=name)
    home = portal.add_child(instance=AssociationHomePage(title=name, slug=slug, tagline=f"{short_name} on Comity"))
    association.home_page = home
    association.save(update_fields=["home_page"])
    ensure_role_groups(association)
    return SimpleNamespace(association=association, home=home)


def seat_rules_for(association, demo_slug: str):
    from cms.demo import BOARD_RULES
    from cms.models import BoardComposition, BoardSeatType

    rules = BOARD_RULES[demo_slug]
    composition = BoardComposition(
        association=association, total_seats=rules["total_seats"], summary=rules["summary"],
        home_jurisdiction=JurisdictionFactory(code=rules["home"]) if rules["home"] else None,
    )
    composition.seat_types = [
        BoardSeatType(name=name, description=description, min_directors=least, max_directors=most, residency=residency)
        for name, description, least, most, residency in rules["seat_types"]
    ]
    composition.save()
    return composition


def director(composition, seat: str, code: str = "OR", name: str = "Alex Director", **kwargs):
    """An unsaved BoardDirector in `seat` residing in jurisdiction `code`."""
    from cms.models import BoardDirector
    from members.models import Jurisdiction

    return BoardDirector(
        name=name,
        seat_type=composition.seat_types.get(name=seat),
        jurisdiction=Jurisdiction.objects.get(code=code),
        term_start=kwargs.pop("term_start", datetime.date(2026, 7, 1)),
        term_end=kwargs.pop("term_end", datetime.date(2028, 6, 30)),
        **kwargs,
    )


def valid_western_roster(composition) -> list:
    """Seventeen directors who meet WICSEC's rules."""
    roster = [
        director(composition, "State IV-D director", "AK", "Mark Henley"),
        director(composition, "IV-D employee", "WA", "Teresa Nakamura"),
        director(composition, "Private sector", "CO", "Daniel Whitfield"),
        director(composition, "At-large", "OH", "Marcus Reid"),
    ]
    codes = ["OR", "CA", "NV", "UT", "AZ", "NM", "TX", "OK", "KS", "NE", "MN", "HI", "tribe-navajo-nation"]
    roster += [director(composition, "Director", code, f"Director {code}") for code in codes]
    return roster
