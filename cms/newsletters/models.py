"""Quarterly newsletters on each association's site.

Page tree: AssociationHomePage → NewsletterIndexPage (one) → NewsletterIssuePage →
NewsletterArticlePage. Beside the pages: who subscribes (NewsletterSubscription) and the
record of each issue's email delivery, one row per recipient (NewsletterDelivery,
DeliveryRecipient), which is what lets a retried task never email anyone twice.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.http import Http404
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import StandardStreamBlock
from cms.newsletters.panels import DeliveryProgressPanel

EDITORS_NOTE_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"]
INTRO_FEATURES = ["bold", "italic", "link"]
FIRST_SANE_YEAR = 1970  # older than either association (Missouri's formed in 1977)


class Quarter(models.IntegerChoices):
    WINTER = 1, "Winter (January–March)"
    SPRING = 2, "Spring (April–June)"
    SUMMER = 3, "Summer (July–September)"
    FALL = 4, "Fall (October–December)"


SEASONS = {1: "Winter", 2: "Spring", 3: "Summer", 4: "Fall"}


def current_year() -> int:
    return timezone.localdate().year


def latest_sane_year() -> int:
    # Editors prepare the next year's first issue in December.
    return timezone.localdate().year + 1


class NewsletterIndexPage(RoutablePageMixin, Page):
    """An association's newsletter: the latest issues, an archive by year, subscribe, feeds."""

    intro = RichTextField(blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.AssociationHomePage"]
    subpage_types = ["newsletters.NewsletterIssuePage"]
    max_count_per_parent = 1
    template = "cms/newsletters/newsletter_index_page.html"

    class Meta:
        verbose_name = "newsletter index"

    def association(self):
        from cms.selectors import association_for_page

        return association_for_page(self)

    def page_context(self, request, *, year: int | None):
        from cms.newsletters import selectors

        association = self.association()
        issues = selectors.issues_for_index(self, request.user)
        years = selectors.issue_years(issues)
        if year is not None:
            issues = [issue for issue in issues if issue.year == year]
            if not issues:
                raise Http404("No issues that year.")
        else:
            issues = issues[: selectors.LATEST_ISSUES_SHOWN]
        return {
            "association": association,
            "issues": issues,
            "years": years,
            "selected_year": year,
            "subscription": selectors.subscription_state(request.user, association),
            # The archive's search box looks only at this newsletter (and the year shown).
            "newsletter_search_filters": [
                ("kind", "article"), ("kind", "issue"), ("association", association.slug if association else ""),
                *([("year", year)] if year is not None else []),
            ],
        }

    @path("")
    def latest_issues(self, request):
        return self.render(request, context_overrides=self.page_context(request, year=None))

    @path("<int:year>/", name="year")
    def issues_of_year(self, request, year):
        return self.render(request, context_overrides=self.page_context(request, year=year))


class NewsletterIssueForm(WagtailAdminPageForm):
    """Checks volume and number against the other issues of the same newsletter. A new page
    is not in the tree yet while its form is validated, so only the form knows the parent;
    an existing page is checked again by the model's own clean()."""

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.path and self.parent_page is not None:
            message = duplicate_issue_message(
                self.parent_page, cleaned_data.get("volume"), cleaned_data.get("number"), exclude_pk=None
            )
            if message:
                self.add_error("number", message)
        return cleaned_data


def duplicate_issue_message(parent: Page, volume, number, *, exclude_pk) -> str | None:
    if not volume or not number:
        return None
    siblings = NewsletterIssuePage.objects.child_of(parent).filter(volume=volume, number=number)
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    existing = siblings.only("title").first()
    if existing is None:
        return None
    return f"Volume {volume}, number {number} already exists in this newsletter (“{existing.title}”). Check the number."


class NewsletterIssuePage(Page):
    """One quarterly issue: its articles are its child pages."""

    volume = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1, "The volume starts at 1.")], help_text="Usually one volume per year of publication."
    )
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1, "The number starts at 1.")], help_text="The issue's number within its volume."
    )
    quarter = models.PositiveSmallIntegerField(
        choices=Quarter.choices,
        error_messages={"invalid_choice": "Choose a quarter from 1 (January–March) to 4 (October–December)."},
    )
    year = models.PositiveSmallIntegerField(default=current_year)
    cover_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="PDF edition", help_text="Optional: the printable edition of the whole issue.",
    )
    editors_note = RichTextField("editor's note", blank=True, features=EDITORS_NOTE_FEATURES)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("volume"), FieldPanel("number")]), FieldRowPanel([FieldPanel("quarter"), FieldPanel("year")])],
            heading="Issue",
        ),
        FieldPanel("cover_image"),
        FieldPanel("pdf"),
        FieldPanel("editors_note"),
    ]
    base_form_class = NewsletterIssueForm
    parent_page_types = ["newsletters.NewsletterIndexPage"]
    subpage_types = ["newsletters.NewsletterArticlePage"]
    template = "cms/newsletters/newsletter_issue_page.html"
    search_fields = Page.search_fields + [index.SearchField("editors_note")]

    class Meta:
        verbose_name = "newsletter issue"

    @property
    def season(self) -> str:
        return SEASONS.get(self.quarter, "")

    @property
    def summary_line(self) -> str:
        """Short text for cards and feeds: "Vol. 12, No. 3 · Fall 2026"."""
        return f"Vol. {self.volume}, No. {self.number} · {self.season} {self.year}"

    def clean(self):
        super().clean()
        errors = {}
        if self.year is not None and not FIRST_SANE_YEAR <= self.year <= latest_sane_year():
            errors["year"] = f"Enter the year of the issue, between {FIRST_SANE_YEAR} and {latest_sane_year()}."
        if self.path:
            message = duplicate_issue_message(self.get_parent(), self.volume, self.number, exclude_pk=self.pk)
            if message:
                errors["number"] = message
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        from cms.newsletters import selectors

        context = super().get_context(request, *args, **kwargs)
        index_page = self.get_parent().specific
        context["index_page"] = index_page
        context["association"] = association = index_page.association()
        context["articles"] = selectors.articles_for_issue(self, request.user)
        context["subscription"] = selectors.subscription_state(request.user, association)
        return context

    # The email delivery's progress shows on its own tab of the edit view.
    edit_handler = TabbedInterface([
        ObjectList(content_panels, heading="Content"),
        ObjectList(Page.promote_panels, heading="Promote"),
        ObjectList(Page.settings_panels, heading="Settings"),
        ObjectList([DeliveryProgressPanel()], heading="Email delivery"),
    ])


