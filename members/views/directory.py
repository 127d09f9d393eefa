# Written with issue 3 (profiles and directory).
from django.http import Http404


def directory(request):
    raise Http404
