"""Documents for the association sites' Wagtail pages: newsletter articles ("article:<id>")
and issues ("issue:<id>"), legislative updates ("update:<id>"), events ("event:<id>") and
plain pages ("page:<id>": standard pages, the membership page, the board page).

Only live pages have documents (a draft, an unpublished or expired page, or an alias has
none), and only the live content is read (Wagtail keeps draft edits in revisions). Who may
see a page follows Wagtail's view restrictions on it and on its ancestors, which a reader
must all pass, as Wagtail checks when serving it:

    no restriction                      ["public"]
    "private, signed in"                ["signed-in"]
    "private, these groups"             ["group:<id>", ...]  (several group restrictions on the
                                        way down: the groups in all of them)
    a password anywhere above           no document (only the password opens it)

Dates: `published_at` is when the page was first published, except for an event, where it
is when the event starts (so "after:" and "before:" find events by their date); `year` is
the issue's year for issues and their articles.
"""

from collections.abc import Iterable

from django.db.models import Prefetch
from wagtail.models import Page, PageViewRestriction, Site

from cms.events.models import EventPage
from cms.legislation.models import LegislativeUpdatePage
from cms.models import BoardDirector, BoardPage, MembershipPage, StandardPage
from cms.newsletters.models import ArticleAuthor, NewsletterArticlePage, NewsletterIssuePage
from members.models import Association, Jurisdiction
from members.permissions import PUBLIC, SIGNED_IN, group_audience
from search.sources.base import DocumentSource, document
from search.sources.text import html_to_text, join_text, stream_text


class PageContext:
    """What every page in one chunk needs, loaded once: the view restrictions on the
    pages and their ancestors, which association's site each page is on, and the portal's
    root (to turn a page's tree path into its path on the site)."""

    def __init__(self, pages: Iterable[Page]):
        pages = list(pages)
        step = Page.steplen
        paths = {page.path[:end] for page in pages for end in range(step, len(page.path) + 1, step)}
        self.restrictions = (
            list(
                PageViewRestriction.objects.filter(page__path__in=paths)
                .select_related("page")
                .only("restriction_type", "page__path")
                .prefetch_related("groups")
            )
            if paths else []
        )
        self.association_by_home_path = dict(
            Association.objects.filter(home_page__isnull=False).values_list("home_page__path", "slug")
        )
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        self.root_url_path = site.root_page.url_path if site else "/"

    def audience(self, page: Page) -> list[str] | None:
        """The audience ids for `page`, or None when it must not be indexed."""
        applying = [r for r in self.restrictions if page.path.startswith(r.page.path)]
        groups: set[int] | None = None
        signed_in = False
        for restriction in applying:
            kind = restriction.restriction_type
            if kind == PageViewRestriction.PASSWORD:
                return None
            if kind == PageViewRestriction.LOGIN:
                signed_in = True
            elif kind == PageViewRestriction.GROUPS:
                allowed = {group.pk for group in restriction.groups.all()}
                groups = allowed if groups is None else groups & allowed
        if groups is not None:
            return [group_audience(group_id) for group_id in sorted(groups)] or None
        return [SIGNED_IN] if signed_in else [PUBLIC]

    def association(self, page: Page) -> str:
        step = Page.steplen
        for end in range(len(page.path), 0, -step):
            slug = self.association_by_home_path.get(page.path[:end])
            if slug:
                return slug
        return ""

    def url(self, page: Page) -> str:
        if page.url_path.startswith(self.root_url_path):
            return "/" + page.url_path[len(self.root_url_path) :]
        return page.get_url() or page.url_path


class PageSource(DocumentSource):
    """Live pages of `models`, described by `fields(page, context)`."""

    models: tuple[type[Page], ...] = ()

    def live(self, model):
        return model.objects.live().filter(alias_of__isnull=True)

    def candidate_pks(self):
        if len(self.models) == 1:
            return self.live(self.models[0]).values_list("pk", flat=True)
        return self.live(Page).type(*self.models).values_list("pk", flat=True)

    def with_related(self, queryset):
        return queryset

    def prepare(self, pages: list[Page], context: PageContext) -> None:
        """Load what `fields` needs for all `pages` at once (override as needed)."""

    def fields(self, page: Page, context: PageContext) -> dict:
        raise NotImplementedError

    def build(self, pks: list[int]) -> list[dict]:
        pages = []
        for model in self.models:
            pages += list(self.with_related(self.live(model).filter(pk__in=pks)))
        if not pages:
            return []
        pages.sort(key=lambda page: page.pk)
        context = PageContext(pages)
        self.prepare(pages, context)
        documents = []
        for page in pages:
            audience = context.audience(page)
            if audience is None:
                continue
            fields = self.fields(page, context)
            fields.setdefault("published_at", page.first_published_at or page.last_published_at)
            documents.append(
                document(
                    kind=self.kinds[0], pk=page.pk, title=page.title, url=context.url(page), audience=audience,
                    association=context.association(page), **fields,
                )
            )
        return documents


