"""Pages of the experiments: the CSV of the results (operators) and what members are told."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import selectors


@login_required
def results_csv(request):
    """Every experiment's effect figures, one row per outcome (the insights page's plots)."""
    if not request.user.is_staff:
        raise PermissionDenied(_("experiment results are for the network's operators"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="serendip-experiments.csv"'
    writer = csv.writer(response)
    writer.writerow(selectors.CSV_HEADER)
    writer.writerows(selectors.csv_rows())
    return response


def about(request):
    """What the network tests and why (the privacy page includes the same fragment)."""
    return render(request, "experiments/about.html")
