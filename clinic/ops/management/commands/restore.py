from __future__ import annotations

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.ops.postgres import database_settings, libpq_env, tool, user_relation_count


class Command(BaseCommand):
    help = (
        "Restore a `backup` dump into an EMPTY PostgreSQL database: DATABASE_URL's, or --target-url. "
        "Refuses a database that already has tables, so it can never overwrite live data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dump", type=Path, help="a file written by `manage.py backup`")
        parser.add_argument("--target-url", help="postgres://user:password@host:5432/name of an empty database")

    def handle(self, *args, dump: Path, target_url: str | None, **options) -> None:
        if not dump.is_file():
            raise CommandError(f"{dump} is not a file.")
        database = database_settings(target_url)
        existing = user_relation_count(database)
        if existing:
            raise CommandError(
                f"Refusing to restore: database {database['NAME']!r} is not empty ({existing} tables, views "
                "or sequences). Create an empty one (createdb) and restore into that."
            )
        # One transaction: a dump that fails half-way leaves the target empty, not half restored.
        # Ownership and grants belong to the old server's roles; the restoring role owns everything.
        result = subprocess.run(
            [
                tool("pg_restore"),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                "--no-password",
                f"--dbname={database['NAME']}",
                str(dump),
            ],
            env=libpq_env(database),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed, nothing was restored: {result.stderr.strip()}")
        self.stdout.write(f"restored {dump} into {database['NAME']}: {user_relation_count(database)} relations")
