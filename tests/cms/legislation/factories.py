"""Building association sites and legislative updates through Wagtail for these tests."""

import datetime
import itertools
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.demo import seed_portal
from cms.legislation.models import LegislativeUpdateIndexPage, LegislativeUpdatePage, Level, Status
from cms.models import AssociationHomePage
from members.demo import ensure_reference_jurisdictions
from members.models import Association, Jurisdiction, Role, RoleGroup
from tests.factories import association_with_groups

_numbers = itertools.count(1)


@dataclass
class UpdatesSite:
    association: Association
    home: AssociationHomePage
    index: LegislativeUpdateIndexPage


def updates_site(slug: str = "missouri-test") -> UpdatesSite:
    """An association with its role groups, its site under the portal and a live updates index."""
    portal = seed_portal()
    association = association_with_groups(slug=slug, short_name=slug.upper()[:30], name=f"Association {slug}")
    home = portal.add_child(instance=AssociationHomePage(title=association.name, slug=slug))
    association.home_page = home
    association.save(update_fields=["home_page"])
    index = home.add_child(instance=LegislativeUpdateIndexPage(title="Legislative updates", slug="legislative-updates"))
    index.save_revision().publish()
    return UpdatesSite(association=association, home=home, index=index)


def jurisdiction(code: str) -> Jurisdiction:
    # Transactional (live server) tests flush the migration-loaded jurisdictions.
    ensure_reference_jurisdictions()
    return Jurisdiction.objects.get(code=code)


def update_fields(**overrides) -> dict:
    """Valid fields for a signed Missouri bill; override what the test is about."""
    number = next(_numbers)
    today = timezone.localdate()
    fields = {
        "title": f"HB {1000 + number}: withholding orders for remote employers",
        "slug": f"hb-{1000 + number}",
        "level": Level.STATE,
        "bill_number": f"HB {1000 + number}",
        "status": Status.SIGNED,
        "introduced_date": today - datetime.timedelta(days=200),
        "signed_date": today - datetime.timedelta(days=100),
        "effective_date": today + datetime.timedelta(days=300),
        "summary": "Employers with remote staff in Missouri must honour income withholding orders.",
        "impact_on_practice": "<p>Send e-IWO orders to the employer's payroll address.</p>",
        "source_url": "https://house.mo.gov/",
    }
    fields.update(overrides)
    return fields


def make_update(
    index: LegislativeUpdateIndexPage,
    *,
    jurisdictions=("MO",),
    tags=("e-iwo",),
    publish: bool = True,
    published_at: datetime.datetime | None = None,
    **overrides,
) -> LegislativeUpdatePage:
    """An update added as an editor would in the admin: a child page, a revision (which
    validates the page; nothing is kept if that fails), published unless `publish` is False."""
    update = LegislativeUpdatePage(live=False, first_published_at=published_at, **update_fields(**overrides))
    update.jurisdictions = [jurisdiction(code) for code in jurisdictions]
    update.tags.set(list(tags))
    with transaction.atomic():
        index.add_child(instance=update)
        revision = update.save_revision()
    if publish:
        revision.publish()
        update.refresh_from_db()
    return update


def restrict_to_members(page, association: Association) -> None:
    """Wagtail's own view restriction, to the association's members group."""
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([RoleGroup.objects.get(association=association, role=Role.MEMBER).group])
