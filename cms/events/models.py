"""Events of an association's site: conferences, training workshops, regional town halls and
webinars, their sessions and the continuing-education credit each session carries, and the
registrations, waitlist and attendance behind "My credits" and certificates.

Editors type an event's dates and times as its own wall clock in its IANA time zone; the
aware `starts_at` / `ends_at` are derived on save for listings and calendars.
"""

import datetime as dt
from decimal import Decimal
from functools import cached_property

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.events import validation
from cms.events.admin_forms import CreditKindForm, EventPageForm

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"]
HTTP_URL = URLValidator(schemes=["http", "https"], message="Enter a web address starting with https:// (or http://).")


class CreditKind(models.Model):
    """A kind of continuing-education credit an association's sessions can carry: CLE,
    ethics, Missouri's Management Training Rule hours, or any other it defines."""

    association = models.ForeignKey("members.Association", on_delete=models.CASCADE, related_name="credit_kinds")
    name = models.CharField(max_length=100, help_text="As attendees see it, e.g. “CLE ethics”.")
    code = models.SlugField(max_length=30, help_text="Short name for exports, e.g. “ethics”.")
    description = models.CharField(max_length=300, blank=True)
    minutes_per_hour = models.PositiveSmallIntegerField(
        default=60,
        validators=[
            MinValueValidator(30, "One credit hour needs at least 30 minutes of instruction."),
            MaxValueValidator(120, "One credit hour needs at most 120 minutes of instruction."),
        ],
        help_text="Minutes of instruction that make one credit hour (the Missouri Bar counts 50 for CLE).",
    )
    increment = models.CharField(
        "reported in steps of", max_length=4, choices=validation.CREDIT_INCREMENT_CHOICES, default="0.25"
    )
    position = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("association"), FieldPanel("name"), FieldPanel("code"), FieldPanel("description"),
        FieldRowPanel([FieldPanel("minutes_per_hour"), FieldPanel("increment")]), FieldPanel("position"),
    ]
    base_form_class = CreditKindForm

    class Meta:
        ordering = ["association", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["association", "code"], name="events_creditkind_unique_code")]

    def __str__(self):
        return self.name

    @property
    def step(self) -> Decimal:
        return Decimal(self.increment)


