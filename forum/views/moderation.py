"""Forum views; see forum/urls.py for the routes this module serves."""

from django.http import Http404

# Placeholders until this module's part of the forum issue lands.


def py(request, *args, **kwargs):
    raise Http404


def flag_post(request, *args, **kwargs):
    raise Http404


def queue(request, *args, **kwargs):
    raise Http404


def audit_log(request, *args, **kwargs):
    raise Http404


def moderate_post(request, *args, **kwargs):
    raise Http404


def moderate_topic(request, *args, **kwargs):
    raise Http404


def suspend_user(request, *args, **kwargs):
    raise Http404
