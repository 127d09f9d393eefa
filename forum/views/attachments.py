"""Forum views; see forum/urls.py for the routes this module serves."""

from django.http import Http404

# Placeholders until this module's part of the forum issue lands.


def py(request, *args, **kwargs):
    raise Http404


def download(request, *args, **kwargs):
    raise Http404