class EventIndexPage(Page):
    """An association's events: upcoming first, then recent past ones, and its calendar feed."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.AssociationHomePage"]
    subpage_types = ["events.EventPage"]
    template = "cms/events/event_index_page.html"

    class Meta:
        verbose_name = "events index"

    def get_context(self, request, *args, **kwargs):
        from cms.events import selectors
        from cms.selectors import association_for_page

        context = super().get_context(request, *args, **kwargs)
        kind = request.GET.get("kind", "")
        kind = kind if kind in EventPage.Kind.values else ""
        upcoming, past = selectors.events_for_index(self, request.user, kind=kind)
        context.update(
            upcoming_events=upcoming, past_events=past, kinds=EventPage.Kind.choices, chosen_kind=kind,
            association=association_for_page(self),
        )
        return context


class EventPage(Page):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", "Annual conference"
        WORKSHOP = "workshop", "Training workshop"
        TOWN_HALL = "town_hall", "Regional town hall"
        WEBINAR = "webinar", "Webinar"

    class Audience(models.TextChoices):
        MEMBERS = "members", "Members only"
        OPEN = "open", "Open to non-members"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    summary = models.CharField(max_length=300, blank=True, help_text="One or two sentences for listings.")
    description = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    start_date = models.DateField()
    start_time = models.TimeField()
    end_date = models.DateField()
    end_time = models.TimeField()
    time_zone = models.CharField(
        max_length=40, choices=validation.TIME_ZONE_CHOICES, default="America/Chicago",
        help_text="Dates and times above are clock times in this zone.",
    )
    # Derived from the fields above on every clean/save; listings and calendars query these.
    starts_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, editable=False)

    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True, max_length=500)
    online_url = models.URLField(
        "online link", max_length=500, blank=True, validators=[HTTP_URL],
        help_text="Where attendees join a webinar or hybrid event.",
    )
    region = models.ForeignKey(
        "members.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Optional: the association region this event serves (town halls).",
    )

    audience = models.CharField(
        "who may register", max_length=10, choices=Audience.choices, default=Audience.MEMBERS,
        help_text="Who may register. Who may read this page follows the page's privacy setting.",
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True,
        validators=[
            MinValueValidator(1, "Capacity must be at least 1; leave it empty for no limit."),
            MaxValueValidator(validation.MAX_CAPACITY, f"Capacity can be at most {validation.MAX_CAPACITY:,}."),
        ],
        help_text="Seats available; leave empty for no limit. When full, new registrations join a waitlist.",
    )
    registration_opens_on = models.DateField(null=True, blank=True, help_text="Empty: open as soon as the page is published.")
    registration_closes_on = models.DateField(
        null=True, blank=True, help_text="Last day to register. Empty: until the event starts."
    )
    fee = models.CharField(max_length=200, blank=True, help_text="e.g. “$175 members, $225 non-members”.")
    accreditation = models.TextField(
        blank=True, max_length=1000,
        help_text="Accreditation sponsor numbers and how attendance is verified; printed on certificates.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time")]),
                FieldRowPanel([FieldPanel("end_date"), FieldPanel("end_time")]),
                FieldPanel("time_zone"),
            ],
            heading="When",
        ),
        MultiFieldPanel(
            [FieldPanel("venue_name"), FieldPanel("venue_address"), FieldPanel("online_url"), FieldPanel("region")],
            heading="Where",
        ),
        MultiFieldPanel(
            [
                FieldPanel("audience"), FieldPanel("capacity"),
                FieldRowPanel([FieldPanel("registration_opens_on"), FieldPanel("registration_closes_on")]),
                FieldPanel("fee"),
            ],
            heading="Registration",
        ),
        FieldPanel("description"),
        FieldPanel("accreditation"),
        InlinePanel(
            "sessions", label="Session", heading="Sessions",
            panels=[
                FieldPanel("title"),
                FieldRowPanel([FieldPanel("date"), FieldPanel("start_time"), FieldPanel("end_time")]),
                FieldPanel("location"),
                FieldPanel("speakers"),
                FieldPanel("description"),
                InlinePanel("credits", label="Credit hours", heading="Credit hours"),
            ],
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("description")]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list = []
    base_form_class = EventPageForm
    template = "cms/events/event_page.html"

    class Meta:
        verbose_name = "event"

    # --- Validation ------------------------------------------------------------------------

    def clean(self):
        super().clean()
        errors, window = validation.event_window(
            self.start_date, self.start_time, self.end_date, self.end_time, self.time_zone
        )
        self.starts_at, self.ends_at = window if window else (None, None)
        errors.update(
            validation.registration_window_errors(
                self.registration_opens_on, self.registration_closes_on, self.start_date, self.end_date
            )
        )
        errors.update(validation.place_errors(self.venue_name, self.venue_address, self.online_url))
        if self.region_id and self.path and "region" not in errors:
            from cms.selectors import association_for_page

            association = association_for_page(self)
            if association is None or self.region.association_id != association.pk:
                errors["region"] = "Choose one of this association's regions."
        # The admin form checks submitted sessions itself (this instance still holds the old
        # ones while the form validates); programmatic saves are checked here.
        if not getattr(self, "sessions_checked_by_form", False) and not errors:
            errors.update(self.session_errors())
        if errors:
            raise ValidationError(errors)

    def session_errors(self) -> dict:
        problems = []
        zone, window = self.zone, (self.starts_at, self.ends_at) if self.starts_at else None
        for session in self.sessions.all():
            errors, minutes = validation.session_errors(session.date, session.start_time, session.end_time, zone, window)
            problems += [f"Session “{session.title}”: {message}" for message in errors.values()]
            for credit in session.credits.all():
                kind = credit.credit_kind
                message = validation.credit_hours_error(
                    credit.hours, kind_name=kind.name, minutes_per_hour=kind.minutes_per_hour,
                    increment=kind.step, session_minutes=minutes,
                )
                if message:
                    problems.append(f"Session “{session.title}”: {message}")
        return {"__all__": problems} if problems else {}

    def save(self, *args, **kwargs):
        # `clean` derives these; saves that skip cleaning (clean=False) still need them.
        _, window = validation.event_window(self.start_date, self.start_time, self.end_date, self.end_time, self.time_zone)
        if window:
            self.starts_at, self.ends_at = window
        return super().save(*args, **kwargs)

    # --- Display -------------------------------------------------------------------------------

    @property
    def zone(self):
        return validation.zone_named(self.time_zone) or timezone.get_default_timezone()

    @property
    def when(self) -> str:
        if not self.starts_at:
            return ""
        return validation.window_text(self.starts_at, self.ends_at, self.zone)

    @property
    def short_when(self) -> str:
        """"Dec 9, 2026, 10:00 CST"."""
        return validation.format_local(self.starts_at, self.zone, "M j, Y, H:i T") if self.starts_at else ""

    @property
    def place(self) -> str:
        if self.venue_name and self.online_url:
            return f"{self.venue_name} and online"
        return self.venue_name or ("Online" if self.online_url else "")

    @property
    def summary_line(self) -> str:
        """"Regional town hall · Dec 9, 2026, 10:00 CST · Online" for listings and the home page."""
        return " · ".join(part for part in (self.get_kind_display(), self.short_when, self.place) if part)

    @property
    def is_members_only(self) -> bool:
        return self.audience == self.Audience.MEMBERS

    @property
    def registration_opens_at(self):
        if not self.registration_opens_on:
            return None
        return validation.local_datetime(self.registration_opens_on, dt.time.min, self.zone)

    @property
    def registration_closes_at(self):
        """The end of the closing day in the event's zone, or the start of the event."""
        if not self.registration_closes_on or not self.starts_at:
            return self.starts_at
        next_day = self.registration_closes_on + dt.timedelta(days=1)
        return min(validation.local_datetime(next_day, dt.time.min, self.zone), self.ends_at)

    def registration_closed_reason(self, now=None) -> str:
        """Why registration is not open now ("" when it is)."""
        now = now or timezone.now()
        opens_at, closes_at = self.registration_opens_at, self.registration_closes_at
        if opens_at and now < opens_at:
            return f"Registration opens on {validation.format_local(opens_at, self.zone, 'F j, Y')}."
        if closes_at and now >= closes_at:
            return "Registration for this event has closed."
        return ""

    @cached_property
    def association(self):
        from cms.selectors import association_for_page

        return association_for_page(self)

    def get_context(self, request, *args, **kwargs):
        from cms.events import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.event_page_context(self, request))
        return context


