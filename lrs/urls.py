"""The LRS resources under /xapi/ (with and without a trailing slash, as clients vary)."""

from django.urls import re_path

from . import views

app_name = "xapi"

urlpatterns = [
    re_path(r"^statements/?$", views.StatementsView.as_view(), name="statements"),
    re_path(r"^activities/state/?$", views.StateView.as_view(), name="state"),
    re_path(
        r"^activities/profile/?$", views.ActivityProfileView.as_view(), name="activity-profile"
    ),
    re_path(r"^activities/?$", views.ActivitiesView.as_view(), name="activities"),
    re_path(r"^agents/profile/?$", views.AgentProfileView.as_view(), name="agent-profile"),
    re_path(r"^agents/?$", views.AgentsView.as_view(), name="agents"),
    re_path(r"^about/?$", views.AboutView.as_view(), name="about"),
]