class ArticleAuthor(Orderable):
    article = ParentalKey("newsletters.NewsletterArticlePage", on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(max_length=150)
    affiliation = models.CharField(max_length=200, blank=True, help_text="Agency, court or organisation, as it should be printed.")

    panels = [FieldPanel("name"), FieldPanel("affiliation")]

    def __str__(self):
        return f"{self.name}, {self.affiliation}" if self.affiliation else self.name


class NewsletterArticleTag(TaggedItemBase):
    content_object = ParentalKey("newsletters.NewsletterArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class NewsletterArticlePage(Page):
    """One article in an issue."""

    summary = models.CharField(max_length=300, blank=True, help_text="One or two sentences for the issue's table of contents.")
    body = StreamField(StandardStreamBlock(), blank=True)
    tags = ClusterTaggableManager(through=NewsletterArticleTag, blank=True)
    jurisdictions = ParentalManyToManyField(
        "members.Jurisdiction", blank=True, related_name="newsletter_articles",
        help_text="States, tribes, territories or countries the article is about.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        InlinePanel("authors", label="Author", heading="Authors", min_num=1),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("tags"), FieldPanel("jurisdictions", widget=forms.SelectMultiple(attrs={"size": 8}))], heading="Topics"),
    ]
    parent_page_types = ["newsletters.NewsletterIssuePage"]
    subpage_types: list[str] = []
    template = "cms/newsletters/newsletter_article_page.html"
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("authors", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = "newsletter article"

    def byline(self) -> str:
        names = [author.name for author in self.authors.all()]
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["issue"] = self.get_parent().specific
        return context


# --- Subscriptions and deliveries -------------------------------------------------------------


class NewsletterSubscription(models.Model):
    """A member's wish to get an association's newsletter by email. The row stays when they
    unsubscribe (is_active False), so old unsubscribe links keep working."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newsletter_subscriptions")
    association = models.ForeignKey("members.Association", on_delete=models.CASCADE, related_name="newsletter_subscriptions")
    is_active = models.BooleanField(default=True)
    subscribed_at = models.DateTimeField(default=timezone.now)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="newsletters_one_subscription_per_association"),
        ]

    def __str__(self):
        state = "subscribed" if self.is_active else "unsubscribed"
        return f"{self.user} {state} to {self.association.short_name}'s newsletter"


class NewsletterDelivery(models.Model):
    """The emailing of one issue: created once, the first time the issue is published."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        FINISHED = "finished", "Finished"
        NOT_EMAILED = "not_emailed", "Not emailed"

    issue = models.OneToOneField(NewsletterIssuePage, on_delete=models.CASCADE, related_name="delivery")
    association = models.ForeignKey("members.Association", on_delete=models.CASCADE, related_name="newsletter_deliveries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    note = models.CharField(max_length=300, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "newsletter deliveries"

    def __str__(self):
        return f"Delivery of {self.issue.title} ({self.get_status_display().lower()})"


class DeliveryRecipient(models.Model):
    """One subscriber's copy of one issue. The unique constraint means a duplicated or
    retried task can only find the rows that exist; it can never add a second one."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Claimed by a worker"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    delivery = models.ForeignKey(NewsletterDelivery, on_delete=models.CASCADE, related_name="recipients")
    subscription = models.ForeignKey(NewsletterSubscription, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "user"], name="newsletters_one_copy_per_recipient"),
        ]
        indexes = [models.Index(fields=["delivery", "status"], name="newsletters_recipient_status")]

    def __str__(self):
        return f"{self.email}: {self.get_status_display().lower()}"
