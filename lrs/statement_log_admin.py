"""Wagtail admin view of the statement log: each consumer's backlog, parked entries, retry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from lrs.models import StatementLogDelivery
from lrs.statement_log import deliveries_retry, log_summary

PERMISSION = "lrs.change_statementlogdelivery"
LIST_LIMIT = 200


@permission_required(PERMISSION, raise_exception=True)
def statement_log_index(request: HttpRequest) -> HttpResponse:
    # Parked entries first (nothing applies them without a retry), then those waiting to retry.
    failed = StatementLogDelivery.objects.filter(attempts__gt=0).select_related("entry")
    parked = failed.filter(status=StatementLogDelivery.Status.PARKED).order_by("entry_id")
    waiting = failed.filter(status=StatementLogDelivery.Status.PENDING).order_by("entry_id")
    return TemplateResponse(
        request,
        "lrs/admin/statement_log.html",
        {
            "consumers": log_summary(),
            "problems": [*parked[:LIST_LIMIT], *waiting[:LIST_LIMIT]][:LIST_LIMIT],
        },
    )


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def statement_log_retry(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    count = deliveries_retry(ids=ids)
    messages.success(request, f"{count} entrada(s) del registro en cola para aplicarse de nuevo.")
    return redirect("lrs_statement_log")
