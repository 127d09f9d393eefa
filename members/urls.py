from django.urls import path

from members.views import applications, directory, profiles

app_name = "members"

urlpatterns = [
    # Membership applications and the association admins' approval queue.
    path("apply/<slug:association_slug>/", applications.apply, name="apply"),
    path("my-memberships/", applications.my_memberships, name="my_memberships"),
    path("<slug:association_slug>/applications/", applications.application_queue, name="application_queue"),
    path(
        "<slug:association_slug>/applications/<int:membership_id>/",
        applications.application_decision,
        name="application_decision",
    ),
    path("<slug:association_slug>/roles/<int:membership_id>/", applications.membership_roles, name="membership_roles"),
    # Profiles and the members directory.
    path("profile/", profiles.edit_profile, name="edit_profile"),
    path("people/<int:user_id>/", profiles.profile_detail, name="profile_detail"),
    path("directory/", directory.directory, name="directory"),
]
