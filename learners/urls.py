"""Public URLs of the progress app: teacher accounts and enrolment (under / and /en/)."""

from django.urls import path

from learners import views

app_name = "learners"

urlpatterns = [
    path("cuenta/registro/", views.signup, name="signup"),
    path("cuenta/registro/enviado/", views.signup_done, name="signup_done"),
    path("cuenta/confirmar/<uidb64>/<token>/", views.confirm, name="confirm"),
    path("cuenta/entrar/", views.LoginView.as_view(), name="login"),
    path("cuenta/salir/", views.LogoutView.as_view(), name="logout"),
    path("cuenta/perfil/", views.profile, name="profile"),
    path("cuenta/perfil/datos.json", views.export, name="export"),
    path("cuenta/cursos/<int:course_id>/inscribirme/", views.enrol, name="enrol"),
    path("cuenta/inscripciones/<int:pk>/baja/", views.unenrol, name="unenrol"),
    path("cuenta/cancelar/", views.cancel, name="cancel"),
    path("cuenta/cancelada/", views.cancelled, name="cancelled"),
    path("cuenta/contrasena/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "cuenta/contrasena/enviada/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "cuenta/contrasena/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "cuenta/contrasena/lista/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
