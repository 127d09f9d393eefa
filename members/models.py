from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A Comity account. Custom from the start so profile fields never need a swap later.

    People sign in by email, so it is required and unique (case-insensitively).
    """

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.email or self.username


class Jurisdiction(models.Model):
    """A U.S. state, territory, tribal IV-D program, federal office or foreign country."""

    class Kind(models.TextChoices):
        STATE = "state", "State"
        DISTRICT = "district", "District"
        TERRITORY = "territory", "Territory"
        TRIBE = "tribe", "Tribal nation"
        FEDERAL = "federal", "Federal"
        FOREIGN = "foreign", "Foreign country"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=40, unique=True, help_text="Postal code for states and territories.")
    name = models.CharField(max_length=120)
    west_of_mississippi = models.BooleanField(default=False)
    hhs_region = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HHS region I–X as 1–10.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hhs_region__isnull=True) | models.Q(hhs_region__gte=1, hhs_region__lte=10),
                name="members_jurisdiction_hhs_region_range",
            ),
        ]

    def __str__(self):
        return self.name


class Association(models.Model):
    """A professional association served by this installation, with its own Wagtail site."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    region_description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    home_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class GuardMode(models.TextChoices):
        WARN = "warn", "Warn the author, who may confirm it is not real case data"
        HOLD = "hold", "Hold every post with a finding for a moderator"

    # How strict the confidential case-data guard is in this association's categories.
    guard_mode = models.CharField(max_length=4, choices=GuardMode.choices, default=GuardMode.WARN)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Region(models.Model):
    """A region within an association (for example Missouri's, for town halls)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["association", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["association", "slug"], name="members_region_unique_slug")]

    def __str__(self):
        return self.name


class EligibilityCategory(models.Model):
    """One of an association's membership categories (Missouri's A–G, for instance)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="eligibility_categories")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    voting = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["association", "position", "code"]
        verbose_name_plural = "eligibility categories"
        constraints = [
            models.UniqueConstraint(fields=["association", "code"], name="members_eligibility_unique_code"),
        ]

    def __str__(self):
        return f"{self.code}. {self.name}" if self.code else self.name


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    MODERATOR = "moderator", "Moderator"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Association admin"
    BOARD = "board", "Board of directors"


class Membership(models.Model):
    """A person's membership of one association: applied, then active, lapsed or rejected."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        ACTIVE = "active", "Active"
        LAPSED = "lapsed", "Lapsed"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED, db_index=True)
    eligibility_category = models.ForeignKey(EligibilityCategory, on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(max_length=200)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    job_title = models.CharField(max_length=150)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    statement = models.TextField("why you are applying", blank=True, max_length=2000)
    applied_at = models.DateTimeField(auto_now_add=True)
    starts_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["association", "-applied_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="members_membership_one_per_association"),
        ]

    def __str__(self):
        return f"{self.user} in {self.association.short_name} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class RoleAssignment(models.Model):
    """A role beyond plain membership (moderator, editor, admin, board) held in one association."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=[c for c in Role.choices if c[0] != Role.MEMBER])
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "role"], name="members_role_once")]

    def __str__(self):
        return f"{self.membership.user} — {self.get_role_display()}"


class RoleGroup(models.Model):
    """The Django/Wagtail group that mirrors one role in one association.

    Memberships and role assignments are the truth; services keep each user's groups in
    step with them (in the same transaction), so Wagtail's page permissions and view
    restrictions, and the audience ids search filters on, follow at once.
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role_group")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "role"], name="members_one_group_per_role")]

    def __str__(self):
        return self.group.name


def avatar_upload_path(profile: "Profile", filename: str) -> str:
    # The stored name never uses what the uploader called the file.
    import uuid

    return f"avatars/{profile.user_id}/{uuid.uuid4().hex}.png"


class Profile(models.Model):
    """What a member shows other members; the interstate contact card is opt-in."""

    class CaseType(models.TextChoices):
        ESTABLISHMENT = "establishment", "Establishment and parentage"
        ENFORCEMENT = "enforcement", "Enforcement"
        MODIFICATION = "modification", "Review and modification"
        INCOME_WITHHOLDING = "income-withholding", "Income withholding and employers"
        MEDICAL = "medical", "Medical support"
        LOCATE = "locate", "Locate"
        DISTRIBUTION = "distribution", "Payments, distribution and arrears"
        TRIBAL = "tribal", "Tribal cases"
        INTERNATIONAL = "international", "International cases (Hague 2007)"
        COURTS = "courts", "Courts and legal process"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    agency = models.CharField(max_length=200, blank=True)
    jurisdiction = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job_title = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True, max_length=1000)
    avatar = models.ImageField(upload_to=avatar_upload_path, blank=True)
    listed_in_directory = models.BooleanField(
        default=True, help_text="Other members can find you in the members directory."
    )
    show_agency = models.BooleanField(default=True)
    show_jurisdiction = models.BooleanField(default=True)
    is_interstate_contact = models.BooleanField(
        "interstate contact", default=False, help_text="Show your work contact card to members in other jurisdictions."
    )
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=40, blank=True)
    case_types = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"Profile of {self.user}"
