import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.dispatch import receiver
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.signals import page_published

from cms.blocks import StandardStreamBlock
from members.models import Association, Jurisdiction

hostname_validator = RegexValidator(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$",
    flags=re.IGNORECASE,
    message="Enter a host name such as wicsec.example.org (letters, digits, hyphens and dots; no http:// or path).",
)


class HomePage(Page):
    """The Comity portal: introduces the platform and links to each association's site."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.AssociationHomePage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from members.selectors import associations_for_switcher

        context = super().get_context(request, *args, **kwargs)
        context["association_sites"] = associations_for_switcher()
        return context


class AssociationHomePage(Page):
    """The root of one association's site (its newsletter, updates, events and pages).

    Each home page is the root of a Wagtail Site of its own once it has a host name: a
    request for that host is served from this page at "/". Without one the site lives
    under the portal's path prefix (/western/, /missouri/), which keeps working either way.
    """

    tagline = models.CharField(max_length=200, blank=True)
    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])
    site_hostname = models.CharField(
        "host name", max_length=253, blank=True, validators=[hostname_validator],
        help_text="The association's own web address, such as wicsec.example.org. Leave blank to serve the site "
        "under the portal's address only. The host name must also be in DJANGO_ALLOWED_HOSTS.",
    )
    site_port = models.PositiveIntegerField(
        "port", default=443, validators=[MinValueValidator(1), MaxValueValidator(65535)],
        help_text="443 for https, 80 for http, or the port of a local development server.",
    )

    content_panels = Page.content_panels + [FieldPanel("tagline"), FieldPanel("intro")]
    # Only people who may manage Wagtail sites (site administrators) see or change the address.
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("site_hostname"), FieldPanel("site_port")])],
            heading="Own web address",
            permission="wagtailcore.change_site",
        )
    ]
    parent_page_types = ["cms.HomePage"]

    def clean(self):
        super().clean()
        self.site_hostname = self.site_hostname.strip().lower()
        if self.site_hostname:
            from wagtail.models import Site

            taken = Site.objects.filter(hostname=self.site_hostname, port=self.site_port)
            if self.pk:
                taken = taken.exclude(root_page_id=self.pk)
            if taken.exists():
                raise ValidationError(
                    {"site_hostname": f"{self.site_hostname}:{self.site_port} already serves another site."}
                )

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import home_page_sections

        context = super().get_context(request, *args, **kwargs)
        context.update(home_page_sections(self, request.user))
        return context


@receiver(page_published, sender=AssociationHomePage)
def association_site_follows_the_host_name(sender, instance, **kwargs):
    # The host name is published with the page, so the Site changes only when it goes live.
    from cms.services import sync_association_site

    sync_association_site(instance)


class StandardPage(Page):
    """About, Purposes, Strategic plan, Bylaws, members-only pages and the like."""

    intro = models.CharField(max_length=300, blank=True)
    body = StreamField(StandardStreamBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.AssociationHomePage", "cms.StandardPage"]


# --- Board of directors -----------------------------------------------------------------------


class Residency(models.TextChoices):
    ANY = "any", "Any state, tribe or territory"
    WESTERN = "western", "A jurisdiction west of the Mississippi"
    WESTERN_STATE = "western_state", "A state west of the Mississippi"
    HOME = "home", "The association's home jurisdiction"


@dataclass(frozen=True)
class RosterProblem:
    """One way a roster breaks its association's seat rules; `row` is the director's
    position in the roster and `field` the director's field at fault, when there is one."""

    message: str
    row: int | None = None
    field: str | None = None


