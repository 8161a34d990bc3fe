"""Benchmark: Open Badges credentials issued per second by one process (one worker core).

Each credential is the full ``credentials.services.award_issue`` path: database row, OB 3.0
credential with a Data Integrity proof (eddsa-rdfc-2022, two RDFC-1.0 canonicalisations), the
VC-JWT, the OB 2.0 assertion, a baked PNG written to storage, and the audit event.

Usage (a fresh test database is created and dropped; nothing touches your data):

    .venv/bin/python bench/credentials_issue.py [--count 200] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench .venv/bin/python \
        bench/credentials_issue.py --count 500

It prints wall-clock and CPU rates; "per worker core" is the CPU-time rate, which does not
depend on what else the machine is doing. Synthetic data: one issuer (SEP), one achievement with
a CONOCER alignment and an endorsement, N learners.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="credentials to issue")
    parser.add_argument("--warmup", type=int, default=5, help="credentials issued before timing")
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()

    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    started = time.perf_counter()
    old_config = setup_databases(verbosity=0, interactive=False)
    print(f"test database ready in {time.perf_counter() - started:.1f} s")
    try:
        run(args)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from credentials import baking, jsonld, proofs, services
    from credentials.models import Achievement, AchievementAlignment, Endorsement, Issuer

    sep, _ = Issuer.objects.get_or_create(  # created by migration 0003
        slug="sep", defaults={"name": "SEP", "url": "https://www.gob.mx/sep"}
    )
    chamber = Issuer.objects.create(
        slug="canacintra", name="CANACINTRA", url="https://canacintra.org.mx", kind="industry"
    )
    achievement = Achievement.objects.create(
        issuer=sep,
        name="Inteligencia artificial en el aula",
        description="Diseña y evalúa actividades con IA generativa.",
        criteria_narrative="Completar las lecciones y aprobar las comprobaciones con 70.",
        credits_available=20,
        tags="IA, docencia",
    )
    AchievementAlignment.objects.create(
        achievement=achievement,
        framework="conocer",
        target_code="EC0301",
        target_name="Diseño de cursos de formación del capital humano",
    )
    endorsement = Endorsement.objects.create(
        achievement=achievement, endorser=chamber, comment="Formación reconocida para la dual."
    )
    services.endorsement_sign(endorsement_id=endorsement.pk)
    services.issuer_keys_ensure(issuer=sep)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i}", email=f"bench{i}@example.mx")
        for i in range(args.count + args.warmup)
    )
    for user in users[: args.warmup]:
        services.award_issue(achievement_id=achievement.pk, user_id=user.pk, source="completion")

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for user in users[args.warmup :]:
        services.award_issue(
            achievement_id=achievement.pk, user_id=user.pk, source="completion", score=0.9
        )
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    # Parts, measured on the last credential, to show where the time goes.
    from credentials.models import Award

    award = Award.objects.order_by("-pk").first()
    unsigned = {k: v for k, v in award.ob3_credential.items() if k != "proof"}
    private_key = proofs_key(sep)
    base_png = services.achievement_base_png(achievement)
    parts = {
        "canonicalise credential (RDFC-1.0)": lambda: jsonld.canonicalize(unsigned),
        "Data Integrity proof (2 canonicalisations + Ed25519)": lambda: proofs.di_sign(
            unsigned,
            private_key=private_key,
            verification_method="did:web:x#k",
            created="2025-01-01T00:00:00Z",
        ),
        "bake PNG (both chunks)": lambda: baking.bake_png(
            baking.bake_png(
                base_png,
                "x" * 6000,
                keyword="openbadgecredential",
            ),
            "https://x",
            keyword="openbadges",
        ),
    }
    print(f"database: {connection.vendor}")
    print(f"credentials issued: {args.count}")
    print(f"wall clock: {wall:.2f} s -> {args.count / wall:.1f} credentials/s")
    print(f"CPU time:   {cpu:.2f} s -> {args.count / cpu:.1f} credentials/s per worker core")
    for name, fn in parts.items():
        samples = []
        for _ in range(20):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
        print(f"  {name}: median {statistics.median(samples):.1f} ms")


def proofs_key(issuer):
    from credentials import keys
    from credentials.models import SigningKey

    row = SigningKey.objects.get(issuer=issuer, algorithm="ed25519", active=True)
    return keys.unseal(row.sealed_private_key, algorithm="ed25519")


if __name__ == "__main__":
    main()
