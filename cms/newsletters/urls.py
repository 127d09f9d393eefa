from django.urls import path

from cms.newsletters import feeds, views

app_name = "newsletters"

urlpatterns = [
    path("", views.all_newsletters, name="index"),
    path("unsubscribe/<str:token>/", views.unsubscribe_by_link, name="unsubscribe"),
    path("<slug:association_slug>/subscription/", views.change_subscription, name="subscription"),
    path("<slug:association_slug>/rss/", feeds.rss_feed, name="rss"),
    path("<slug:association_slug>/atom/", feeds.atom_feed, name="atom"),
]
