"""Reads for newsletters, filtered by what the viewer may see, in a constant number of
queries whatever the number of issues or articles."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from wagtail.models import Page, PageViewRestriction

from cms.newsletters.models import (
    ArticleAuthor,
    DeliveryRecipient,
    NewsletterArticlePage,
    NewsletterDelivery,
    NewsletterIndexPage,
    NewsletterIssuePage,
    NewsletterSubscription,
)
from members import permissions
from members.models import Association, Role, RoleGroup

LATEST_ISSUES_SHOWN = 8
FEED_LENGTH = 20
NEWEST_FIRST = ("-year", "-quarter", "-volume", "-number", "-pk")


# --- Pages ------------------------------------------------------------------------------------


def latest_issue_for(association_home: Page) -> NewsletterIssuePage | None:
    """The newest live, public issue on an association's site (for its home page), or None."""
    return (
        NewsletterIssuePage.objects.live().public().descendant_of(association_home)
        .select_related("cover_image")
        .order_by(*NEWEST_FIRST)
        .first()
    )


def newsletter_index_for(association: Association) -> NewsletterIndexPage | None:
    if association.home_page_id is None:
        return None
    return NewsletterIndexPage.objects.live().child_of(association.home_page).first()


def visible_pages(pages, user) -> list:
    """Keep the pages `user` may open: Wagtail view restrictions on a page or any of its
    ancestors must all let them through (as Wagtail checks when serving it). Password
    restrictions hide a page from listings; it can still be opened with the password."""
    pages = list(pages)
    if not pages or permissions.sees_everything(user):
        return pages
    signed_in = bool(user is not None and user.is_authenticated and user.is_active)
    group_ids = set(user.groups.values_list("pk", flat=True)) if signed_in else set()
    return pages_open_to(pages, signed_in=signed_in, group_ids=group_ids)


def pages_open_to(pages: list, *, signed_in: bool, group_ids: set[int]) -> list:
    """Keep the pages someone signed in (or not) and holding `group_ids` may open (two queries)."""
    if not pages:
        return pages
    step = Page.steplen
    paths = {page.path[:end] for page in pages for end in range(step, len(page.path) + 1, step)}
    restrictions = list(
        PageViewRestriction.objects.filter(page__path__in=paths)
        .select_related("page")
        .only("restriction_type", "page__path")
        .prefetch_related("groups")
    )
    if not restrictions:
        return pages

    def lets_through(restriction) -> bool:
        if restriction.restriction_type == PageViewRestriction.LOGIN:
            return signed_in
        if restriction.restriction_type == PageViewRestriction.GROUPS:
            return any(group.pk in group_ids for group in restriction.groups.all())
        return False

    allowed = {restriction.pk: lets_through(restriction) for restriction in restrictions}
    return [
        page for page in pages
        if all(allowed[restriction.pk] for restriction in restrictions if page.path.startswith(restriction.page.path))
    ]


def members_group_id(association: Association) -> int:
    return RoleGroup.objects.values_list("group_id", flat=True).get(association=association, role=Role.MEMBER)


def issues_for_index(index_page: NewsletterIndexPage, user) -> list[NewsletterIssuePage]:
    """Every live issue of the newsletter that `user` may open, newest first."""
    issues = (
        NewsletterIssuePage.objects.live().child_of(index_page)
        .select_related("cover_image", "pdf")
        .order_by(*NEWEST_FIRST)
    )
    return visible_pages(issues, user)


def issue_years(issues) -> list[int]:
    return sorted({issue.year for issue in issues}, reverse=True)


def articles_for_issue(issue: NewsletterIssuePage, user) -> list[NewsletterArticlePage]:
    """The issue's live articles that `user` may open, in the editors' order."""
    articles = (
        NewsletterArticlePage.objects.live().child_of(issue)
        .prefetch_related(Prefetch("authors", queryset=ArticleAuthor.objects.order_by("sort_order")), "tags")
        .order_by("path")
    )
    return visible_pages(articles, user)


