"""Reads of legislative updates, filtered by what the viewer may see, with jurisdictions and
tags loaded up front so a listing costs the same few queries however many updates it shows."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from cms.legislation.models import (
    STATUSES_THAT_NEVER_TAKE_EFFECT,
    LegislativeUpdateIndexPage,
    LegislativeUpdatePage,
)
from members import permissions
from members.models import Association, Jurisdiction

FEED_LENGTH = 30


def with_listing_relations(updates: QuerySet) -> QuerySet:
    """What a listing row shows (summary line, tags) in two queries for any number of rows."""
    return updates.prefetch_related(
        Prefetch("jurisdictions", queryset=Jurisdiction.objects.order_by("kind", "name")),
        "tags",
    )


def newest_first(updates: QuerySet) -> QuerySet:
    return updates.order_by("-first_published_at", "-pk")


def public_updates(section: Page) -> QuerySet:
    """Live updates under `section` (an association home or an index) that anyone may read:
    no view restriction on them or above them. For feeds and the home page."""
    return LegislativeUpdatePage.objects.descendant_of(section).live().public()


def hidden_sections_q(viewer) -> Q:
    """Pages under a view restriction `viewer` does not pass, as a Q to exclude. Group
    restrictions are answered by the permission source (audience ids); a password
    restriction hides its pages from listings (the password is asked for on the page)."""
    if permissions.sees_everything(viewer):
        return Q(pk__in=[])
    held = permissions.audience_ids(viewer)
    signed_in = permissions.SIGNED_IN in held
    hidden = Q()
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        if restriction.restriction_type == PageViewRestriction.LOGIN and signed_in:
            continue
        if restriction.restriction_type == PageViewRestriction.GROUPS and any(
            permissions.group_audience(group.pk) in held for group in restriction.groups.all()
        ):
            continue
        hidden |= Q(path__startswith=restriction.page.path)
    return hidden if hidden else Q(pk__in=[])


def visible_updates(viewer, section: Page) -> QuerySet:
    """Live updates under `section` that `viewer` may open (members see members-only ones)."""
    return LegislativeUpdatePage.objects.descendant_of(section).live().exclude(hidden_sections_q(viewer))


def filter_updates(
    updates: QuerySet,
    *,
    jurisdiction: str | None = None,
    level: str | None = None,
    status: str | None = None,
    year: int | None = None,
) -> QuerySet:
    """Narrow `updates`: a jurisdiction code, a level, a status, and a year in which any key
    date (introduced, signed, effective) falls."""
    if jurisdiction:
        updates = updates.filter(jurisdictions__code=jurisdiction)
    if level:
        updates = updates.filter(level=level)
    if status:
        updates = updates.filter(status=status)
    if year:
        updates = updates.filter(
            Q(introduced_date__year=year) | Q(signed_date__year=year) | Q(effective_date__year=year)
        )
    return updates


def effective_soon(updates: QuerySet, *, days: int, today: datetime.date | None = None) -> QuerySet:
    """Updates taking effect from today through `days` days ahead, soonest first (not vetoed
    or withdrawn ones: nothing of theirs takes effect)."""
    today = today or timezone.localdate()
    return (
        updates.filter(effective_date__gte=today, effective_date__lte=today + datetime.timedelta(days=days))
        .exclude(status__in=STATUSES_THAT_NEVER_TAKE_EFFECT)
        .order_by("effective_date", "title", "pk")
    )


@dataclass(frozen=True)
class FilterChoices:
    jurisdictions: list[Jurisdiction]
    years: list[int]


def filter_choices(updates: QuerySet) -> FilterChoices:
    """The jurisdictions and years that the viewer's updates use (two queries), so every
    choice in the filter form finds something and hidden updates reveal nothing."""
    update_ids = updates.order_by().values("pk")
    jurisdictions = list(
        Jurisdiction.objects.filter(legislative_updates__in=update_ids).distinct().order_by("kind", "name")
    )
    bounds = updates.order_by().aggregate(
        *[function(field) for function in (Min, Max) for field in ("introduced_date", "signed_date", "effective_date")]
    )
    known = [value for value in bounds.values() if value]
    years = list(range(max(known).year, min(known).year - 1, -1)) if known else []
    return FilterChoices(jurisdictions=jurisdictions, years=years)


def index_page_of(association_home: Page) -> LegislativeUpdateIndexPage | None:
    return LegislativeUpdateIndexPage.objects.child_of(association_home).live().first()


def recent_updates_for(association_home: Page, limit: int = 3) -> list[LegislativeUpdatePage]:
    """The association's latest live, public updates, newest first, for its home page.
    Each has `summary_line` ready without further queries."""
    return list(with_listing_relations(newest_first(public_updates(association_home)))[:limit])


def feed_updates(association_home: Page) -> list[LegislativeUpdatePage]:
    return list(with_listing_relations(newest_first(public_updates(association_home)))[:FEED_LENGTH])


def association_for_feed(slug: str) -> tuple[Association, LegislativeUpdateIndexPage]:
    """The association and its live, public updates index; LegislativeUpdateIndexPage.DoesNotExist
    (or Association.DoesNotExist) when it has none anyone may read."""
    association = Association.objects.select_related("home_page").get(slug=slug, home_page__isnull=False)
    index_page = LegislativeUpdateIndexPage.objects.child_of(association.home_page).live().public().get()
    return association, index_page


def association_indexes() -> list[tuple[Association, LegislativeUpdateIndexPage]]:
    """Each association whose site has a live, public updates index, by name (two queries)."""
    associations = list(Association.objects.filter(home_page__live=True).select_related("home_page").order_by("name"))
    if not associations:
        return []
    homes_by_path = {association.home_page.path: association for association in associations}
    children_of_homes = Q()
    for association in associations:
        children_of_homes |= Q(path__startswith=association.home_page.path, depth=association.home_page.depth + 1)
    indexes = {}
    for page in LegislativeUpdateIndexPage.objects.live().public().filter(children_of_homes):
        indexes[homes_by_path[page.path[: -Page.steplen]].pk] = page
    return [(association, indexes[association.pk]) for association in associations if association.pk in indexes]
