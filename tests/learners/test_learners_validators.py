"""CURP and CCT validation: DOMAIN.md's worked examples and the edges around them."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.mx import curp as stdnum_curp

from learners.mexico import STATES, normalise_state
from learners.validators import (
    cct_check_letter,
    cct_warnings,
    validate_cct,
    validate_curp,
)
from tests.learners.learners_factories import DOMAIN_CURPS


def _with_check_digit(first17: str) -> str:
    return first17 + stdnum_curp.calc_check_digit(first17 + "0")


def _rule(value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_curp(value)
    return caught.value.code


@pytest.mark.parametrize("curp", DOMAIN_CURPS)
def test_curp_domain_worked_examples_are_valid(curp):
    assert validate_curp(curp) == curp


@pytest.mark.parametrize(
    ("curp", "weighted_sum"),
    [
        ("SABC560626MDFLRN01", 1979),
        ("HEGG560427MVZRRL04", 2246),
        ("BOXW310820HNERXN09", 2551),
        ("LOMA050312MJCPRNA7", 2143),
    ],
)
def test_curp_check_digit_matches_domain_weighted_sums(curp, weighted_sum):
    alphabet = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
    total = sum(alphabet.index(char) * (18 - i) for i, char in enumerate(curp[:17]))
    assert total == weighted_sum
    assert curp[-1] == str((10 - total % 10) % 10)


def test_curp_born_abroad_ne_is_valid():
    # BOXW310820HNERXN09 has NE in positions 12-13.
    assert validate_curp("BOXW310820HNERXN09")[11:13] == "NE"


def test_curp_born_2000_or_later_needs_a_letter_homonym_and_is_valid():
    assert validate_curp("LOMA050312MJCPRNA7")[16] == "A"


def test_curp_is_normalised_from_lower_case_and_spaces():
    assert validate_curp(" sabc-560626mdflrn01 ") == "SABC560626MDFLRN01"


def test_curp_wrong_check_digit_is_rejected():
    assert _rule("SABC560626MDFLRN02") == "curp_check_digit"


def test_curp_30_february_is_rejected():
    assert _rule(_with_check_digit("SABC560230MDFLRN0")) == "curp_date"


def test_curp_29_february_of_a_leap_year_is_valid():
    curp = _with_check_digit("SABC560229MDFLRN0")
    assert validate_curp(curp) == curp


def test_curp_29_february_of_a_common_year_is_rejected():
    assert _rule(_with_check_digit("SABC570229MDFLRN0")) == "curp_date"


@pytest.mark.parametrize("word", ["BUEY", "CACA", "PUTO", "MULA"])
def test_curp_starting_with_an_inconvenient_word_is_rejected(word):
    assert _rule(_with_check_digit(f"{word}560626MDFLRN0")) == "curp_inconvenient_word"


def test_curp_inconvenient_word_with_x_replacement_is_valid():
    # RENAPO turns BUEY into BXEY: that one is fine.
    curp = _with_check_digit("BXEY560626HDFLRN0")
    assert validate_curp(curp) == curp


def test_curp_unknown_state_code_is_rejected():
    assert _rule(_with_check_digit("SABC560626MXXLRN0")) == "curp_format"


def test_curp_vowel_in_inner_consonants_is_rejected():
    assert _rule(_with_check_digit("SABC560626MDFARN0")) == "curp_format"


@pytest.mark.parametrize("value", ["", "SABC560626MDFLRN0", "SABC560626MDFLRN011"])
def test_curp_wrong_length_is_rejected(value):
    assert _rule(value) == "curp_length"


def test_curp_month_13_is_rejected_by_the_pattern():
    assert _rule(_with_check_digit("SABC561326MDFLRN0")) == "curp_format"


def test_curp_sex_x_accepted_when_the_setting_allows_it(settings):
    settings.LMS_CURP_ALLOW_X_SEX = True
    curp = _with_check_digit("SABC560626XDFLRN0")
    assert validate_curp(curp) == curp


def test_curp_sex_x_rejected_when_the_setting_forbids_it(settings):
    settings.LMS_CURP_ALLOW_X_SEX = False
    assert _rule(_with_check_digit("SABC560626XDFLRN0")) == "curp_sex"


def test_curp_sex_x_still_needs_the_right_check_digit(settings):
    settings.LMS_CURP_ALLOW_X_SEX = True
    curp = _with_check_digit("SABC560626XDFLRN0")
    wrong = curp[:-1] + str((int(curp[-1]) + 1) % 10)
    assert _rule(wrong) == "curp_check_digit"


def test_cct_domain_example_check_letter():
    assert cct_check_letter("09DPR1858N") == "N"
    assert validate_cct("09DPR1858N") == "09DPR1858N"
    assert cct_warnings("09DPR1858N") == []


def test_cct_wrong_check_letter_only_warns():
    assert validate_cct("09DPR1858A") == "09DPR1858A"
    warnings = cct_warnings("09DPR1858A")
    assert len(warnings) == 1
    assert "N" in warnings[0]


@pytest.mark.parametrize(
    "value", ["00DPR1858N", "33DPR1858N", "09DP1858N", "09DPR185N8", "09DPR18588", "9DPR1858N"]
)
def test_cct_bad_pattern_is_rejected(value):
    with pytest.raises(ValidationError) as caught:
        validate_cct(value)
    assert caught.value.code == "cct_format"


def test_cct_state_prefix_must_equal_the_school_state():
    with pytest.raises(ValidationError) as caught:
        validate_cct("09DPR1858N", state="14")
    assert caught.value.code == "cct_state"
    assert validate_cct("09dpr1858n", state="09") == "09DPR1858N"


def test_state_table_has_32_states_with_unique_codes():
    assert len(STATES) == 32
    assert [state.inegi for state in STATES] == [f"{n:02d}" for n in range(1, 33)]
    assert len({state.renapo for state in STATES}) == 32


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9", "09"),
        ("09", "09"),
        ("DF", "09"),
        ("ciudad de mexico", "09"),
        ("Nuevo León", "19"),
        ("33", None),
        ("", None),
        ("Atlántida", None),
    ],
)
def test_normalise_state_accepts_codes_and_names(value, expected):
    assert normalise_state(value) == expected


@pytest.mark.django_db
def test_subsystem_seed_has_the_domain_subsystems_and_is_idempotent():
    from learners.models import Subsystem
    from tests.learners.learners_factories import seed_subsystems

    Subsystem.objects.all().delete()
    seed_subsystems()
    seed_subsystems()
    assert set(Subsystem.objects.values_list("name", flat=True)) == {
        "DGETI",
        "CONALEP",
        "CECyTE",
        "UEMSTAyCM",
        "IPN",
        "CETI",
        "DGCFT",
        "Otro",
    }
    assert "CETMAR" in Subsystem.objects.get(code="uemstaycm").description