class BoardCompositionForm(WagtailAdminModelForm):
    def clean(self):
        cleaned_data = super().clean()
        seat_types = self.formsets["seat_types"]
        if not seat_types.is_valid():
            return cleaned_data
        kept = [form for form in seat_types.forms if form.has_changed() or form.instance.pk]
        kept = [form for form in kept if not seat_types._should_delete_form(form)]
        total = cleaned_data.get("total_seats")
        minimum = sum(form.cleaned_data.get("min_directors") or 0 for form in kept)
        if total and minimum > total:
            self.add_error(
                "total_seats",
                f"The seat types need at least {minimum} directors between them, more than the {total} seats.",
            )
        if not cleaned_data.get("home_jurisdiction") and any(
            form.cleaned_data.get("residency") == Residency.HOME for form in kept
        ):
            self.add_error("home_jurisdiction", "A seat type needs residents of the home jurisdiction: choose it.")
        for form in seat_types.deleted_forms:
            seat_type = form.instance
            if seat_type.pk and BoardDirector.objects.filter(seat_type=seat_type).exists():
                form.add_error(None, f"Directors hold “{seat_type.name}” seats; give them other seats before removing it.")
                self.add_error(None, f"“{seat_type.name}” is still held by directors.")
        return cleaned_data


class BoardComposition(ClusterableModel):
    """An association's rules for its board: how many seats, and which kinds of seat it
    must or may have (from its bylaws). The board page's roster is checked against them."""

    association = models.OneToOneField(Association, on_delete=models.CASCADE, related_name="board_composition")
    total_seats = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])
    home_jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For seats that must go to residents of the association's own state.",
    )
    summary = models.TextField(
        blank=True, max_length=1000, help_text="The rule as the bylaws put it, shown on the board page."
    )

    panels = [
        FieldPanel("association"),
        FieldPanel("total_seats"),
        FieldPanel("home_jurisdiction"),
        FieldPanel("summary"),
        InlinePanel("seat_types", heading="Seat types", min_num=1),
    ]
    base_form_class = BoardCompositionForm

    class Meta:
        verbose_name = "board seat rules"
        verbose_name_plural = "board seat rules"

    def __str__(self):
        return f"{self.association.short_name} board seat rules"

    def roster_problems(self, directors, *, counts: bool = True) -> list[RosterProblem]:
        """How `directors` (a list of BoardDirector, saved or not) break these rules.
        `counts=False` checks each director alone (for drafts still being filled in)."""
        association = self.association.short_name
        seat_types = {seat_type.pk: seat_type for seat_type in self.seat_types.all()}
        problems = []
        for row, director in enumerate(directors):
            seat_type = seat_types.get(director.seat_type_id)
            if director.seat_type_id and seat_type is None:
                problems.append(RosterProblem(f"That seat type is not one of {association}'s.", row, "seat_type"))
            elif seat_type is not None and director.jurisdiction_id:
                problem = seat_type.residency_problem(director, self.home_jurisdiction)
                if problem:
                    problems.append(RosterProblem(problem, row, "jurisdiction"))
        seen_members = set()
        for row, director in enumerate(directors):
            if director.member_id and director.member_id in seen_members:
                problems.append(RosterProblem(f"{director.display_name} is already on the roster.", row, "member"))
            seen_members.add(director.member_id)
        if not counts:
            return problems
        if len(directors) > self.total_seats:
            problems.append(RosterProblem(
                f"The board has {len(directors)} directors; {association}'s rules allow {self.total_seats}."
            ))
        for seat_type in seat_types.values():
            held = sum(1 for director in directors if director.seat_type_id == seat_type.pk)
            if held < seat_type.min_directors:
                problems.append(RosterProblem(
                    f"{association}'s rules need {seat_type.min_directors} in the “{seat_type.name}” seat"
                    f"{'s' if seat_type.min_directors > 1 else ''}; the roster has {held or 'none'}."
                ))
            if seat_type.max_directors is not None and held > seat_type.max_directors:
                problems.append(RosterProblem(
                    f"{association}'s rules allow {seat_type.max_directors} in the “{seat_type.name}” seat"
                    f"{'s' if seat_type.max_directors > 1 else ''}; the roster has {held}."
                ))
        return problems


