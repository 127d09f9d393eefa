"""Events test data, built through Wagtail (add_child, revisions) and the events services."""

import datetime as dt
from decimal import Decimal
from itertools import count

from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.demo import seed_portal
from cms.events.models import CreditKind, EventIndexPage, EventPage, EventSession, SessionCredit
from cms.models import AssociationHomePage
from members.models import Association, Role, RoleGroup
from members.services import ensure_role_groups
from tests.factories import association_with_groups

_slugs = count(1)


def association_site(**kwargs) -> tuple[Association, EventIndexPage]:
    """An association with its role groups, its own home page under the portal and an events index."""
    association = association_with_groups(**kwargs)
    home = seed_portal().add_child(
        instance=AssociationHomePage(title=association.name, slug=association.slug)
    )
    association.home_page = home
    association.save(update_fields=["home_page"])
    ensure_role_groups(association)  # page permissions on the new home page
    index = home.add_child(instance=EventIndexPage(title="Events", slug="events"))
    return association, index


def credit_kind(association, code="cle", name="CLE (general)", minutes_per_hour=50, increment="0.1", **kwargs) -> CreditKind:
    kind, _ = CreditKind.objects.get_or_create(
        association=association, code=code,
        defaults={"name": name, "minutes_per_hour": minutes_per_hour, "increment": increment, **kwargs},
    )
    return kind


def future_day(days=30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def make_event(index: EventIndexPage, *, sessions=(), publish=True, **fields) -> EventPage:
    """An event page under `index` (a one-day workshop 30 days from now unless told),
    published through a revision like an editor's. `sessions`: dicts of EventSession fields
    with an optional "credits": {CreditKind: hours}."""
    day = fields.pop("day", future_day())
    values = {
        "title": "Interstate case processing workshop",
        "slug": f"event-{next(_slugs)}",
        "kind": EventPage.Kind.WORKSHOP,
        "summary": "Hands-on training on intergovernmental referrals.",
        "start_date": day, "start_time": dt.time(9, 0), "end_date": day, "end_time": dt.time(16, 0),
        "time_zone": "America/Chicago",
        "venue_name": "Truman State Office Building",
        "venue_address": "301 W High St\nJefferson City, MO 65101",
        "audience": EventPage.Audience.OPEN,
        **fields,
    }
    event = EventPage(**values)
    for position, session in enumerate(sessions):
        session = dict(session)
        credits = session.pop("credits", {})
        item = EventSession(sort_order=position, **{"date": values["start_date"], **session})
        item.credits = [SessionCredit(credit_kind=kind, hours=Decimal(str(hours))) for kind, hours in credits.items()]
        event.sessions.add(item)
    if not publish:
        event.live = False
    event = index.add_child(instance=event)
    if publish:
        event.save_revision().publish()
    else:
        event.save_revision()
    return EventPage.objects.get(pk=event.pk)


def restrict_to_members(page, association) -> PageViewRestriction:
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([RoleGroup.objects.get(association=association, role=Role.MEMBER).group])
    return restriction


def session(title="Registering an order for enforcement", start=(9, 0), end=(10, 40), **fields) -> dict:
    return {"title": title, "start_time": dt.time(*start), "end_time": dt.time(*end), **fields}
