"""``manage.py credentials_keys ensure|rotate ISSUER [--algorithm ...] [--reason ...]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credentials import services
from credentials.models import Issuer


class Command(BaseCommand):
    help = "Create an issuer's signing keys when absent, or rotate one (old keys stay published)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["ensure", "rotate"])
        parser.add_argument("issuer", help="issuer slug")
        parser.add_argument("--algorithm", choices=["ed25519", "rsa"], default="ed25519")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        issuer = Issuer.objects.filter(slug=options["issuer"]).first()
        if issuer is None:
            raise CommandError(f"no issuer with slug {options['issuer']!r}")
        if options["action"] == "ensure":
            for algorithm, key in services.issuer_keys_ensure(issuer=issuer).items():
                self.stdout.write(f"{algorithm} {key.kid}")
            return
        try:
            key = services.signing_key_rotate(
                issuer_id=issuer.pk, algorithm=options["algorithm"], reason=options["reason"]
            )
        except services.AwardError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{key.algorithm} {key.kid}")
