"""Forum views; see forum/urls.py for the routes this module serves."""

from django.http import Http404

# Placeholders until this module's part of the forum issue lands.


def py(request, *args, **kwargs):
    raise Http404


def index(request, *args, **kwargs):
    raise Http404


def category(request, *args, **kwargs):
    raise Http404


def tag(request, *args, **kwargs):
    raise Http404


def jurisdiction(request, *args, **kwargs):
    raise Http404


def bookmarks(request, *args, **kwargs):
    raise Http404
