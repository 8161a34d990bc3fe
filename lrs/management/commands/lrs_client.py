"""``python manage.py lrs_client create NAME [--scope ...]``: credentials for an LRS client.

The last line of the output is one JSON object ``{"key": ..., "secret": ...}``; the secret is
shown only here (the database keeps its hash).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lrs.client_services import lrs_client_create
from lrs.models import LRS_SCOPES


class Command(BaseCommand):
    help = "Create LRS client credentials (HTTP Basic) for an activity provider."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a client and print its credentials")
        create.add_argument("name")
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=LRS_SCOPES,
            help="repeatable; default: all",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "create":
            raise CommandError("unknown action")
        name = options["name"].strip()
        if not name:
            raise CommandError("NAME must not be empty")
        client, secret = lrs_client_create(name=name, scopes=options["scopes"] or ["all"])
        self.stdout.write(f"Created LRS client {client.name!r} with scopes {client.scopes}.")
        self.stdout.write(json.dumps({"key": client.key, "secret": secret}))
