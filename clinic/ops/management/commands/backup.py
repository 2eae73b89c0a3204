from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.ops.postgres import database_settings, libpq_env, tool


class Command(BaseCommand):
    help = "Dump the PostgreSQL database (DATABASE_URL) with pg_dump into backups/steady-<time>.dump."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output-dir", type=Path, default=settings.BASE_DIR / "backups")

    def handle(self, *args, output_dir: Path, **options) -> None:
        database = database_settings()
        output_dir.mkdir(parents=True, exist_ok=True)
        target = output_dir / f"steady-{timezone.now():%Y%m%dT%H%M%SZ}.dump"
        # Written under another name and renamed when complete: a half-written dump never
        # looks like a backup.
        partial = target.with_suffix(".dump.partial")
        result = subprocess.run(
            [tool("pg_dump"), "--format=custom", "--no-password", f"--file={partial}", database["NAME"]],
            env=libpq_env(database),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        partial.rename(target)
        self.stdout.write(f"{target} {target.stat().st_size} bytes")
