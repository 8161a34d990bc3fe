"""The dashboard and export pages in words: refresh requests and their state, when figures were
computed (local time), titles that follow the drill-down, export filters by name."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone, translation

from learners.models import School, Subsystem
from reports import wording
from reports.models import ExportJob, ReportRefresh, ReportRefreshRequest
from reports.refresh import (
    REQUEST_ABANDONED_AFTER,
    report_refresh_request_run,
)
from tests.reports.reports_builders import build_world, make_monitor, make_user

pytestmark = pytest.mark.django_db

URL = "/admin/reports/"
REFRESH = "/admin/reports/refresh/"
# 16:42 UTC on 4 December 2026 is 10:42 in Mexico City (UTC-6, no daylight saving since 2022).
AT = dt.datetime(2026, 12, 4, 16, 42, tzinfo=dt.UTC)


@pytest.fixture
def world(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    return build_world()


@pytest.fixture
def monitor(client, world):
    user = make_monitor("nacional")
    client.force_login(user)
    return user


def staff_without_scope():
    from django.contrib.auth.models import Permission

    editor = make_user("editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return editor


# --- refresh requests ----------------------------------------------------------------------


def test_a_monitor_asks_for_a_refresh_and_the_task_is_enqueued_on_commit(
    client, monitor, django_capture_on_commit_callbacks
):
    with mock.patch("reports.tasks.run_report_refresh_request.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(REFRESH, {"state": "09", "subsystem": "dgeti"})
        request = ReportRefreshRequest.objects.get()
        assert delay.call_count == 0  # not before the commit
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(request.pk)
    assert request.requested_by == monitor and request.status == "queued"
    # Back to the same level of the dashboard.
    assert response.status_code == 302
    assert response["Location"] == "/admin/reports/?state=09&subsystem=dgeti"


def test_asking_again_while_one_is_pending_joins_it(
    client, monitor, django_capture_on_commit_callbacks
):
    with (
        mock.patch("reports.tasks.run_report_refresh_request.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(REFRESH)
        client.post(REFRESH)
        other = make_monitor("otra")
        client.force_login(other)
        client.post(REFRESH)
    assert ReportRefreshRequest.objects.count() == 1 and delay.call_count == 1


def test_a_request_lost_with_its_worker_does_not_block_new_ones(
    client, monitor, django_capture_on_commit_callbacks
):
    with (
        mock.patch("reports.tasks.run_report_refresh_request.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(REFRESH)
        ReportRefreshRequest.objects.update(
            requested_at=timezone.now() - REQUEST_ABANDONED_AFTER - dt.timedelta(minutes=1)
        )
        client.post(REFRESH)
    assert ReportRefreshRequest.objects.count() == 2 and delay.call_count == 2


@pytest.mark.parametrize("who", ["anonymous", "teacher", "staff"])
def test_only_monitors_may_ask_for_a_refresh(client, world, who):
    if who == "teacher":
        client.force_login(make_user("docente"))
    elif who == "staff":
        client.force_login(staff_without_scope())
    with mock.patch("reports.tasks.run_report_refresh_request.delay") as delay:
        response = client.post(REFRESH)
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith("/admin/reports/")
    assert not ReportRefreshRequest.objects.exists() and delay.call_count == 0


def test_the_refresh_is_post_only(client, monitor):
    assert client.get(REFRESH).status_code == 405
    assert not ReportRefreshRequest.objects.exists()


def test_running_a_request_refreshes_once_and_records_done(world):
    request = ReportRefreshRequest.objects.create()
    with mock.patch("reports.refresh.report_facts_rebuild", wraps=lambda: None) as rebuild:
        assert report_refresh_request_run(request_id=request.pk).status == "done"
        assert report_refresh_request_run(request_id=request.pk).status == "done"
    assert rebuild.call_count == 1
    request.refresh_from_db()
    assert request.started_at and request.finished_at >= request.started_at


def test_the_eager_task_really_refreshes(client, monitor, django_capture_on_commit_callbacks):
    before = ReportRefresh.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REFRESH)  # Celery is eager on the embedded default: it runs at commit
    assert ReportRefresh.objects.count() == before + 1
    assert ReportRefreshRequest.objects.get().status == "done"


def test_a_failed_refresh_is_recorded_without_details(world):
    request = ReportRefreshRequest.objects.create()
    boom = RuntimeError("row with CURP SABC560626MDFLRN01")
    with (
        mock.patch("reports.refresh.report_facts_rebuild", side_effect=boom),
        pytest.raises(RuntimeError),
    ):
        report_refresh_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == "failed" and request.failure == "RuntimeError"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("queued", "Actualización en cola (solicitada a las 10:40)"),
        ("running", "Actualización en proceso (solicitada a las 10:40)"),
        ("done", "Actualización terminada a las 10:42."),
        ("failed", "La actualización falló"),
    ],
)
def test_the_dashboard_shows_the_state_of_the_latest_request(client, monitor, status, expected):
    request = ReportRefreshRequest.objects.create(
        status=status, finished_at=AT if status in ("done", "failed") else None
    )
    ReportRefreshRequest.objects.filter(pk=request.pk).update(
        requested_at=AT - dt.timedelta(minutes=2)
    )
    html = client.get(URL).content.decode()
    assert expected in html
    assert f'data-refresh-status="{status}"' in html
    pending = status in ("queued", "running")
    # While pending the button is disabled and the page polls the request's state.
    assert ("disabled" in html.split("Actualizar cifras ahora")[0][-200:]) is pending
    status_json = client.get(f"/admin/reports/refresh/{request.pk}/").json()
    assert status_json["status"] == status and expected in status_json["text"]


def test_the_refresh_state_is_for_monitors_only(client, world):
    request = ReportRefreshRequest.objects.create()
    client.force_login(staff_without_scope())
    response = client.get(f"/admin/reports/refresh/{request.pk}/")
    assert response.status_code in (302, 403)


# --- when the figures were computed -------------------------------------------------------


def test_computed_at_in_words_and_local_time(settings):
    with translation.override("es-mx"):
        text = wording.computed_at(AT, now=AT + dt.timedelta(minutes=5))
        assert text["ago"] == "hace 5 minutos"
        assert text["when"] == "4 de diciembre de 2026, 10:42"
        assert wording.computed_at(AT, now=AT + dt.timedelta(seconds=20))["ago"] == (
            "hace un momento"
        )
        assert wording.computed_at(None) == {"known": False}
    settings.TIME_ZONE = "Europe/Madrid"
    with translation.override("es-mx"):
        assert wording.computed_at(AT, now=AT)["when"] == "4 de diciembre de 2026, 17:42"


def test_the_dashboard_says_when_the_figures_were_computed(client, monitor):
    ReportRefresh.objects.create(finished_at=timezone.now() - dt.timedelta(minutes=5))
    html = client.get(URL).content.decode()
    assert "Cifras calculadas" in html and "hace 5 minutos" in html
    local = timezone.localtime(ReportRefresh.objects.get().finished_at)
    assert f"{local:%H:%M}" in html and "de 20" in html


def test_the_dashboard_says_when_nothing_was_computed_yet(client, monitor):
    ReportRefresh.objects.all().delete()
    assert "Las cifras aún no se han calculado." in client.get(URL).content.decode()


# --- titles that follow the drill-down -----------------------------------------------------


def title_of(html: str) -> tuple[str, str]:
    import re

    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    tag = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    return re.sub(r"<[^>]+>|\s+", " ", h1).strip(), " ".join(tag.split())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "Nacional"),
        ({"state": "19"}, "Nuevo León"),
        ({"state": "19", "subsystem": "dgeti"}, "DGETI en Nuevo León"),
        ({"subsystem": "conalep"}, "CONALEP en todo el país"),
        ({"state": "09", "subsystem": "dgeti", "school": "09DCT0003C"}, "CETis C (09DCT0003C)"),
    ],
)
def test_the_title_follows_the_drill_down(client, monitor, params, expected):
    h1, tag = title_of(client.get(URL, params).content.decode())
    assert h1.startswith(expected)
    assert tag.startswith(expected) and "Reportes SEP" in tag


def test_a_state_coordinator_sees_her_state_as_the_title(client, world):
    client.force_login(make_monitor("nl", level="state", state="19"))
    h1, _tag = title_of(client.get(URL).content.decode())
    assert h1.startswith("Nuevo León")


def test_breadcrumbs_name_the_subsystem(client, monitor):
    html = client.get(URL, {"state": "09", "subsystem": "dgeti"}).content.decode()
    crumbs = html.split('class="reports__crumbs"')[1].split("</nav>")[0]
    assert ">DGETI<" in crumbs and "Ciudad de México" in crumbs


# --- export pages in words ------------------------------------------------------------------


def test_the_export_page_shows_filters_in_words(client, monitor):
    dgeti = Subsystem.objects.get(code="dgeti")
    School.objects.create(cct="19DCT0101K", name="CBTis 101", state="19", subsystem=dgeti)
    job = ExportJob.objects.create(
        created_by=monitor,
        report="completion",
        params={
            "group_by": "subsystem",
            "state": "19",
            "subsystem": "dgeti",
            "school": "19DCT0101K",
            "sector": "automotriz",
            "date_from": "2026-11-01",
            "date_to": "2026-11-30",
        },
    )
    html = client.get(f"/admin/reports/exports/{job.pk}/").content.decode()
    facts = html.split('data-field="filters"')[1].split("</dd>")[0]
    for text in (
        "Agrupado por: Subsistema",
        "Entidad: Nuevo León",
        "Subsistema: DGETI",
        "Escuela: CBTis 101 (19DCT0101K)",
        "Sector: Automotriz",
        "Inscritos desde: 1 de noviembre de 2026",
        "Inscritos hasta: 30 de noviembre de 2026",
    ):
        assert text in facts
    assert "state=" not in html and "group_by=" not in html
    assert "Inscripción y conclusión (CSV)" in html


def test_an_export_without_filters_says_so(client, monitor):
    job = ExportJob.objects.create(created_by=monitor, report="trend", params={})
    html = client.get(f"/admin/reports/exports/{job.pk}/").content.decode()
    assert "Ninguno: todo tu ámbito" in html and "Tendencia mensual" in html
    # No failure: the error box (which carries Wagtail's warning icon) stays hidden.
    assert 'data-field="failure" hidden>' in html


def test_a_failed_export_shows_its_failure(client, monitor):
    job = ExportJob.objects.create(
        created_by=monitor, status=ExportJob.Status.FAILED, failure="Sin espacio"
    )
    html = client.get(f"/admin/reports/exports/{job.pk}/").content.decode()
    assert 'data-field="failure">Sin espacio<' in html


def test_the_export_link_expiry_is_in_local_time(client, monitor):
    job = ExportJob.objects.create(created_by=monitor, status=ExportJob.Status.DONE)
    expires = AT + dt.timedelta(minutes=10)
    with mock.patch("reports.views.export_download_link", return_value=("/descarga", expires)):
        html = client.get(f"/admin/reports/exports/{job.pk}/").content.decode()
        data = client.get(f"/admin/reports/exports/{job.pk}/", {"format": "json"}).json()
    expected = "El enlace caduca a las 10:52 (4 de diciembre de 2026)."
    assert expected in html and data["download_expires_text"] == expected
    assert data["download_expires_at"] == expires.isoformat()
