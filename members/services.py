"""Writes for associations, memberships, roles and profiles. Each function checks
permission, writes in one transaction and emits its event after commit."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from config.events import emit
from members import permissions
from members.models import Association, EligibilityCategory, Membership, Profile, Region, Role, RoleAssignment, RoleGroup

ROLE_GROUP_LABELS = {
    Role.MEMBER: "members",
    Role.MODERATOR: "moderators",
    Role.EDITOR: "editors",
    Role.ADMIN: "admins",
    Role.BOARD: "board",
}
# Wagtail page permissions each role holds on its association's own page tree only.
PAGE_PERMISSIONS = {
    Role.EDITOR: ["add_page", "change_page", "lock_page"],
    Role.ADMIN: ["add_page", "change_page", "publish_page", "delete_page", "lock_page", "unlock_page"],
}
COLLECTION_PERMISSIONS = {
    Role.EDITOR: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    Role.ADMIN: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
}


# --- Association set-up -------------------------------------------------------------------


@transaction.atomic
def ensure_role_groups(association: Association) -> dict[str, Group]:
    """Create (or repair) the association's role groups and their Wagtail permissions.
    Idempotent; editors and admins get rights on this association's pages only."""
    groups = {}
    for role, label in ROLE_GROUP_LABELS.items():
        role_group = RoleGroup.objects.select_related("group").filter(association=association, role=role).first()
        if role_group is None:
            group, _ = Group.objects.get_or_create(name=f"{association.short_name} {label}")
            role_group = RoleGroup.objects.create(association=association, role=role, group=group)
        groups[role] = role_group.group

    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    collection = association_collection(association)
    for role in (Role.EDITOR, Role.ADMIN):
        group = groups[role]
        group.permissions.add(access_admin)
        if association.home_page_id:
            for codename in PAGE_PERMISSIONS[role]:
                permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
                GroupPagePermission.objects.get_or_create(group=group, page_id=association.home_page_id, permission=permission)
        for codename in COLLECTION_PERMISSIONS[role]:
            app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    return groups


def association_collection(association: Association) -> Collection:
    """The Wagtail collection holding the association's images and documents."""
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=association.short_name).first()
    return existing or root.add_child(name=association.short_name)


def sync_user_groups(user) -> None:
    """Make the user's role groups match their active memberships and role assignments."""
    wanted_roles = {
        (membership.association_id, role)
        for membership in Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).prefetch_related(
            "role_assignments"
        )
        for role in [Role.MEMBER, *(assignment.role for assignment in membership.role_assignments.all())]
    }
    role_groups = RoleGroup.objects.all()
    wanted = {rg.group_id for rg in role_groups if (rg.association_id, rg.role) in wanted_roles}
    managed = {rg.group_id for rg in role_groups}
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    permissions.forget_cached_permissions(user)


# --- Membership applications -----------------------------------------------------------------


class ApplicationError(ValidationError):
    """A membership application that cannot be accepted as it stands."""


@transaction.atomic
def apply_for_membership(
    user,
    association: Association,
    *,
    eligibility_category: EligibilityCategory,
    agency: str,
    jurisdiction,
    job_title: str,
    region: Region | None = None,
    statement: str = "",
) -> Membership:
    if eligibility_category.association_id != association.pk or not eligibility_category.is_active:
        raise ApplicationError({"eligibility_category": f"{association.short_name} does not offer that category."})
    if region is not None and region.association_id != association.pk:
        raise ApplicationError({"region": f"That region is not one of {association.short_name}'s."})
    membership = Membership.objects.select_for_update().filter(user=user, association=association).first()
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        raise ApplicationError(f"You are already a member of {association.short_name}.")
    if membership is not None and membership.status == Membership.Status.APPLIED:
        raise ApplicationError(f"Your application to {association.short_name} is already waiting for a decision.")
    membership = membership or Membership(user=user, association=association)
    membership.status = Membership.Status.APPLIED
    membership.eligibility_category = eligibility_category
    membership.agency = agency
    membership.jurisdiction = jurisdiction
    membership.job_title = job_title
    membership.region = region
    membership.statement = statement
    membership.applied_at = timezone.now()
    membership.decided_at = membership.decided_by = None
    membership.decision_reason = ""
    membership.full_clean()
    membership.save()
    emit("membership_applied", membership_id=membership.pk)
    transaction.on_commit(lambda: email_association_about_application(membership.pk))
    return membership


