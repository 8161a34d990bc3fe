import pytest

from lms import health

pytestmark = pytest.mark.django_db


def test_health_reports_every_part_ready(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert set(body["parts"]) == {"database", "broker", "storage"}
    assert all(part["status"] == "ok" for part in body["parts"].values())


def test_health_liveness_answers_without_checks(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "database", lambda: 1 / 0)
    assert client.get("/health/?live=1").json() == {"status": "ok"}


def test_health_is_503_naming_the_database_when_it_is_down(client, monkeypatch):
    def broken() -> str:
        raise ConnectionError("refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["database"]
    assert body["parts"]["database"] == {
        "status": "down",
        "error": "ConnectionError",
        "ms": body["parts"]["database"]["ms"],
    }
    assert body["parts"]["storage"]["status"] == "ok"


def test_health_is_503_naming_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_health_checks_a_real_s3_store(client, s3_storage):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["parts"]["storage"]["backend"] == "MediaStorage"


def test_health_is_503_naming_storage_when_the_bucket_is_gone(client, s3_storage):
    s3_storage["client"].delete_bucket(Bucket=s3_storage["bucket"])
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["down"] == ["storage"]


def test_health_refuses_other_methods(client):
    assert client.post("/health/").status_code == 405
