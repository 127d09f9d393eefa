"""Reads for associations, memberships and the directory, already filtered by what the
viewer may see and with related rows loaded up front."""

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from members import permissions
from members.models import Association, EligibilityCategory, Membership


# Signals below forget the list whenever it may change; the timeout only bounds how long a
# change made where they cannot see it (a queryset update, raw SQL) would stay unseen.
SWITCHER_CACHE_SECONDS = 60 * 60


def switcher_cache_key() -> str:
    # Per database: test runs (or a staging copy) may share one Redis with another database.
    return f"members:association-switcher:{connection.settings_dict['NAME']}"


def associations_for_switcher() -> list[Association]:
    """Associations with a published home page, for the header's association switcher (and
    footer) on every page. They change a few times a year, so the list is cached rather
    than read on each request, and forgotten when an association or a page is saved or
    deleted, or a page is published, unpublished, renamed or moved."""
    associations = cache.get(switcher_cache_key())
    if associations is None:
        associations = list(
            Association.objects.filter(home_page__live=True).select_related("home_page").order_by("name")
        )
        cache.set(switcher_cache_key(), associations, SWITCHER_CACHE_SECONDS)
    return associations


def forget_associations_for_switcher(**kwargs) -> None:
    """Drop the cached switcher list now and again after the current transaction commits
    (so a request that reads between the change and the commit cannot cache the old list
    for long)."""
    key = switcher_cache_key()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _forget_switcher_on_page_change(sender, instance, **kwargs) -> None:
    # post_save and post_delete name the concrete page class as the sender, so they are
    # received for every model and filtered here.
    if isinstance(instance, Page):
        forget_associations_for_switcher()


post_save.connect(forget_associations_for_switcher, sender=Association, dispatch_uid="members-switcher-association-saved")
post_delete.connect(forget_associations_for_switcher, sender=Association, dispatch_uid="members-switcher-association-deleted")
post_save.connect(_forget_switcher_on_page_change, dispatch_uid="members-switcher-page-saved")
post_delete.connect(_forget_switcher_on_page_change, dispatch_uid="members-switcher-page-deleted")
page_published.connect(forget_associations_for_switcher, dispatch_uid="members-switcher-page-published")
page_unpublished.connect(forget_associations_for_switcher, dispatch_uid="members-switcher-page-unpublished")
page_slug_changed.connect(forget_associations_for_switcher, dispatch_uid="members-switcher-page-renamed")
post_page_move.connect(forget_associations_for_switcher, dispatch_uid="members-switcher-page-moved")


def eligibility_categories(association: Association) -> QuerySet[EligibilityCategory]:
    return association.eligibility_categories.filter(is_active=True).order_by("position", "code")


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("association", "eligibility_category", "jurisdiction", "region", "decided_by")
        .prefetch_related("role_assignments")
        .order_by("association__name")
    )


def application_queue(viewer, association: Association, status: str = Membership.Status.APPLIED) -> QuerySet[Membership]:
    """Memberships of `association` for its admins to review; empty for anyone else."""
    if not permissions.can_manage_memberships(viewer, association):
        return Membership.objects.none()
    return (
        Membership.objects.filter(association=association, status=status)
        .select_related("user", "eligibility_category", "jurisdiction", "region", "decided_by")
        .prefetch_related("role_assignments")
        .order_by("applied_at")
    )


# --- Profiles and directory (written with the profiles and directory part of issue 3) -------------

# Imports for this section live here so the sections above stay untouched.
from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Value, When  # noqa: E402
from django.db.models.functions import Concat, Lower  # noqa: E402

from members.models import Jurisdiction, Profile, Role, RoleAssignment  # noqa: E402

DIRECTORY_PAGE_SIZE = 25


def profile_of(user) -> Profile:
    """The user's profile, or an unsaved one with the defaults when they never saved theirs.
    Uses the row `select_related("profile")` loaded, so it costs no query then."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        return Profile(user=user)


def directory_name(user) -> str:
    """The name other members see: never the email address."""
    return user.display_name or user.get_full_name() or "Unnamed member"


def active_memberships_prefetch() -> Prefetch:
    """A user's active memberships, with association and roles, as `user.active_memberships`."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(status=Membership.Status.ACTIVE)
        .select_related("association")
        .prefetch_related("role_assignments")
        .order_by("association__name"),
        to_attr="active_memberships",
    )


