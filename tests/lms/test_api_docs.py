import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served_and_documents_only_the_product_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Capacita API"
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_api_docs_page_uses_self_hosted_swagger_ui(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr.net" not in html


def test_api_errors_name_the_field_and_the_rule():
    from rest_framework import serializers

    from lms.api_errors import flatten_errors

    class Input(serializers.Serializer):
        course = serializers.IntegerField()
        tags = serializers.ListField(child=serializers.CharField(max_length=3))

    data = Input(data={"tags": ["ok", "too long"]})
    assert not data.is_valid()
    errors = flatten_errors(data.errors)
    assert any(e["field"] == "course" and e["rule"] == "required" for e in errors)
    assert any(e["field"] == "tags.1" and e["rule"] == "max_length" for e in errors)
