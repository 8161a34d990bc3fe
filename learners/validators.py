"""Validation of Mexican identifiers: CURP (a person) and CCT (a school).

CURP checks come from python-stdnum (``stdnum.mx.curp``: pattern, real date, state code, check
digit, inconvenient words) wrapped with DOMAIN.md's strict pattern and the ``X`` sex setting.
Each failure is a :class:`~django.core.exceptions.ValidationError` with a ``code`` naming the rule,
so forms, the API and the CSV import can all say which rule was broken.
The CCT check letter is unofficial (DOMAIN.md): it only ever produces a warning.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import curp as stdnum_curp

from learners.conf import setting
from learners.mexico import STATES_BY_INEGI

CURP_PATTERN = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HMX]"
    r"(AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL"
    r"|VZ|YN|ZS|NE)[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$"
)
CCT_PATTERN = re.compile(r"^(0[1-9]|[12]\d|3[0-2])[A-Z]{3}\d{4}[A-Z]$")
_CCT_CHECK_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZZ"


def normalise_code(value: str | None) -> str:
    """Upper-case a CURP or CCT and drop spaces and dashes people type in them."""
    return re.sub(r"[\s\-_]", "", value or "").upper()


def validate_curp(value: str) -> str:
    """Return the normalised CURP or raise ``ValidationError`` whose ``code`` names the rule.

    Codes: ``curp_length``, ``curp_format``, ``curp_sex`` (X while the setting forbids it),
    ``curp_inconvenient_word``, ``curp_date``, ``curp_check_digit``.
    """
    curp = normalise_code(value)
    if len(curp) != 18:
        raise ValidationError(_("La CURP debe tener 18 caracteres."), code="curp_length")
    if not CURP_PATTERN.match(curp):
        raise ValidationError(
            _("La CURP no tiene el formato oficial (letras, fecha AAMMDD, sexo, entidad, …)."),
            code="curp_format",
        )
    sex = curp[10]
    if sex == "X" and not setting("LMS_CURP_ALLOW_X_SEX"):
        raise ValidationError(_("La CURP debe indicar sexo H o M."), code="curp_sex")
    if sex != "X" and stdnum_curp.is_valid(curp):
        # Fast path (imports validate 100,000 of these): stdnum checked the inconvenient words,
        # the date, the state and the check digit in one go.
        return curp
    # Slow path: find which rule failed, in the order a person would fix them.
    if curp[:4] in stdnum_curp._name_blacklist:
        # RENAPO replaces the second letter by X in these words, so a real CURP never has one.
        raise ValidationError(
            _("La CURP empieza con una palabra inconveniente; RENAPO la habría cambiado."),
            code="curp_inconvenient_word",
        )
    try:
        stdnum_curp.get_birth_date(curp)
    except StdnumError:
        raise ValidationError(
            _("La fecha de nacimiento de la CURP no existe."), code="curp_date"
        ) from None
    if curp[-1] != stdnum_curp.calc_check_digit(curp):
        raise ValidationError(
            _("El dígito verificador de la CURP no corresponde."), code="curp_check_digit"
        )
    # stdnum knows only H and M; with X accepted above, let it check the rest of the key.
    as_stdnum = curp[:10] + ("H" if sex == "X" else sex) + curp[11:]
    try:
        stdnum_curp.validate(as_stdnum, validate_check_digits=False)
    except StdnumError:
        raise ValidationError(_("La CURP no es válida."), code="curp_format") from None
    return curp


def cct_check_letter(cct: str) -> str:
    """The expected check letter of a CCT (DOMAIN.md's unofficial algorithm)."""
    digits = ""
    for char in cct[:9]:
        digits += char if char.isdigit() else f"{ord(char) - ord('A') + 1:02d}"
    # Positions counted from the right: the last digit is position 1 (odd).
    odd = sum(int(d) for d in digits[::-1][0::2])
    even = sum(int(d) for d in digits[::-1][1::2])
    return _CCT_CHECK_LETTERS[(7 * even - odd) % 27]


def validate_cct(value: str, *, state: str | None = None) -> str:
    """Return the normalised CCT or raise ``ValidationError`` (codes ``cct_format``,
    ``cct_state``). When ``state`` (INEGI code) is given, the CCT's prefix must equal it."""
    cct = normalise_code(value)
    if not CCT_PATTERN.match(cct):
        raise ValidationError(
            _("La CCT debe tener 10 caracteres: entidad (01-32), 3 letras, 4 dígitos y 1 letra."),
            code="cct_format",
        )
    if state is not None and cct[:2] != state:
        raise ValidationError(
            _("La CCT pertenece a la entidad %(prefix)s, no a %(state)s.")
            % {"prefix": cct[:2], "state": state},
            code="cct_state",
        )
    return cct


def validate_school_in_state(*, cct: str, school_state: str, state: str) -> None:
    """Raise ``ValidationError`` (code ``school_state``) when a teacher says they work in
    ``state`` (INEGI code) but the registry puts the school ``cct`` in ``school_state``.

    The message names both states, so the teacher can see which one to fix."""
    if school_state != state:
        raise ValidationError(
            _("La escuela %(cct)s está en %(school_state)s, no en %(state)s."),
            code="school_state",
            params={
                "cct": cct,
                "school_state": _state_name(school_state),
                "state": _state_name(state),
            },
        )


def _state_name(inegi: str) -> str:
    state = STATES_BY_INEGI.get(inegi)
    return state.name if state is not None else inegi


def cct_warnings(cct: str) -> list[str]:
    """Warnings (never errors) about a well-formed CCT: today only a check letter mismatch."""
    expected = cct_check_letter(cct)
    if cct[-1] != expected:
        return [
            str(
                _(
                    "La letra verificadora de la CCT no coincide con la calculada (%(expected)s); "
                    "revísala (la regla no es oficial)."
                )
                % {"expected": expected}
            )
        ]
    return []


def validate_state(value: str) -> str:
    """Raise ``ValidationError`` (code ``state``) unless ``value`` is an INEGI code 01-32."""
    if value not in STATES_BY_INEGI:
        raise ValidationError(_("Entidad desconocida: usa la clave INEGI 01-32."), code="state")
    return value
