"""Reads for associations, memberships and the directory, already filtered by what the
viewer may see and with related rows loaded up front."""

from django.db.models import QuerySet

from members import permissions
from members.models import Association, EligibilityCategory, Membership


def associations_for_switcher() -> list[Association]:
    """Associations with a published home page, for the header's association switcher."""
    return list(
        Association.objects.filter(home_page__live=True).select_related("home_page").order_by("name")
    )


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
