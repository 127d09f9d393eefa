"""Forum views; see forum/urls.py for the routes this module serves."""

from django.http import Http404

# Placeholders until this module's part of the forum issue lands.


def py(request, *args, **kwargs):
    raise Http404


def accept_answer(request, *args, **kwargs):
    raise Http404


def vote_helpful(request, *args, **kwargs):
    raise Http404


def toggle_follow(request, *args, **kwargs):
    raise Http404


def toggle_bookmark(request, *args, **kwargs):
    raise Http404


def mention_suggestions(request, *args, **kwargs):
    raise Http404
