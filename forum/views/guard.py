"""The confidential case-data guard for association admins: how strict it is in their
association's categories (warn / hold for review), and the monthly report of findings
(counts by month, kind and outcome; never content, never links to posts)."""

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from config.forms import add_service_errors
from forum import guard
from members.models import Association


class GuardModeForm(forms.Form):
    guard_mode = forms.ChoiceField(
        label="When a post seems to contain confidential case data",
        choices=Association.GuardMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose warn or hold for review.", "invalid_choice": "Choose warn or hold for review."},
    )


def managed_association_or_403(request, slug) -> Association:
    association = get_object_or_404(Association, slug=slug)
    if not guard.can_manage_guard(request.user, association):
        raise PermissionDenied(f"Only {association.name}'s admins can see and change its confidential data guard.")
    return association


@login_required
@require_http_methods(["GET", "POST"])
def guard_settings(request, slug):
    association = managed_association_or_403(request, slug)
    form = GuardModeForm(request.POST or None, initial={"guard_mode": association.guard_mode})
    if request.method == "POST" and form.is_valid():
        try:
            guard.set_guard_mode(request.user, association, form.cleaned_data["guard_mode"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The guard setting is saved. It applies to new posts and edits from now on.")
            return redirect(reverse("forum:guard_settings", args=[association.slug]))
    return render(request, "forum/guard/settings.html", {"association": association, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "HEAD"])
def guard_report(request, slug):
    association = managed_association_or_403(request, slug)
    report = guard.findings_report(association)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{association.slug}-guard-findings.csv"'
        writer = csv.writer(response)
        writer.writerow(["month", "kind", *[value for value, _ in report["outcomes"]], "total"])
        for row in report["rows"]:
            writer.writerow([f"{row.month:%Y-%m}", row.kind, *[row.counts[value] for value, _ in report["outcomes"]], row.total])
        return response
    return render(request, "forum/guard/report.html", {"association": association, **report})
