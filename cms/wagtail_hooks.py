from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.models import PageViewRestriction


@hooks.register("before_serve_page", order=-10)
def refuse_signed_in_people_outside_the_pages_audience(page, request, serve_args, serve_kwargs):
    """Wagtail sends anyone a group restriction turns away to the sign-in page; someone who
    is already signed in would bounce between the two. They get a clear 403 instead."""
    if not request.user.is_authenticated:
        return None
    for restriction in page.get_view_restrictions():
        if restriction.restriction_type == PageViewRestriction.GROUPS and not restriction.accept_request(request):
            raise PermissionDenied(
                "This page is for members only. If you belong to the association, check that your membership is active."
            )
    return None
