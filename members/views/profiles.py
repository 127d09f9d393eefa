"""A member's own profile form, and the profile page other members see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.forms import add_service_errors
from members import permissions, services
from members.forms.profiles import ProfileForm
from members.selectors import directory_name, membership_roles, profile_of, visible_profile


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request):
    """Each user edits only their own profile: the page never takes a user id."""
    user = request.user
    profile = profile_of(user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, user=user, profile=profile)
        if form.is_valid():
            try:
                services.update_profile(user, **form.service_arguments())
            except services.ProfileError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("members:edit_profile")
    else:
        form = ProfileForm(user=user, profile=profile)
    chose_new_avatar = request.method == "POST" and bool(request.FILES.get("avatar"))
    return render(
        request,
        "members/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "chose_new_avatar": chose_new_avatar,
            "error_count": len(form.errors),
        },
    )


def profile_detail(request, user_id):
    """A member's profile as the viewer may see it; 404 for anyone who may not, so the page
    never tells whether the person exists."""
    person = visible_profile(request.user, user_id)
    if person is None:
        raise Http404("No such member.")
    profile = profile_of(person)
    is_self = request.user.pk == person.pk
    memberships = [
        {"association": membership.association, "roles": membership_roles(membership)}
        for membership in person.active_memberships
    ]
    return render(
        request,
        "members/profile_detail.html",
        {
            "person": person,
            "name": directory_name(person),
            "profile": profile,
            "is_self": is_self,
            "show_agency": bool(profile.agency) and (profile.show_agency or is_self),
            "show_jurisdiction": profile.jurisdiction is not None and (profile.show_jurisdiction or is_self),
            "case_types": [label for value, label in profile.CaseType.choices if value in (profile.case_types or [])],
            "memberships": memberships,
            "can_view_directory": permissions.can_view_directory(request.user),
        },
    )
