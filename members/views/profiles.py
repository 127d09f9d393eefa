# Written with issue 3 (profiles and directory).
from django.http import Http404


def edit_profile(request):
    raise Http404


def profile_detail(request, user_id):
    raise Http404
