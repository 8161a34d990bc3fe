"""Catalog and knowledge-check routes, mounted under /api/v1/ by lms/urls.py."""

from django.urls import path

from courses.api import views

urlpatterns = [
    path("courses/", views.CourseListView.as_view(), name="course-list"),
    path("courses/<int:course_id>/", views.CourseDetailView.as_view(), name="course-detail"),
    path(
        "lessons/<int:lesson_id>/checks/<str:block_id>/grade/",
        views.KnowledgeCheckGradeView.as_view(),
        name="knowledge-check-grade",
    ),
]
