from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A Comity account. Custom from the start so profile fields never need a swap later.

    People sign in by email, so it is required and unique (case-insensitively).
    """

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.email or self.username


class Association(models.Model):
    """A professional association served by this installation, with its own Wagtail site."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    region_description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    home_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
