from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.health import healthz

# The Django admin signs people in through allauth too (rate limits, two-factor).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("forum/", include("forum.urls")),
    path("search/", include("search.urls")),
    path("notifications/", include("notifications.urls")),
    path("newsletters/", include("cms.newsletters.urls")),
    path("legislation/", include("cms.legislation.urls")),
    path("events/", include("cms.events.urls")),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.urls import re_path
    from django.views.static import serve

    # Documents are served only by /documents/ (which checks members-only collections).
    urlpatterns += [re_path(r"^media/(?!documents/)(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

# Wagtail's page tree serves everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
