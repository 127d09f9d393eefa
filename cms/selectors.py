"""Reads shared by the association sites' page types, filtered by what the viewer may see
and with related rows loaded up front."""

from django.urls import reverse
from wagtail.models import Page

from members.models import Association

HOME_PAGE_TOPIC_COUNT = 5
HOME_PAGE_LISTING_LENGTH = 3


def association_for_page(page: Page) -> Association | None:
    """The association whose site holds `page` (None on the Comity portal itself)."""
    from cms.models import AssociationHomePage

    home = AssociationHomePage.objects.ancestor_of(page, inclusive=True).first()
    if home is None:
        return None
    return Association.objects.filter(home_page_id=home.pk).first()


def association_of_home(home: Page) -> Association | None:
    return Association.objects.filter(home_page_id=home.pk).first()


def recent_forum_topics(user, association: Association | None, limit: int = HOME_PAGE_TOPIC_COUNT) -> list:
    """The association's most recently active forum topics that `user` may see."""
    if association is None:
        return []
    from forum.selectors import visible_topics

    return list(
        visible_topics(user)
        .filter(category__association=association)
        .select_related("category")
        .order_by("-last_activity_at")[:limit]
    )


def home_page_sections(home: Page, user) -> dict:
    """What an association's home page shows: its latest newsletter issue, latest
    legislative updates, upcoming events (public, live pages, from their own apps) and the
    recent forum topics `user` may see. A fixed number of queries however much exists."""
    from cms.events.selectors import upcoming_events_for
    from cms.legislation.selectors import recent_updates_for
    from cms.newsletters.selectors import latest_issue_for

    association = association_of_home(home)
    return {
        "association": association,
        "latest_issue": latest_issue_for(home),
        "recent_updates": list(recent_updates_for(home, limit=HOME_PAGE_LISTING_LENGTH)),
        "upcoming_events": list(upcoming_events_for(home, limit=HOME_PAGE_LISTING_LENGTH)),
        "recent_topics": recent_forum_topics(user, association),
        "section_pages": list(home.get_children().live().public().in_menu()),
    }


def board_roster(board_page) -> dict:
    """The board page's directors with what each row shows, and the seat rules in force."""
    from cms.models import board_composition_of

    directors = list(
        board_page.directors.select_related("member", "jurisdiction", "seat_type").order_by("sort_order")
    )
    association = association_for_page(board_page)
    composition = board_composition_of(association)
    seat_rules = (
        [(seat_type, seat_type.rule_summary(composition.home_jurisdiction)) for seat_type in composition.seat_types.all()]
        if composition else []
    )
    return {
        "association": association,
        "directors": directors,
        "composition": composition,
        "seat_rules": seat_rules,
        "vacant_seats": max(composition.total_seats - len(directors), 0) if composition else None,
    }


def membership_offer(membership_page, user) -> dict:
    """The association's eligibility categories and where (and whether) `user` can apply."""
    from members import permissions
    from members.models import Membership
    from members.selectors import eligibility_categories

    association = association_for_page(membership_page)
    if association is None:
        return {"association": None, "categories": [], "apply_url": None, "membership": None}
    membership = None
    if user.is_authenticated:
        membership = Membership.objects.filter(user=user, association=association).first()
    return {
        "association": association,
        "categories": list(eligibility_categories(association)),
        "apply_url": reverse("members:apply", args=[association.slug]),
        "membership": membership,
        "is_member": permissions.is_active_member(user, association),
    }
