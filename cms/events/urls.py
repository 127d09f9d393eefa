from django.urls import path

from cms.events import views

app_name = "events"

urlpatterns = [
    path("", views.index, name="index"),
    path("my/", views.my_registrations, name="my_registrations"),
    path("my/credits/", views.my_credits, name="my_credits"),
    # Registering, and a guest's own registration through the signed link in their email
    path("<int:page_id>/register/", views.register, name="register"),
    path("guest/<str:token>/", views.guest_registration, name="guest_registration"),
    path("guest/<str:token>/cancel/", views.guest_cancel, name="guest_cancel"),
    path("guest/<str:token>/certificate/", views.guest_certificate, name="guest_certificate"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("registrations/<int:pk>/certificate/", views.certificate, name="certificate"),
    # Organisers
    path("<int:page_id>/manage/", views.manage, name="manage"),
    path("<int:page_id>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path("<int:page_id>/sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    # Calendars
    path("<int:page_id>/event.ics", views.event_ical, name="ical"),
    path("<slug:association_slug>/calendar.ics", views.calendar_feed, name="calendar"),
]
