"""The Wagtail admin sends nothing about its users to third parties."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_admin_pages_request_no_gravatar(client):
    # Gravatar gets the hash of each user's e-mail (and fails offline): initials are local.
    user = get_user_model().objects.create_superuser("autora", "autora@example.mx", "x")
    client.force_login(user)
    for path in ("/admin/", "/admin/account/"):
        html = client.get(path).content.decode()
        assert "gravatar" not in html.lower(), path
