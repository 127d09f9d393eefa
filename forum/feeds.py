"""RSS/Atom feeds per category, tag and jurisdiction."""

from django.http import Http404

# Placeholders until this module's part of the forum issue lands.


def py(request, *args, **kwargs):
    raise Http404


def public_feed(request, *args, **kwargs):
    raise Http404


def private_feed(request, *args, **kwargs):
    raise Http404


def reset_token(request, *args, **kwargs):
    raise Http404