class EventSession(Orderable, ClusterableModel):
    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    location = models.CharField("room or track", max_length=150, blank=True)
    speakers = models.TextField(
        blank=True, max_length=2000,
        help_text="One speaker per line, e.g. “Hon. Carla Ruiz, Family Court Commissioner, 22nd Judicial Circuit”.",
    )
    description = models.TextField(blank=True, max_length=2000)

    class Meta(Orderable.Meta):
        verbose_name = "session"

    def __str__(self):
        return self.title

    @property
    def starts_at(self):
        return validation.local_datetime(self.date, self.start_time, self.page.zone)

    @property
    def ends_at(self):
        return validation.local_datetime(self.date, self.end_time, self.page.zone)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def when(self) -> str:
        return validation.window_text(self.starts_at, self.ends_at, self.page.zone)

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]


class SessionCredit(models.Model):
    session = ParentalKey(EventSession, on_delete=models.CASCADE, related_name="credits")
    credit_kind = models.ForeignKey(CreditKind, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(
        max_digits=4, decimal_places=2,
        help_text="In the kind's steps, at most the session's length (e.g. 1.8 CLE hours for 90 minutes at 50 minutes an hour).",
    )

    # A plain select: the admin form offers only the event's own association's kinds.
    panels = [FieldRowPanel([FieldPanel("credit_kind", widget=forms.Select), FieldPanel("hours")])]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "credit_kind"], name="events_sessioncredit_one_per_kind"),
        ]

    def __str__(self):
        return f"{self.hours} {self.credit_kind}"


class Registration(models.Model):
    """One person's place at an event: a member, a signed-in non-member or a guest."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Registered"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        ACCOUNT = "account", "Non-member with an account"
        GUEST = "guest", "Guest"

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_registrations"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    name = models.CharField(max_length=150)
    email = models.EmailField()
    agency = models.CharField("agency or organisation", max_length=200, blank=True)
    jurisdiction = models.ForeignKey(
        "members.Jurisdiction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "status", "created_at"], name="events_reg_event_status")]
        constraints = [
            # One live registration per person and event; cancelling frees the person to register again.
            models.UniqueConstraint(
                fields=["event", "user"], condition=~models.Q(status="cancelled"), name="events_registration_one_per_user"
            ),
            models.UniqueConstraint(
                "event", Lower("email"), condition=~models.Q(status="cancelled"), name="events_registration_one_per_email"
            ),
        ]

    def __str__(self):
        return f"{self.name} at {self.event_id} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED


class SessionAttendance(models.Model):
    """An organiser recorded that a registered person attended one session."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="attendances")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="events_attendance_once"),
        ]
