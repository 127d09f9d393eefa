from django.urls import path

from cms.legislation import feeds, views

app_name = "legislation"

urlpatterns = [
    path("", views.overview, name="index"),
    path("<slug:association_slug>/feed/<str:feed_format>/", feeds.feed, name="feed"),
]
