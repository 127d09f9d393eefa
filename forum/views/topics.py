"""Forum views; see forum/urls.py for the routes this module serves."""

from django.http import Http404

# Placeholders until this module's part of the forum issue lands.


def py(request, *args, **kwargs):
    raise Http404


def new_topic(request, *args, **kwargs):
    raise Http404


def topic(request, *args, **kwargs):
    raise Http404


def reply(request, *args, **kwargs):
    raise Http404


def edit_post(request, *args, **kwargs):
    raise Http404


def post_history(request, *args, **kwargs):
    raise Http404