def _decide(membership: Membership, *, by, status: str, reason: str, allowed_from: set[str]) -> Membership:
    membership = Membership.objects.select_for_update().select_related("association", "user").get(pk=membership.pk)
    if not permissions.can_decide_application(by, membership):
        raise PermissionDenied("You may not decide this application.")
    if membership.status not in allowed_from:
        raise ApplicationError(f"This membership is {membership.get_status_display().lower()}; it cannot be changed that way.")
    membership.status = status
    membership.decided_by = by
    membership.decided_at = timezone.now()
    membership.decision_reason = reason.strip()
    if status == Membership.Status.ACTIVE:
        membership.starts_on = timezone.localdate()
    membership.save()
    sync_user_groups(membership.user)
    emit("membership_decided", membership_id=membership.pk, status=status)
    transaction.on_commit(lambda: email_applicant_about_decision(membership.pk))
    return membership


@transaction.atomic
def approve_membership(membership: Membership, *, by, reason: str = "") -> Membership:
    statuses = Membership.Status
    return _decide(membership, by=by, status=statuses.ACTIVE, reason=reason, allowed_from={statuses.APPLIED, statuses.LAPSED})


@transaction.atomic
def reject_membership(membership: Membership, *, by, reason: str) -> Membership:
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the application is rejected; the applicant will read it."})
    statuses = Membership.Status
    return _decide(membership, by=by, status=statuses.REJECTED, reason=reason, allowed_from={statuses.APPLIED})


@transaction.atomic
def lapse_membership(membership: Membership, *, by, reason: str) -> Membership:
    """End an active membership (unpaid dues, left the field): members-only access ends at once."""
    if not reason.strip():
        raise ApplicationError({"reason": "Say why the membership lapses; the member will read it."})
    return _decide(membership, by=by, status=Membership.Status.LAPSED, reason=reason, allowed_from={Membership.Status.ACTIVE})


@transaction.atomic
def lapse_expired_memberships(today: datetime.date | None = None) -> int:
    """Lapse active memberships whose expiry date has passed (run daily by a task)."""
    today = today or timezone.localdate()
    expired = list(
        Membership.objects.select_for_update()
        .filter(status=Membership.Status.ACTIVE, expires_on__lt=today)
        .select_related("user")
    )
    for membership in expired:
        membership.status = Membership.Status.LAPSED
        membership.decided_at = timezone.now()
        membership.decided_by = None
        membership.decision_reason = f"Membership expired on {membership.expires_on:%B %-d, %Y}."
        membership.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        sync_user_groups(membership.user)
        emit("membership_decided", membership_id=membership.pk, status=membership.status)
    return len(expired)


# --- Roles ----------------------------------------------------------------------------------------


@transaction.atomic
def assign_role(membership: Membership, role: str, *, by) -> RoleAssignment:
    membership = Membership.objects.select_for_update().select_related("association", "user").get(pk=membership.pk)
    if role not in Role.values or not permissions.can_assign_role(by, membership, role):
        raise PermissionDenied("You may not give this role.")
    if not membership.is_active:
        raise ApplicationError("Only active members can hold a role.")
    assignment, _ = RoleAssignment.objects.get_or_create(membership=membership, role=role, defaults={"assigned_by": by})
    sync_user_groups(membership.user)
    emit("role_changed", membership_id=membership.pk, role=role, granted=True)
    return assignment


@transaction.atomic
def remove_role(membership: Membership, role: str, *, by) -> None:
    membership = Membership.objects.select_for_update().select_related("association", "user").get(pk=membership.pk)
    if not permissions.can_assign_role(by, membership, role):
        raise PermissionDenied("You may not remove this role.")
    RoleAssignment.objects.filter(membership=membership, role=role).delete()
    sync_user_groups(membership.user)
    emit("role_changed", membership_id=membership.pk, role=role, granted=False)


# --- Emails -----------------------------------------------------------------------------------------


def email_association_about_application(membership_id: int) -> None:
    membership = Membership.objects.select_related("association", "user", "eligibility_category").get(pk=membership_id)
    if not membership.association.contact_email:
        return
    context = {"membership": membership, "site_url": settings.SITE_URL}
    send_mail(
        subject=f"[Comity] New membership application to {membership.association.short_name}",
        message=render_to_string("members/email/application_received.txt", context),
        from_email=None,
        recipient_list=[membership.association.contact_email],
    )


def email_applicant_about_decision(membership_id: int) -> None:
    membership = Membership.objects.select_related("association", "user").get(pk=membership_id)
    context = {"membership": membership}
    send_mail(
        subject=f"[Comity] Your {membership.association.short_name} membership: {membership.get_status_display().lower()}",
        message=render_to_string("members/email/membership_decision.txt", context),
        from_email=None,
        recipient_list=[membership.user.email],
    )


# --- Profiles (written with the profiles and directory part of issue 3) ---------------------------


def ensure_profile(user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile
