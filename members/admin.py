from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from members.models import Association, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (("Profile", {"fields": ("display_name",)}),)
    list_display = ("email", "username", "display_name", "is_staff", "is_active")
    search_fields = ("email", "username", "display_name")


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "contact_email")
    prepopulated_fields = {"slug": ("short_name",)}


from members.models import Jurisdiction  # noqa: E402  (kept with its registration below)


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("kind", "code", "name", "west_of_mississippi", "hhs_region", "is_active")
    list_filter = ("kind", "west_of_mississippi", "hhs_region", "is_active")
    search_fields = ("name", "code")
