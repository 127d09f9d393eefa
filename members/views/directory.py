"""The members directory: active members who chose to be listed, with filters and search."""

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import render

from members import permissions
from members.forms.profiles import DirectoryFilterForm
from members.selectors import (
    DIRECTORY_PAGE_SIZE,
    directory_associations,
    directory_members,
    directory_name,
    membership_roles,
    profile_of,
)


def directory(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    associations = list(directory_associations())
    if not permissions.can_view_directory(request.user):
        # Signed in but not an active member anywhere (never joined, applied, lapsed).
        return render(
            request,
            "members/directory.html",
            {"membership_required": True, "associations": associations},
            status=403,
        )

    form = DirectoryFilterForm(request.GET or None, associations=associations)
    filters = form.filters() if form.is_bound else {}
    members = directory_members(request.user, **filters)
    page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [_entry(user) for user in page.object_list]
    return render(
        request,
        "members/directory.html",
        {
            "form": form,
            "page_obj": page,
            "entries": entries,
            "is_filtered": any(filters.values()),
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


def _entry(user) -> dict:
    """What one directory row shows: hidden fields are left out here, not in the template."""
    profile = profile_of(user)
    return {
        "user": user,
        "name": directory_name(user),
        "job_title": profile.job_title,
        "agency": profile.agency if profile.show_agency else "",
        "jurisdiction": profile.jurisdiction if profile.show_jurisdiction else None,
        "is_interstate_contact": profile.is_interstate_contact,
        "memberships": [
            {"association": membership.association, "roles": membership_roles(membership)}
            for membership in user.active_memberships
        ],
    }