class BoardSeatType(Orderable):
    """A kind of seat on the board (for example "State IV-D director"), with how many
    directors must or may hold it and where they must live."""

    composition = ParentalKey(BoardComposition, on_delete=models.CASCADE, related_name="seat_types")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    min_directors = models.PositiveSmallIntegerField("at least", default=0)
    max_directors = models.PositiveSmallIntegerField(
        "at most", null=True, blank=True, help_text="Blank: as many as the free seats allow."
    )
    residency = models.CharField(
        "directors must reside in", max_length=20, choices=Residency.choices, default=Residency.ANY
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("min_directors"), FieldPanel("max_directors")]),
        FieldPanel("residency"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_directors__isnull=True) | models.Q(max_directors__gte=models.F("min_directors")),
                name="cms_boardseattype_max_at_least_min",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.max_directors is not None and self.max_directors < self.min_directors:
            raise ValidationError({"max_directors": "“At most” cannot be less than “at least”."})

    def rule_summary(self, home_jurisdiction: Jurisdiction | None) -> str:
        """How many directors the seat takes and who may hold it, for the board page."""
        least, most = self.min_directors, self.max_directors
        if most is None:
            count = f"at least {least} seat{'s' if least != 1 else ''}" if least else "the remaining seats"
        elif least == most:
            count = f"{least} seat{'s' if least != 1 else ''}"
        else:
            count = f"{least} to {most} seats"
        who = {
            Residency.ANY: "open to residents of any state, tribe or territory",
            Residency.WESTERN: "for residents of a jurisdiction west of the Mississippi",
            Residency.WESTERN_STATE: "for residents of a state west of the Mississippi",
            Residency.HOME: f"for residents of {home_jurisdiction or 'the home jurisdiction'}",
        }[self.residency]
        return f"{count}, {who}"

    def residency_problem(self, director: "BoardDirector", home_jurisdiction: Jurisdiction | None) -> str:
        """Why `director` may not hold this seat where they live ("" when they may)."""
        jurisdiction = director.jurisdiction
        seat = f"The “{self.name}” seat"
        if self.residency == Residency.WESTERN and not jurisdiction.west_of_mississippi:
            return f"{seat} must go to a resident of a jurisdiction west of the Mississippi; {jurisdiction} is not one."
        if self.residency == Residency.WESTERN_STATE and not (
            jurisdiction.west_of_mississippi and jurisdiction.kind == Jurisdiction.Kind.STATE
        ):
            return f"{seat} must go to a resident of a state west of the Mississippi; {jurisdiction} is not one."
        if self.residency == Residency.HOME and home_jurisdiction and jurisdiction.pk != home_jurisdiction.pk:
            return f"{seat} must go to a resident of {home_jurisdiction}; {jurisdiction} is elsewhere."
        return ""


