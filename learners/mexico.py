"""Mexico's 32 states: INEGI code, name and RENAPO code (DOMAIN.md, "States")."""

from typing import NamedTuple


class State(NamedTuple):
    inegi: str
    name: str
    renapo: str


STATES: tuple[State, ...] = (
    State("01", "Aguascalientes", "AS"),
    State("02", "Baja California", "BC"),
    State("03", "Baja California Sur", "BS"),
    State("04", "Campeche", "CC"),
    State("05", "Coahuila de Zaragoza", "CL"),
    State("06", "Colima", "CM"),
    State("07", "Chiapas", "CS"),
    State("08", "Chihuahua", "CH"),
    State("09", "Ciudad de México", "DF"),
    State("10", "Durango", "DG"),
    State("11", "Guanajuato", "GT"),
    State("12", "Guerrero", "GR"),
    State("13", "Hidalgo", "HG"),
    State("14", "Jalisco", "JC"),
    State("15", "México", "MC"),
    State("16", "Michoacán de Ocampo", "MN"),
    State("17", "Morelos", "MS"),
    State("18", "Nayarit", "NT"),
    State("19", "Nuevo León", "NL"),
    State("20", "Oaxaca", "OC"),
    State("21", "Puebla", "PL"),
    State("22", "Querétaro", "QT"),
    State("23", "Quintana Roo", "QR"),
    State("24", "San Luis Potosí", "SP"),
    State("25", "Sinaloa", "SL"),
    State("26", "Sonora", "SR"),
    State("27", "Tabasco", "TC"),
    State("28", "Tamaulipas", "TS"),
    State("29", "Tlaxcala", "TL"),
    State("30", "Veracruz de Ignacio de la Llave", "VZ"),
    State("31", "Yucatán", "YN"),
    State("32", "Zacatecas", "ZS"),
)

STATE_CHOICES: list[tuple[str, str]] = [(state.inegi, state.name) for state in STATES]
STATES_BY_INEGI: dict[str, State] = {state.inegi: state for state in STATES}
STATES_BY_RENAPO: dict[str, State] = {state.renapo: state for state in STATES}
# CURP position 12-13 for people born abroad ("nacido en el extranjero").
RENAPO_BORN_ABROAD = "NE"


# Short names people write instead of the official ones.
STATE_ALIASES: dict[str, str] = {
    "cdmx": "09",
    "distrito federal": "09",
    "coahuila": "05",
    "estado de mexico": "15",
    "edomex": "15",
    "michoacan": "16",
    "queretaro de arteaga": "22",
    "veracruz": "30",
}


def normalise_state(value: str) -> str | None:
    """Return the INEGI code for ``value`` given as INEGI code ("9", "09"), RENAPO code or name."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        code = text.zfill(2)
        return code if code in STATES_BY_INEGI else None
    upper = text.upper()
    if upper in STATES_BY_RENAPO:
        return STATES_BY_RENAPO[upper].inegi
    folded = _fold(text)
    if folded in STATE_ALIASES:
        return STATE_ALIASES[folded]
    for state in STATES:
        if _fold(state.name) == folded:
            return state.inegi
    return None


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()