def articles_for_members(issue: NewsletterIssuePage, association: Association) -> list[NewsletterArticlePage]:
    """What an issue's email lists: the live articles any member of the association may open."""
    articles = list(
        NewsletterArticlePage.objects.live().child_of(issue)
        .prefetch_related(Prefetch("authors", queryset=ArticleAuthor.objects.order_by("sort_order")))
        .order_by("path")
    )
    return pages_open_to(articles, signed_in=True, group_ids={members_group_id(association)})


def members_may_open(page: Page, association: Association) -> bool:
    """Whether every member of the association may open `page` (so it may be emailed to them)."""
    return bool(pages_open_to([page], signed_in=True, group_ids={members_group_id(association)}))


def feed_issues(association: Association) -> list[NewsletterIssuePage]:
    """The newest live issues anyone may read on the association's site (feeds carry no session)."""
    if association.home_page_id is None:
        return []
    home = Page.objects.get(pk=association.home_page_id)
    return list(
        NewsletterIssuePage.objects.live().public().descendant_of(home)
        .order_by(*NEWEST_FIRST)[:FEED_LENGTH]
    )


def newsletters_by_association() -> list[dict]:
    """For /newsletters/: each association's newsletter and its latest public issue."""
    entries = []
    homes = {page.pk: page for page in Page.objects.filter(pk__in=Association.objects.values("home_page_id"))}
    indexes = NewsletterIndexPage.objects.live().public()
    for association in Association.objects.exclude(home_page=None).order_by("name"):
        home = homes.get(association.home_page_id)
        index_page = indexes.child_of(home).first() if home else None
        if index_page is None:
            continue
        entries.append({"association": association, "index_page": index_page, "latest_issue": latest_issue_for(home)})
    return entries


# --- Subscriptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionState:
    signed_in: bool
    may_subscribe: bool
    is_subscribed: bool


def subscription_state(user, association: Association | None) -> SubscriptionState:
    signed_in = bool(user is not None and user.is_authenticated)
    if not signed_in or association is None:
        return SubscriptionState(signed_in=signed_in, may_subscribe=False, is_subscribed=False)
    is_subscribed = NewsletterSubscription.objects.filter(user=user, association=association, is_active=True).exists()
    return SubscriptionState(
        signed_in=True, may_subscribe=permissions.is_active_member(user, association), is_subscribed=is_subscribed
    )


# --- Deliveries (admin) -----------------------------------------------------------------------


def with_progress(deliveries):
    """Annotate deliveries with one count per recipient status (`sent_count`, `failed_count`...)."""
    return deliveries.annotate(**{
        f"{status}_count": Count("recipients", filter=Q(recipients__status=status))
        for status in DeliveryRecipient.Status.values
    })


def delivery_with_progress(issue_pk: int) -> NewsletterDelivery | None:
    return with_progress(NewsletterDelivery.objects.filter(issue_id=issue_pk)).first()


def associations_edited_by(user) -> list[int]:
    """Ids of the associations whose pages the user edits (editors and admins)."""
    editing_roles = {Role.EDITOR, Role.ADMIN}
    return [association_id for association_id, roles in permissions.roles_by_association(user).items() if roles & editing_roles]


def deliveries_visible_to(user):
    """Deliveries of the associations whose pages the user edits (all, for superusers)."""
    deliveries = NewsletterDelivery.objects.select_related("issue", "association")
    if not permissions.sees_everything(user):
        deliveries = deliveries.filter(association_id__in=associations_edited_by(user))
    return with_progress(deliveries).order_by("-created_at", "-pk")


def failed_recipients(delivery: NewsletterDelivery, limit: int = 100):
    return delivery.recipients.filter(status=DeliveryRecipient.Status.FAILED).order_by("email")[:limit]


def association_for_issue(issue: NewsletterIssuePage) -> Association | None:
    from cms.selectors import association_for_page

    return association_for_page(issue)
