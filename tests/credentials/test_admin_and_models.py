"""Wagtail admin registration, model validation and factory smoke tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from credentials.models import (
    AchievementAlignment,
    Endorsement,
    MicrocredentialAlignment,
)
from tests.credentials import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        factories.UserFactory,
        factories.IssuerFactory,
        factories.MicrocredentialFactory,
        factories.MicrocredentialAlignmentFactory,
        factories.AchievementFactory,
        factories.AchievementAlignmentFactory,
        factories.EndorsementFactory,
        factories.PathwayPartFactory,
    ],
)
def test_factory_builds_a_saved_valid_object(factory):
    instance = factory()
    assert instance.pk
    assert str(instance)


@pytest.mark.parametrize("code", ["EC0217", "EC0217.01", "EC1234.99"])
def test_valid_ec_codes_pass(code):
    alignment = MicrocredentialAlignment(
        microcredential=factories.MicrocredentialFactory(),
        framework="conocer",
        target_code=code,
        target_name="Impartición",
    )
    alignment.full_clean()


@pytest.mark.parametrize("code", ["", "EC217", "ec0217", "EC0217.1", "EC02170", "EC0217.01x"])
def test_invalid_ec_codes_are_rejected_naming_the_field(code):
    alignment = AchievementAlignment(
        achievement=factories.AchievementFactory(),
        framework="conocer",
        target_code=code,
        target_name="Impartición",
    )
    with pytest.raises(ValidationError) as excinfo:
        alignment.full_clean()
    assert "target_code" in excinfo.value.message_dict


def test_non_conocer_alignments_need_no_ec_code():
    AchievementAlignment(
        achievement=factories.AchievementFactory(), framework="skill", target_name="Inglés"
    ).full_clean()


def test_an_achievement_is_for_a_microcredential_or_a_course_not_both():
    from tests.courses.factories import CoursePageFactory, spanish_catalog

    achievement = factories.AchievementFactory(
        microcredential=factories.MicrocredentialFactory(),
        course=CoursePageFactory(parent=spanish_catalog()),
    )
    with pytest.raises(ValidationError):
        achievement.full_clean()


def test_microcredential_workload_must_be_positive_and_level_within_eqf():
    microcredential = factories.MicrocredentialFactory.build(
        awarding_body=factories.IssuerFactory(), workload_hours=0, eqf_level=9
    )
    with pytest.raises(ValidationError) as excinfo:
        microcredential.full_clean()
    assert {"workload_hours", "eqf_level"} <= set(excinfo.value.message_dict)


def test_colours_are_validated():
    achievement = factories.AchievementFactory.build(
        issuer=factories.IssuerFactory(), primary_colour="red"
    )
    with pytest.raises(ValidationError) as excinfo:
        achievement.full_clean()
    assert "primary_colour" in excinfo.value.message_dict


@pytest.fixture
def admin_client(client):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "model", ["issuer", "microcredential", "achievement", "endorsement", "award", "auditevent"]
)
def test_snippet_listings_open_in_the_wagtail_admin(admin_client, model, award):
    response = admin_client.get(reverse(f"wagtailsnippets_credentials_{model}:list"))
    assert response.status_code == 200


def test_microcredential_add_form_has_the_eu_elements(admin_client):
    response = admin_client.get(reverse("wagtailsnippets_credentials_microcredential:add"))
    html = response.content.decode()
    for field in ("learning_outcomes", "workload_hours", "assessment_type", "quality_assurance"):
        assert f'name="{field}"' in html


def test_saving_an_endorsement_in_the_admin_signs_it(admin_client, achievement):
    endorser = factories.IssuerFactory(kind="industry", name="CANIETI")
    response = admin_client.post(
        reverse("wagtailsnippets_credentials_endorsement:add"),
        {"achievement": achievement.pk, "endorser": endorser.pk, "comment": "Avalamos."},
    )
    assert response.status_code == 302, response.content[:2000]
    endorsement = Endorsement.objects.get(endorser=endorser)
    assert endorsement.credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_admin_is_closed_to_anonymous_users(client):
    response = client.get(reverse("wagtailsnippets_credentials_award:list"))
    assert response.status_code == 302


def test_migrations_create_sep_and_its_subsystems_without_keys():
    from credentials.models import Issuer

    sep = Issuer.objects.get(slug="sep")
    assert sep.kind == "government"
    subsystems = set(sep.children.values_list("slug", flat=True))
    assert {"dgeti", "conalep", "cecyte", "uemstaycm"} <= subsystems
    assert not sep.signing_keys.exists()


def test_staff_award_and_revoke_in_the_wagtail_admin(admin_client, achievement, learner):
    from credentials.models import AuditEvent, Award

    url = reverse("credentials_award_by_hand")
    assert admin_client.get(url).status_code == 200
    no_reason = admin_client.post(
        url, {"achievement": achievement.pk, "learner": learner.username, "reason": " "}
    )
    assert no_reason.status_code == 200 and not Award.objects.exists()
    unknown = admin_client.post(
        url, {"achievement": achievement.pk, "learner": "nadie", "reason": "RPL"}
    )
    assert unknown.status_code == 200 and not Award.objects.exists()
    response = admin_client.post(
        url, {"achievement": achievement.pk, "learner": learner.email, "reason": "RPL"}
    )
    assert response.status_code == 302
    award = Award.objects.get(recipient=learner)
    assert award.source == "staff"
    listing = admin_client.get(reverse("wagtailsnippets_credentials_award:list"))
    assert reverse("credentials_revoke", args=[award.pk]) in listing.content.decode()
    revoke_url = reverse("credentials_revoke", args=[award.pk])
    assert admin_client.post(revoke_url, {"reason": ""}).status_code == 200
    assert admin_client.post(revoke_url, {"reason": "Error"}).status_code == 302
    award.refresh_from_db()
    assert award.revoked_at is not None
    assert AuditEvent.objects.filter(award=award, action="revoked").count() == 1


def test_admin_award_views_need_the_award_permissions(client, award):
    editor = factories.UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get(reverse("credentials_award_by_hand")).status_code in (302, 403)
    revoke = client.post(reverse("credentials_revoke", args=[award.pk]), {"reason": "x"})
    assert revoke.status_code in (302, 403)
    award.refresh_from_db()
    assert award.revoked_at is None


def test_awards_and_audit_events_cannot_be_added_edited_or_deleted_in_the_snippet_views(
    admin_client, award
):
    from django.urls import NoReverseMatch

    for name in ("add", "edit", "delete"):
        try:
            url = (
                reverse(f"wagtailsnippets_credentials_award:{name}")
                if name == "add"
                else reverse(f"wagtailsnippets_credentials_award:{name}", args=[award.pk])
            )
        except NoReverseMatch:
            continue
        assert admin_client.get(url).status_code in (302, 403), name
    inspect = admin_client.get(
        reverse("wagtailsnippets_credentials_award:inspect", args=[award.pk])
    )
    assert inspect.status_code == 200
