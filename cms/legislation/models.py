"""Legislative and regulatory updates: one index per association site, one page per bill,
rule or treaty action, with its jurisdictions, status and key dates."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.formats import date_format
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from members.models import Jurisdiction

WEB_URL_MESSAGE = "Enter a web address starting with https:// or http://."
RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "link", "ol", "ul"]


class Level(models.TextChoices):
    FEDERAL = "federal", "Federal"
    STATE = "state", "State"
    TRIBAL = "tribal", "Tribal"
    TERRITORIAL = "territorial", "Territorial"
    INTERNATIONAL = "international", "International"


# Which kinds of jurisdiction an update at each level must name at least one of.
JURISDICTION_KINDS_FOR_LEVEL = {
    Level.FEDERAL: {Jurisdiction.Kind.FEDERAL},
    Level.STATE: {Jurisdiction.Kind.STATE, Jurisdiction.Kind.DISTRICT},
    Level.TRIBAL: {Jurisdiction.Kind.TRIBE},
    Level.TERRITORIAL: {Jurisdiction.Kind.TERRITORY},
    Level.INTERNATIONAL: {Jurisdiction.Kind.FOREIGN},
}


class Status(models.TextChoices):
    INTRODUCED = "introduced", "Introduced"
    PASSED = "passed", "Passed"
    SIGNED = "signed", "Signed"
    EFFECTIVE = "effective", "Effective"
    VETOED = "vetoed", "Vetoed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Statuses that come before signature: a signed date contradicts them.
STATUSES_BEFORE_SIGNATURE = {Status.INTRODUCED, Status.PASSED}
# Statuses under which nothing takes effect, so "effective soon" leaves them out.
STATUSES_THAT_NEVER_TAKE_EFFECT = {Status.VETOED, Status.WITHDRAWN}


class LegislativeUpdateIndexPage(Page):
    """An association's legislative and regulatory updates, with filters, an "effective
    soon" list and RSS/Atom feeds."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])
    effective_soon_days = models.PositiveSmallIntegerField(
        "effective soon window (days)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text="Updates taking effect within this many days are listed under “Effective soon” (1 to 730).",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("effective_soon_days")]
    parent_page_types = ["cms.AssociationHomePage"]
    subpage_types = ["legislation.LegislativeUpdatePage"]
    max_count_per_parent = 1
    template = "cms/legislation/legislative_update_index_page.html"

    class Meta:
        verbose_name = "legislative updates index"

    def get_context(self, request, *args, **kwargs):
        from cms.legislation.views import index_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(index_page_context(request, self))
        return context


class LegislativeUpdateTag(TaggedItemBase):
    content_object = ParentalKey(
        "legislation.LegislativeUpdatePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class LegislativeUpdatePageForm(WagtailAdminPageForm):
    """The admin form. Chosen jurisdictions live on the form until it is saved, but the
    page's own validation (level against jurisdictions) must see them: hand them over first,
    so a rule broken by the new choice is a field error and never a failed save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "jurisdictions" in self.fields:
            # The page's clean() says "Choose at least one jurisdiction." (once, not twice).
            self.fields["jurisdictions"].required = False
            self.fields["jurisdictions"].queryset = Jurisdiction.objects.filter(is_active=True).order_by("kind", "name")
        if "source_url" in self.fields:
            self.fields["source_url"].error_messages["invalid"] = WEB_URL_MESSAGE

    def clean(self):
        cleaned_data = super().clean()
        if "jurisdictions" in cleaned_data:
            self.instance.jurisdictions = cleaned_data["jurisdictions"]
        return cleaned_data


def validate_web_url(value: str) -> None:
    URLValidator(schemes=["http", "https"], message=WEB_URL_MESSAGE)(value)


class LegislativeUpdatePage(Page):
    """One bill, rule, code change or treaty action and what it means for IV-D practice."""

    jurisdictions = ParentalManyToManyField(
        Jurisdiction,
        related_name="legislative_updates",
        help_text="Every jurisdiction the change applies to; at least one, and one that matches the level.",
    )
    level = models.CharField(max_length=20, choices=Level.choices, db_index=True)
    bill_number = models.CharField(
        "bill or rule number",
        max_length=100,
        help_text="As the source writes it: HB 1234, SB 56, 45 CFR Part 303, a Federal Register citation or a tribal code section.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    introduced_date = models.DateField(
        "introduced", null=True, blank=True, help_text="Introduced, prefiled or proposed (for a rule: the proposed rule's date)."
    )
    signed_date = models.DateField(
        "signed", null=True, blank=True, help_text="Signed into law, or the final rule published."
    )
    effective_date = models.DateField("effective", null=True, blank=True, db_index=True)
    summary = models.TextField(
        max_length=600, help_text="Two or three plain sentences: what changes. Shown in listings and feeds."
    )
    impact_on_practice = RichTextField(
        "impact on practice",
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text="What caseworkers, attorneys, courts and tribal programs need to do differently.",
    )
    source_url = models.URLField(
        "source link",
        max_length=500,
        validators=[validate_web_url],
        help_text="The bill, rule or treaty text at its official source (https://…).",
    )
    tags = ClusterTaggableManager(through=LegislativeUpdateTag, blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("bill_number"),
                FieldRowPanel([FieldPanel("level"), FieldPanel("status")]),
                FieldPanel("jurisdictions"),
            ],
            heading="What it is",
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("introduced_date"), FieldPanel("signed_date"), FieldPanel("effective_date")])],
            heading="Key dates",
        ),
        FieldPanel("summary"),
        FieldPanel("impact_on_practice"),
        FieldPanel("source_url"),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("bill_number"),
        index.SearchField("summary"),
        index.SearchField("impact_on_practice"),
        index.FilterField("level"),
        index.FilterField("status"),
    ]
    parent_page_types = ["legislation.LegislativeUpdateIndexPage"]
    subpage_types: list[str] = []
    template = "cms/legislation/legislative_update_page.html"
    base_form_class = LegislativeUpdatePageForm

    class Meta:
        verbose_name = "legislative update"

    @property
    def jurisdiction_names(self) -> str:
        # .all() so a prefetched list is used (listings prefetch it; no query per row).
        return ", ".join(jurisdiction.name for jurisdiction in self.jurisdictions.all())

    @property
    def summary_line(self) -> str:
        """For listings and the association home page: "HB 1234 · Missouri · Signed"."""
        parts = [self.bill_number, self.jurisdiction_names, self.get_status_display()]
        return " · ".join(part for part in parts if part)

    @property
    def key_dates(self) -> list[tuple[str, object]]:
        """(label, date) for the dates that are known, in the order things happen."""
        dates = [
            ("Introduced", self.introduced_date),
            ("Signed", self.signed_date),
            ("Effective", self.effective_date),
        ]
        return [(label, value) for label, value in dates if value]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["index_page"] = self.get_parent()
        return context

    def clean(self):
        super().clean()
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        self._check_dates(add)
        self._check_status_against_dates(add)
        self._check_jurisdictions(add)
        if errors:
            raise ValidationError(errors)

    def _check_dates(self, add) -> None:
        introduced, signed, effective = self.introduced_date, self.signed_date, self.effective_date
        if introduced and signed and signed < introduced:
            add("signed_date", f"The signed date is before the introduced date ({_day(introduced)}). Check both dates.")
        if introduced and effective and effective < introduced:
            add("effective_date", f"The effective date is before the introduced date ({_day(introduced)}). Check both dates.")
        if signed and effective and effective < signed:
            add("effective_date", f"The effective date is before the signed date ({_day(signed)}). Check both dates.")

    def _check_status_against_dates(self, add) -> None:
        status = self.status
        if status == Status.INTRODUCED and not self.introduced_date:
            add("introduced_date", "An introduced bill or proposed rule needs the date it was introduced.")
        if status == Status.SIGNED and not self.signed_date:
            add("signed_date", "A signed update needs the date it was signed (or the final rule published).")
        if status == Status.EFFECTIVE and not self.effective_date:
            add("effective_date", "An update in effect needs the date it took effect.")
        if status in STATUSES_BEFORE_SIGNATURE and self.signed_date:
            add(
                "status",
                f"It has a signed date, so it is past “{Status(status).label}”: "
                "choose Signed or Effective, or clear the signed date.",
            )
        if status == Status.VETOED:
            if self.signed_date:
                add("signed_date", "A vetoed bill was not signed: clear the signed date.")
            if self.effective_date:
                add("effective_date", "A vetoed bill does not take effect: clear the effective date.")

    def _check_jurisdictions(self, add) -> None:
        # For a page being edited in the admin these are the chosen values: the admin form
        # hands them over before validating (see forms.LegislativeUpdatePageForm).
        jurisdictions = list(self.jurisdictions.all())
        if not jurisdictions:
            add("jurisdictions", "Choose at least one jurisdiction.")
            return
        wanted_kinds = JURISDICTION_KINDS_FOR_LEVEL.get(self.level)
        if wanted_kinds and not any(jurisdiction.kind in wanted_kinds for jurisdiction in jurisdictions):
            kinds = " or ".join(sorted(str(Jurisdiction.Kind(kind).label).lower() for kind in wanted_kinds))
            add(
                "jurisdictions",
                f"A {Level(self.level).label.lower()} update names at least one {kinds} jurisdiction: "
                "add it, or choose the level that matches.",
            )


def _day(value) -> str:
    return date_format(value, "j F Y")

