from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.models import BaseViewRestriction, PageViewRestriction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import BoardComposition

MEMBERS_ONLY_MESSAGE = (
    "This {thing} is for members only. If you belong to the association, check that your membership is active."
)


@hooks.register("before_serve_page", order=-10)
def refuse_signed_in_people_outside_the_pages_audience(page, request, serve_args, serve_kwargs):
    """Wagtail sends anyone a group restriction turns away to the sign-in page; someone who
    is already signed in would bounce between the two. They get a clear 403 instead."""
    if not request.user.is_authenticated:
        return None
    for restriction in page.get_view_restrictions():
        if restriction.restriction_type == PageViewRestriction.GROUPS and not restriction.accept_request(request):
            raise PermissionDenied(MEMBERS_ONLY_MESSAGE.format(thing="page"))
    return None


@hooks.register("before_serve_document", order=-10)
def refuse_signed_in_people_outside_the_documents_audience(document, request):
    """The same for documents in a members-only collection (Wagtail's own check, which runs
    after this one, sends signed-out visitors to the sign-in page)."""
    if not request.user.is_authenticated:
        return None
    for restriction in document.collection.get_view_restrictions():
        if restriction.restriction_type == BaseViewRestriction.GROUPS and not restriction.accept_request(request):
            raise PermissionDenied(MEMBERS_ONLY_MESSAGE.format(thing="document"))
    return None


class BoardCompositionViewSet(SnippetViewSet):
    """Each association's board seat rules, kept by site administrators from its bylaws."""

    model = BoardComposition
    menu_label = "Board seat rules"
    icon = "group"
    add_to_admin_menu = False
    list_display = ["association", "total_seats"]


register_snippet(BoardCompositionViewSet)
