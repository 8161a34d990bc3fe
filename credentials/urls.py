"""Public verification pages and Open Badges documents under /credentials/."""

from django.urls import path

from credentials import views

app_name = "credentials"

urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/export.zip", views.wallet_export, name="wallet_export"),
    path("<uuid:uuid>/", views.award_detail, name="award_detail"),
    path("<uuid:uuid>/ob3.json", views.award_ob3, name="award_ob3"),
    path("<uuid:uuid>/ob3.jwt", views.award_jwt, name="award_jwt"),
    path("<uuid:uuid>/ob2.json", views.award_ob2, name="award_ob2"),
    path("<uuid:uuid>/badge.png", views.award_png, name="award_png"),
    path("<uuid:uuid>/badge.svg", views.award_svg, name="award_svg"),
    path("<uuid:uuid>/certificate/", views.award_certificate, name="award_certificate"),
    path("<uuid:uuid>/certificate.pdf", views.award_certificate_pdf, name="award_certificate_pdf"),
    path("achievements/<uuid:uuid>/", views.achievement_json, name="achievement_json"),
    path(
        "achievements/<uuid:uuid>/criteria/",
        views.achievement_criteria,
        name="achievement_criteria",
    ),
    path(
        "achievements/<uuid:uuid>/badgeclass.json",
        views.achievement_badgeclass,
        name="achievement_badgeclass",
    ),
    path("achievements/<uuid:uuid>/image.png", views.achievement_image, name="achievement_image"),
    path("endorsements/<uuid:uuid>.json", views.endorsement_json, name="endorsement_json"),
    path("alignments/<slug:framework>/<str:code>", views.alignment_detail, name="alignment_detail"),
    path("issuers/<slug:slug>/", views.issuer_profile, name="issuer_profile"),
    path("issuers/<slug:slug>/ob2.json", views.issuer_ob2, name="issuer_ob2"),
    path("issuers/<slug:slug>/jwks.json", views.issuer_jwks, name="issuer_jwks"),
    path("issuers/<slug:slug>/did.json", views.issuer_did, name="issuer_did"),
    path("issuers/<slug:slug>/keys/<str:kid>", views.issuer_key, name="issuer_key"),
    path(
        "issuers/<slug:slug>/revocations.json", views.issuer_revocations, name="issuer_revocations"
    ),
    path(
        "issuers/<slug:slug>/ob2-revocations.json",
        views.issuer_ob2_revocations,
        name="issuer_ob2_revocations",
    ),
    path(
        "issuers/<slug:slug>/status-list.json", views.issuer_status_list, name="issuer_status_list"
    ),
]
