"""Wagtail admin views of the forwarding outboxes (statements and documents): backlog,
failures, retry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from lrs import document_forwarding
from lrs.forwarding import outbox_retry, outbox_summary
from lrs.models import ForwardedDocument, ForwardedStatement

PERMISSION = "lrs.change_forwardedstatement"
LIST_LIMIT = 200


@permission_required(PERMISSION, raise_exception=True)
def forwarding_index(request: HttpRequest) -> HttpResponse:
    # Every unsent row, parked ones first: a row never tried is a problem too when it stays.
    unsent = ForwardedStatement.objects.exclude(status=ForwardedStatement.Status.SENT)
    parked = unsent.filter(status=ForwardedStatement.Status.FAILED).order_by("id")[:LIST_LIMIT]
    waiting = unsent.filter(status=ForwardedStatement.Status.PENDING).order_by("id")[:LIST_LIMIT]
    # Documents are listed by kind, activity and document id; never by agent (whose they are).
    unsent_documents = (
        ForwardedDocument.objects.exclude(status=ForwardedDocument.Status.SENT)
        .defer("content", "agent")
        .annotate(is_delete=ExpressionWrapper(Q(content__isnull=True), output_field=BooleanField()))
    )
    parked_documents = unsent_documents.filter(status=ForwardedDocument.Status.FAILED).order_by(
        "id"
    )[:LIST_LIMIT]
    waiting_documents = unsent_documents.filter(status=ForwardedDocument.Status.PENDING).order_by(
        "id"
    )[:LIST_LIMIT]
    return TemplateResponse(
        request,
        "lrs/admin/forwarding.html",
        {
            "summary": outbox_summary(),
            "problems": [*parked, *waiting][:LIST_LIMIT],
            "document_summary": document_forwarding.outbox_summary(),
            "document_problems": [*parked_documents, *waiting_documents][:LIST_LIMIT],
        },
    )


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def forwarding_retry(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    if request.POST.get("outbox") == "documents":
        count = document_forwarding.outbox_retry(ids=ids)
        messages.success(request, f"{count} documento(s) en cola para reenviar.")
    else:
        count = outbox_retry(ids=ids)
        messages.success(request, f"{count} enunciado(s) en cola para reenviar.")
    return redirect("progress_forwarding")
