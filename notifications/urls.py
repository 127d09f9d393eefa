from django.urls import path  # noqa: F401  (routes are added below by each view module)

from notifications import live_views  # noqa: E402
from notifications import views  # noqa: E402

app_name = "notifications"

urlpatterns = [
    # Notification centre, preferences and email unsubscribe (notifications/views.py)
    path("", views.centre, name="centre"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read/", views.mark_read, name="mark_read"),
    path("read/all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Catch-up for open pages (notifications/live_views.py)
    path("recent/", live_views.recent, name="recent"),
]