def _jurisdiction_codes(page) -> list[str]:
    return [jurisdiction.code for jurisdiction in page.jurisdictions.all()]


def _jurisdictions_prefetch() -> Prefetch:
    return Prefetch("jurisdictions", queryset=Jurisdiction.objects.only("pk", "code"))


class ArticleSource(PageSource):
    kinds = ("article",)
    models = (NewsletterArticlePage,)

    def with_related(self, queryset):
        return queryset.prefetch_related(
            Prefetch("authors", queryset=ArticleAuthor.objects.order_by("sort_order")),
            "tags",
            _jurisdictions_prefetch(),
        )

    def prepare(self, pages, context):
        parent_paths = {page.path[: -Page.steplen] for page in pages}
        issues = NewsletterIssuePage.objects.filter(path__in=parent_paths)
        context.issue_years = dict(issues.values_list("path", "year"))

    def fields(self, page, context):
        return {
            "body": join_text(page.summary, stream_text(page.body), page.search_description),
            "author": page.byline(),
            "tags": [tag.slug for tag in page.tags.all()],
            "jurisdictions": _jurisdiction_codes(page),
            "year": context.issue_years.get(page.path[: -Page.steplen]),
        }


class IssueSource(PageSource):
    kinds = ("issue",)
    models = (NewsletterIssuePage,)

    def fields(self, page, context):
        return {
            "body": join_text(page.summary_line, html_to_text(page.editors_note), page.search_description),
            "year": page.year,
        }


class UpdateSource(PageSource):
    kinds = ("update",)
    models = (LegislativeUpdatePage,)

    def with_related(self, queryset):
        return queryset.prefetch_related("tags", _jurisdictions_prefetch())

    def fields(self, page, context):
        return {
            "body": join_text(
                page.bill_number, page.summary, html_to_text(page.impact_on_practice), page.search_description
            ),
            "tags": [tag.slug for tag in page.tags.all()],
            "jurisdictions": _jurisdiction_codes(page),
        }


class EventSource(PageSource):
    kinds = ("event",)
    models = (EventPage,)

    def with_related(self, queryset):
        return queryset.prefetch_related("sessions")

    def fields(self, page, context):
        sessions = [
            join_text(session.title, session.speakers, session.description) for session in page.sessions.all()
        ]
        fields = {
            "body": join_text(
                page.get_kind_display(), page.summary, html_to_text(page.description), page.venue_name,
                *sessions, page.search_description,
            ),
        }
        if page.starts_at:
            fields["published_at"] = page.starts_at
        return fields


class StandardPageSource(PageSource):
    kinds = ("page",)
    models = (StandardPage, MembershipPage, BoardPage)

    def with_related(self, queryset):
        if queryset.model is BoardPage:
            return queryset.prefetch_related(
                Prefetch("directors", queryset=BoardDirector.objects.select_related("member").order_by("sort_order"))
            )
        return queryset

    def fields(self, page, context):
        if isinstance(page, StandardPage):
            body = join_text(page.intro, stream_text(page.body))
        elif isinstance(page, MembershipPage):
            body = join_text(page.intro, stream_text(page.why_join))
        else:
            directors = [join_text(director.display_name, director.title) for director in page.directors.all()]
            body = join_text(html_to_text(page.intro), *directors)
        return {"body": join_text(body, page.search_description)}


# Which document kind each page model's documents have (for the page signals).
PAGE_KIND_BY_MODEL: dict[type[Page], str] = {
    model: source.kinds[0]
    for source in (ArticleSource, IssueSource, UpdateSource, EventSource, StandardPageSource)
    for model in source.models
}
