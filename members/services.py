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
    # Association admins define their own event credit kinds (CLE, ethics, MTR ...).
    groups[Role.ADMIN].permissions.add(
        *Permission.objects.filter(
            content_type__app_label="events",
            codename__in=["add_creditkind", "change_creditkind", "delete_creditkind", "view_creditkind"],
        )
    )
    # The association's site: editorial workflow (its admins approve) and members-only collection.
    from cms.services import ensure_association_site_setup  # cms builds on members

    ensure_association_site_setup(association)
    return groups


def association_collection(association: Association) -> Collection:
    """The Wagtail collection holding the association's images and documents."""
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
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


# Imports for this section live here so the sections above stay untouched.
import io  # noqa: E402
import re  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from members.models import Jurisdiction  # noqa: E402

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_SIDE = 4000  # pixels, either side, of what is uploaded
AVATAR_STORED_SIDE = 512  # pixels, longest side, of what is stored
AVATAR_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
CHOOSE_AGAIN = "Choose the file again: a browser cannot keep a chosen file after the page reloads."
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().\-]+(\s*(ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)


class ProfileError(ValidationError):
    """A profile change that cannot be saved as it stands (nothing was saved)."""


class AvatarImage(ContentFile):
    """An avatar already checked and re-encoded as a metadata-free PNG by `prepare_avatar`."""


def prepare_avatar(upload) -> AvatarImage:
    """Check that `upload` really is a JPEG, PNG, GIF or WebP picture of sensible size, and
    return it re-encoded as a PNG of at most 512 px a side, with no metadata (EXIF, GPS,
    comments). The uploader's file name and declared content type are ignored."""
    if isinstance(upload, AvatarImage):
        return upload
    if upload.size is not None and upload.size > AVATAR_MAX_BYTES:
        raise ProfileError(
            {"avatar": f"The picture is larger than 2 MB. Choose a smaller file. {CHOOSE_AGAIN}"}, code="too_large"
        )
    not_a_picture = ProfileError(
        {"avatar": f"That file is not a picture Comity can use. Choose a JPEG, PNG, GIF or WebP image. {CHOOSE_AGAIN}"},
        code="invalid_image",
    )
    try:
        upload.seek(0)
        with Image.open(upload, formats=AVATAR_FORMATS) as probe:
            width, height = probe.size
            if width > AVATAR_MAX_SIDE or height > AVATAR_MAX_SIDE:
                raise ProfileError(
                    {
                        "avatar": f"The picture is {width}×{height} pixels; the most Comity accepts is "
                        f"{AVATAR_MAX_SIDE}×{AVATAR_MAX_SIDE}. Choose a smaller picture. {CHOOSE_AGAIN}"
                    },
                    code="too_many_pixels",
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload, formats=AVATAR_FORMATS) as image:
            image.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            image.thumbnail((AVATAR_STORED_SIDE, AVATAR_STORED_SIDE), Image.Resampling.LANCZOS)
            # A fresh image from the pixels alone: nothing of the original's metadata survives.
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
    except ProfileError:
        raise
    except Exception:  # any failure to decode untrusted bytes means "not a usable picture"
        raise not_a_picture from None
    output = io.BytesIO()
    clean.save(output, format="PNG", optimize=True)
    return AvatarImage(output.getvalue(), name="avatar.png")


def interstate_contact_errors(*, is_interstate_contact: bool, work_email: str, work_phone: str) -> dict[str, str]:
    """The interstate contact card needs a way to reach you; shared by the form and the service."""
    if not is_interstate_contact:
        return {}
    errors = {}
    if not (work_email or "").strip():
        errors["work_email"] = (
            "Enter a work email address: other jurisdictions use it to reach you as an interstate contact."
        )
    if not (work_phone or "").strip():
        errors["work_phone"] = (
            "Enter a work phone number: other jurisdictions use it to reach you as an interstate contact."
        )
    return errors


def phone_number_error(work_phone: str) -> str | None:
    work_phone = (work_phone or "").strip()
    if not work_phone:
        return None
    digits = sum(character.isdigit() for character in work_phone)
    if not PHONE_PATTERN.match(work_phone) or digits < 7 or digits > 20:
        return "Enter a phone number such as 573-555-0142, with “ext. 12” after it if needed."
    return None


_UNCHANGED = object()
PROFILE_FIELDS = (
    "agency",
    "jurisdiction",
    "job_title",
    "bio",
    "listed_in_directory",
    "show_agency",
    "show_jurisdiction",
    "is_interstate_contact",
    "work_email",
    "work_phone",
    "case_types",
)


@transaction.atomic
def update_profile(
    user,
    *,
    display_name=_UNCHANGED,
    agency=_UNCHANGED,
    jurisdiction=_UNCHANGED,
    job_title=_UNCHANGED,
    bio=_UNCHANGED,
    listed_in_directory=_UNCHANGED,
    show_agency=_UNCHANGED,
    show_jurisdiction=_UNCHANGED,
    is_interstate_contact=_UNCHANGED,
    work_email=_UNCHANGED,
    work_phone=_UNCHANGED,
    case_types=_UNCHANGED,
    avatar=None,
    remove_avatar: bool = False,
) -> Profile:
    """Change `user`'s own profile (and display name). Arguments left out keep their value.

    Everything is validated before anything is written; on a ProfileError nothing is saved.
    A new avatar is re-encoded by `prepare_avatar`; the replaced file is deleted after commit.
    """
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to change your profile.")
    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    values = dict(
        agency=agency,
        jurisdiction=jurisdiction,
        job_title=job_title,
        bio=bio,
        listed_in_directory=listed_in_directory,
        show_agency=show_agency,
        show_jurisdiction=show_jurisdiction,
        is_interstate_contact=is_interstate_contact,
        work_email=work_email,
        work_phone=work_phone,
        case_types=case_types,
    )
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if jurisdiction is not _UNCHANGED and jurisdiction is not None:
        if not isinstance(jurisdiction, Jurisdiction) or not Jurisdiction.objects.filter(
            pk=jurisdiction.pk, is_active=True
        ).exists():
            add("jurisdiction", "Choose a jurisdiction from the list.")
            values["jurisdiction"] = _UNCHANGED
    for field in PROFILE_FIELDS:
        value = values[field]
        if value is _UNCHANGED:
            continue
        if isinstance(value, str):
            value = value.strip()
        setattr(profile, field, value)
    # The user object may be the request's own: change it only once everything is valid.
    new_display_name = user.display_name if display_name is _UNCHANGED else (display_name or "").strip()
    if len(new_display_name) > user._meta.get_field("display_name").max_length:
        add("display_name", "Use at most 150 characters for your display name.")
    case_types = profile.case_types if isinstance(profile.case_types, list) else None
    if case_types is None or any(case_type not in Profile.CaseType.values for case_type in case_types):
        add("case_types", "Choose case types from the list.")
    else:
        profile.case_types = [value for value in Profile.CaseType.values if value in case_types]  # ordered, no repeats
    interstate_errors = interstate_contact_errors(
        is_interstate_contact=profile.is_interstate_contact,
        work_email=profile.work_email,
        work_phone=profile.work_phone,
    )
    for field, message in interstate_errors.items():
        add(field, message)
    bio_limit = Profile._meta.get_field("bio").max_length
    if len(profile.bio or "") > bio_limit:  # a TextField's max_length is not checked by the model
        add("bio", f"Keep the text about you to {bio_limit:,} characters; it has {len(profile.bio):,}.")
    if phone_error := phone_number_error(profile.work_phone):
        add("work_phone", phone_error)
    prepared_avatar = None
    if avatar is not None:
        try:
            prepared_avatar = prepare_avatar(avatar)
        except ValidationError as error:
            for message in error.message_dict.get("avatar", error.messages):
                add("avatar", message)
    try:
        profile.full_clean(exclude=["user", "avatar", "jurisdiction", "case_types"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                add(field, message)
    if errors:
        raise ProfileError(errors)

    old_avatar_name = profile.avatar.name if profile.avatar else ""
    new_avatar_name = ""
    try:
        if new_display_name != user.display_name:
            user.display_name = new_display_name
            user.save(update_fields=["display_name"])
        if prepared_avatar is not None:
            profile.avatar.save("avatar.png", prepared_avatar, save=False)
            new_avatar_name = profile.avatar.name
        elif remove_avatar:
            profile.avatar = ""
        profile.save()
    except Exception:
        # The file is written before the row; if the row cannot be saved, remove it again.
        if new_avatar_name:
            profile.avatar.storage.delete(new_avatar_name)
        raise
    if old_avatar_name and old_avatar_name != (profile.avatar.name or ""):
        storage = profile.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    emit("profile_updated", user_id=user.pk)
    return profile
