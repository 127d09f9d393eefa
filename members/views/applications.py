from django.http import Http404


def apply(request, association_slug):
    raise Http404


def my_memberships(request):
    raise Http404


def application_queue(request, association_slug):
    raise Http404


def application_decision(request, association_slug, membership_id):
    raise Http404


def membership_roles(request, association_slug, membership_id):
    raise Http404