class BoardPageForm(WagtailAdminPageForm):
    """Offers only the association's own seat types and members, and checks the submitted
    roster against the association's seat rules, row by row, with what was typed kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance if self.instance.pk else None
        self.association = association_of(page or self.parent_page)
        directors = self.formsets.get("directors")
        if directors is None:
            return
        seat_types = BoardSeatType.objects.filter(composition__association=self.association)
        members = board_member_choices(self.association)
        row_form = directors.form

        class DirectorForm(row_form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "seat_type" in self.fields:
                    self.fields["seat_type"].queryset = seat_types
                if "member" in self.fields:
                    self.fields["member"].queryset = members

        directors.form = DirectorForm

    def clean(self):
        cleaned_data = super().clean()
        directors = self.formsets.get("directors")
        composition = board_composition_of(self.association)
        if directors is None or composition is None or not directors.is_valid():
            return cleaned_data
        forms = [
            form for form in directors.forms
            if (form.has_changed() or form.instance.pk) and not directors._should_delete_form(form)
        ]
        # A draft may hold a roster still being filled in; submitting or publishing needs it whole.
        problems = composition.roster_problems(
            [form.instance for form in forms], counts=not self.is_deferred_validation
        )
        for problem in problems:
            if problem.row is not None:
                forms[problem.row].add_error(problem.field, problem.message)
                self.add_error(None, f"{forms[problem.row].instance.display_name}: {problem.message}")
            else:
                self.add_error(None, problem.message)
        return cleaned_data

    def _post_clean(self):
        # The model's clean() would see the roster as it was before this submission (the
        # formset is applied when the form is saved); clean() above checked the submitted one.
        self.instance._roster_checked_by_form = True
        try:
            super()._post_clean()
        finally:
            del self.instance._roster_checked_by_form


def association_of(page: Page | None) -> Association | None:
    if page is None:
        return None
    from cms.selectors import association_for_page

    return association_for_page(page)


def board_composition_of(association: Association | None) -> BoardComposition | None:
    if association is None:
        return None
    return (
        BoardComposition.objects.filter(association=association)
        .select_related("association", "home_jurisdiction")
        .prefetch_related("seat_types")
        .first()
    )


def board_member_choices(association: Association | None):
    from members.models import Membership, User

    if association is None:
        return User.objects.none()
    return User.objects.filter(
        memberships__association=association, memberships__status=Membership.Status.ACTIVE
    ).order_by("display_name", "email")


class BoardPage(Page):
    """The association's board of directors, checked against its seat rules."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("directors", heading="Directors", label="Director"),
    ]
    base_form_class = BoardPageForm
    parent_page_types = ["cms.AssociationHomePage"]
    subpage_types = []
    max_count_per_parent = 1

    def clean(self):
        super().clean()
        if getattr(self, "_roster_checked_by_form", False):
            return
        composition = board_composition_of(association_of(self if self.path else None))
        if composition is None:
            return
        problems = composition.roster_problems(list(self.directors.all()))
        if problems:
            raise ValidationError({NON_FIELD_ERRORS: [problem.message for problem in problems]})

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import board_roster

        context = super().get_context(request, *args, **kwargs)
        context.update(board_roster(self))
        return context


class BoardDirector(Orderable):
    """One seat on the roster: a named person (or a member's account), their seat, term and
    jurisdiction of residence."""

    page = ParentalKey(BoardPage, on_delete=models.CASCADE, related_name="directors")
    name = models.CharField(max_length=150, blank=True, help_text="Leave blank to use the member's name.")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Optional: the director's member account.",
    )
    title = models.CharField(max_length=80, blank=True, help_text="An office held, such as President or Treasurer.")
    seat_type = models.ForeignKey(BoardSeatType, on_delete=models.PROTECT, related_name="directors")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", help_text="Where the director resides."
    )
    term_start = models.DateField()
    term_end = models.DateField()

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("member")]),
        FieldRowPanel([FieldPanel("title"), FieldPanel("seat_type")]),
        FieldPanel("jurisdiction"),
        FieldRowPanel([FieldPanel("term_start"), FieldPanel("term_end")]),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gt=models.F("term_start")), name="cms_boarddirector_term_ends_after_start"
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.member_id:
            from members.selectors import directory_name

            return directory_name(self.member)
        return "A director"

    def clean(self):
        super().clean()
        errors = {}
        if not self.name.strip() and not self.member_id:
            errors["name"] = "Give the director's name or choose their member account."
        if self.term_start and self.term_end and self.term_end <= self.term_start:
            errors["term_end"] = "The term must end after it starts."
        if errors:
            raise ValidationError(errors)


# --- Membership --------------------------------------------------------------------------------


class MembershipPage(Page):
    """Who may join the association (its eligibility categories), why, and how to apply."""

    intro = models.CharField(max_length=300, blank=True)
    why_join = StreamField(StandardStreamBlock(), blank=True, verbose_name="why join")

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("why_join")]
    parent_page_types = ["cms.AssociationHomePage"]
    subpage_types = []
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import membership_offer

        context = super().get_context(request, *args, **kwargs)
        context.update(membership_offer(self, request.user))
        return context
