"""Synthetic school registry and teacher roster for measuring the CSV imports.

    python bench/imports_seed.py --schools 5000 --teachers 100000 --out /tmp/capacita-seed
    time python manage.py import_schools /tmp/capacita-seed/escuelas.csv
    time python manage.py import_teachers /tmp/capacita-seed/docentes.csv

Every CURP and CCT is valid (check digits computed), e-mails are unique, and 1 row in 1,000
carries a deliberate error so the error path is exercised too. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")

from stdnum.mx import curp as stdnum_curp  # noqa: E402

from learners.mexico import STATES  # noqa: E402
from learners.validators import cct_check_letter  # noqa: E402

SUBSYSTEMS = ["DGETI", "CONALEP", "CECyTE", "UEMSTAyCM", "IPN", "CETI", "DGCFT", "Otro"]
CONSONANTS = "BCDFGHJKLMNPRSTVZ"


def curp_for(n: int) -> str:
    """A valid CURP unique for every n below 2,284,800."""
    state = STATES[n % 32].renapo
    year = 60 + (n // 336) % 40
    month = 1 + (n // 28) % 12
    day = 1 + n % 28
    inner = CONSONANTS[(n // 13440) % 17] + CONSONANTS[(n // 228480) % 17] + "R"
    homonym = str((n // 7) % 10)
    base = f"GAXA{year:02d}{month:02d}{day:02d}{'HM'[n % 2]}{state}{inner}{homonym}"
    return base + stdnum_curp.calc_check_digit(base + "0")


def cct_for(n: int) -> tuple[str, str]:
    state = f"{1 + n % 32:02d}"
    body = f"{state}ETC{n // 32:04d}"
    return body + cct_check_letter(body), state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=5000)
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "capacita-seed")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    schools = [cct_for(n) for n in range(args.schools)]
    with (args.out / "escuelas.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cct", "nombre", "entidad", "municipio", "subsistema"])
        for n, (cct, state) in enumerate(schools):
            writer.writerow([cct, f"Plantel {n}", state, f"Municipio {n % 50}", SUBSYSTEMS[n % 8]])
    seen: set[str] = set()
    with (args.out / "docentes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "curp",
                "nombre",
                "primer_apellido",
                "segundo_apellido",
                "correo",
                "entidad",
                "subsistema",
                "cct",
                "funcion",
            ]
        )
        for n in range(args.teachers):
            curp = curp_for(n)
            assert curp not in seen, n
            seen.add(curp)
            cct, state = schools[n % len(schools)]
            if n % 1000 == 999:
                curp = curp[:-1] + str((int(curp[-1]) + 1) % 10)  # a wrong check digit
            writer.writerow(
                [
                    curp,
                    f"Nombre{n}",
                    "Apellido",
                    "Segundo",
                    f"docente{n}@ejemplo.mx",
                    state,
                    SUBSYSTEMS[n % 8],
                    cct,
                    "docente",
                ]
            )
    print(f"{args.schools} schools and {args.teachers} teachers written to {args.out}")


if __name__ == "__main__":
    main()
