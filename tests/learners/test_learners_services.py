"""Learner services and factories: school upsert, teacher profiles, one account per CURP."""

import pytest
from django.core.exceptions import ValidationError

from learners.models import School, TeacherProfile
from learners.services import (
    school_upsert,
    teacher_account_activate,
    teacher_account_cancel,
    teacher_account_create,
    teacher_profile_create,
    teacher_profile_update,
)
from tests.learners.learners_factories import (
    DOMAIN_CURPS,
    SchoolFactory,
    SubsystemFactory,
    TeacherProfileFactory,
    UserFactory,
    dgeti,
    seeded_subsystems,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]


def _codes(error: ValidationError) -> dict[str, str]:
    return {field: errors[0].code for field, errors in error.error_dict.items()}


@pytest.mark.parametrize(
    "factory_class", [UserFactory, SubsystemFactory, SchoolFactory, TeacherProfileFactory]
)
def test_factories_build_valid_rows(factory_class):
    instance = factory_class()
    instance.full_clean(validate_unique=False, exclude=["password"])
    assert instance.pk is not None


def test_school_upsert_creates_then_updates_by_cct():
    school, created, warnings = school_upsert(
        cct="09dpr1858n", name="CETis 1", state="09", subsystem=dgeti()
    )
    assert (school.cct, created, warnings) == ("09DPR1858N", True, [])
    again, created, _ = school_upsert(cct="09DPR1858N", name="CETis Uno", state="09")
    assert (again.pk, created, again.name, again.subsystem) == (school.pk, False, "CETis Uno", None)
    assert School.objects.count() == 1


def test_school_upsert_check_letter_only_warns():
    school, _created, warnings = school_upsert(cct="09DPR1858A", name="CETis", state="09")
    assert len(warnings) == 1
    assert school.cct_check_letter_ok is False
    assert school.cct_warnings == warnings


def test_school_upsert_rejects_bad_fields_naming_them():
    with pytest.raises(ValidationError) as caught:
        school_upsert(cct="14DPR1858N", name="", state="09")
    assert _codes(caught.value) == {"cct": "cct_state", "name": "required"}
    with pytest.raises(ValidationError) as caught:
        school_upsert(cct="09DPR1858N", name="X", state="40")
    assert _codes(caught.value) == {"state": "state"}
    assert not School.objects.exists()


def test_teacher_profile_create_validates_and_enforces_one_account_per_curp():
    profile = teacher_profile_create(
        user=UserFactory(),
        curp=DOMAIN_CURPS[0].lower(),
        first_name=" Ana ",
        paternal_surname="Salas",
        state="09",
    )
    assert (profile.curp, profile.first_name, profile.position) == (
        DOMAIN_CURPS[0],
        "Ana",
        "docente",
    )
    with pytest.raises(ValidationError) as caught:
        teacher_profile_create(
            user=UserFactory(),
            curp=DOMAIN_CURPS[0],
            first_name="B",
            paternal_surname="C",
            state="09",
        )
    assert _codes(caught.value) == {"curp": "unique"}


def test_teacher_profile_create_reports_every_bad_field():
    with pytest.raises(ValidationError) as caught:
        teacher_profile_create(
            user=UserFactory(), curp="SABC560230MDFLRN01", first_name="", state="99", position="x"
        )
    assert _codes(caught.value) == {
        "curp": "curp_date",
        "first_name": "required",
        "paternal_surname": "required",
        "state": "state",
        "position": "invalid_choice",
    }
    with pytest.raises(TypeError):
        teacher_profile_create(user=UserFactory(), email="x@example.mx")


def test_teacher_profile_update_changes_fields_and_keeps_its_own_curp():
    profile = TeacherProfileFactory(curp=DOMAIN_CURPS[0])
    teacher_profile_update(profile=profile, curp=DOMAIN_CURPS[0], first_name="Beatriz")
    profile.refresh_from_db()
    assert profile.first_name == "Beatriz"
    other = TeacherProfileFactory(curp=DOMAIN_CURPS[1])
    with pytest.raises(ValidationError) as caught:
        teacher_profile_update(profile=other, curp=DOMAIN_CURPS[0])
    assert _codes(caught.value) == {"curp": "unique"}


def test_a_cancelled_profile_cannot_be_updated():
    profile = TeacherProfileFactory()
    teacher_account_cancel(user=profile.user)
    profile.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        teacher_profile_update(profile=profile, first_name="Otra")
    assert caught.value.code == "cancelled"


def test_account_create_is_all_or_nothing_and_activation_is_idempotent():
    with pytest.raises(ValidationError) as caught:
        teacher_account_create(
            email="no-es-correo", password="x", curp=DOMAIN_CURPS[0], first_name="A"
        )
    assert set(_codes(caught.value)) == {"email", "paternal_surname", "state"}
    assert not TeacherProfile.objects.exists()
    user = teacher_account_create(
        email="Ana@Example.mx",
        password="Aprender-2026",
        curp=DOMAIN_CURPS[0],
        first_name="Ana",
        paternal_surname="Salas",
        state="09",
    )
    assert (user.username, user.is_active) == ("ana@example.mx", False)
    teacher_account_activate(user=user)
    teacher_account_activate(user=user)
    user.refresh_from_db()
    assert user.is_active


# --- The school's state agrees with the chosen state, whoever writes the profile ---------------


def _school_state_message(error: ValidationError) -> str:
    assert _codes(error) == {"school": "school_state"}
    return " ".join(error.error_dict["school"][0].messages)


def test_teacher_profile_create_refuses_a_school_of_another_state_naming_both():
    school = SchoolFactory(cct="14DCT0001S", state="14")
    with pytest.raises(ValidationError) as caught:
        teacher_profile_create(
            user=UserFactory(),
            curp=DOMAIN_CURPS[0],
            first_name="Ana",
            paternal_surname="Salas",
            state="09",
            school=school,
        )
    message = _school_state_message(caught.value)
    assert "14DCT0001S" in message and "Jalisco" in message and "Ciudad de México" in message
    assert not TeacherProfile.objects.exists()


def test_teacher_account_create_refuses_a_school_of_another_state():
    school = SchoolFactory(cct="14DCT0001S", state="14")
    with pytest.raises(ValidationError) as caught:
        teacher_account_create(
            email="ana@example.mx",
            password="Aprender-2026-seguro",
            curp=DOMAIN_CURPS[0],
            first_name="Ana",
            paternal_surname="Salas",
            state="09",
            school=school,
        )
    assert "Jalisco" in _school_state_message(caught.value)
    assert not TeacherProfile.objects.exists()


def test_teacher_profile_update_checks_the_state_against_the_school_kept_or_given():
    jalisco = SchoolFactory(cct="14DCT0001S", state="14")
    profile = TeacherProfileFactory(state="14", school=jalisco)
    # Only the state changes: the school she keeps is in Jalisco.
    with pytest.raises(ValidationError) as caught:
        teacher_profile_update(profile=profile, state="09")
    assert "Ciudad de México" in _school_state_message(caught.value)
    # Only the school changes: the new one is not in her state.
    with pytest.raises(ValidationError):
        teacher_profile_update(profile=profile, school=SchoolFactory(state="09"))
    profile.refresh_from_db()
    assert (profile.state, profile.school) == ("14", jalisco)
    # Both together, agreeing; or leaving the school out.
    cdmx = SchoolFactory(state="09")
    teacher_profile_update(profile=profile, state="09", school=cdmx)
    teacher_profile_update(profile=profile, state="14", school=None)
    profile.refresh_from_db()
    assert (profile.state, profile.school) == ("14", None)