def membership_roles(membership: Membership) -> list[str]:
    """Labels of the roles an (active) membership holds, "Member" first."""
    held = {assignment.role for assignment in membership.role_assignments.all()}
    return [label for value, label in Role.choices if value == Role.MEMBER or value in held]


def directory_associations() -> QuerySet[Association]:
    return Association.objects.order_by("name")


def directory_jurisdictions() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.filter(is_active=True).order_by("kind", "name")


def _listed_active_members():
    User = get_user_model()
    has_active_membership = Exists(
        Membership.objects.filter(user=OuterRef("pk"), status=Membership.Status.ACTIVE)
    )
    # Someone who never saved a profile has the defaults, which list them in the directory.
    listed = Q(profile__isnull=True) | Q(profile__listed_in_directory=True)
    return User.objects.filter(has_active_membership, listed, is_active=True)


def _association_is(association: Association | str, through: str = "") -> Q:
    if isinstance(association, Association):
        return Q(**{f"{through}association": association})
    return Q(**{f"{through}association__slug": association})


def directory_members(
    viewer,
    *,
    association: Association | str | None = None,
    jurisdiction: Jurisdiction | str | None = None,
    role: str | None = None,
    interstate_only: bool = False,
    query: str = "",
) -> QuerySet:
    """Users the viewer may find in the members directory, filtered, ordered by name.

    Only active members listed in the directory appear. A field a member hides (agency,
    jurisdiction) is never matched by the search or the filters, so a filter cannot reveal
    it. `association` and `jurisdiction` take an instance or a slug / code; `role` a Role
    value ("member": any active member). Related rows are loaded up front (profile,
    jurisdiction, active memberships with associations and roles): a page of any size costs
    the same number of queries.
    """
    if not permissions.can_view_directory(viewer):
        return get_user_model().objects.none()
    users = _listed_active_members()
    active = Membership.objects.filter(user=OuterRef("pk"), status=Membership.Status.ACTIVE)

    if association is not None:
        users = users.filter(Exists(active.filter(_association_is(association))))
    if jurisdiction is not None:
        code = jurisdiction.code if isinstance(jurisdiction, Jurisdiction) else jurisdiction
        users = users.filter(profile__jurisdiction__code=code, profile__show_jurisdiction=True)
    if role:
        if role not in Role.values:
            raise ValueError(f"unknown role {role!r}")
        if role != Role.MEMBER:
            assignments = RoleAssignment.objects.filter(
                membership__user=OuterRef("pk"), membership__status=Membership.Status.ACTIVE, role=role
            )
            if association is not None:
                assignments = assignments.filter(_association_is(association, through="membership__"))
            users = users.filter(Exists(assignments))
    if interstate_only:
        users = users.filter(profile__is_interstate_contact=True)
    for word in (query or "").split()[:10]:
        users = users.filter(
            Q(display_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(profile__show_agency=True, profile__agency__icontains=word)
        )

    return (
        users.annotate(
            directory_sort_name=Lower(
                Case(
                    When(display_name="", then=Concat(F("first_name"), Value(" "), F("last_name"))),
                    default=F("display_name"),
                )
            )
        )
        .select_related("profile", "profile__jurisdiction")
        .prefetch_related(active_memberships_prefetch())
        .order_by("directory_sort_name", "pk")
    )


def visible_profile(viewer, user_id: int):
    """The user whose profile page `viewer` may open, or None (the page then answers 404
    without saying whether the person exists).

    Members who may see the directory see the profiles listed in it; everyone sees their own
    profile and superusers see every profile.
    """
    if viewer is None or not viewer.is_authenticated:
        return None
    User = get_user_model()
    if viewer.pk == user_id or permissions.sees_everything(viewer):
        users = User.objects.filter(pk=user_id)
    elif permissions.can_view_directory(viewer):
        users = _listed_active_members().filter(pk=user_id)
    else:
        return None
    return (
        users.select_related("profile", "profile__jurisdiction")
        .prefetch_related(active_memberships_prefetch())
        .first()
    )
