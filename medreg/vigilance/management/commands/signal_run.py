"""`manage.py signal_run`: run signal detection now, in this process, printing its progress."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from medreg.core.actor import Actor
from medreg.core.errors import DomainError
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.vigilance.models.signal import SignalRunStatus
from medreg.vigilance.services.signals import request_signal_run
from medreg.vigilance.signal_runs import execute_run


class Command(BaseCommand):
    help = "Screen the case base for disproportionate product–reaction pairs and open signals (synchronously)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--family", default="drug", help="drug, device or cosmetic (default drug)")
        parser.add_argument("--province", default="", help="province code (e.g. 330000); default a national run")
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="date whose thresholds apply (YYYY-MM-DD); default today",
        )
        parser.add_argument(
            "--cutoff",
            type=dt.date.fromisoformat,
            default=None,
            help="data cut-off: screen the cases first received on or before it (YYYY-MM-DD); default all",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = request_signal_run(
                actor=Actor.system(),
                scope=SYSTEM_SCOPE,
                product_family=options["family"],
                run_date=options["date"],
                province=options["province"],
                data_cutoff=options["cutoff"],
                enqueue=False,
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"signal run {run.pk}: {run.product_family}, jurisdiction {run.jurisdiction_code}, "
            f"thresholds of {run.run_date}"
        )
        run = execute_run(run.pk, progress=lambda stage: self.stdout.write(f"  {stage}"))
        if run.status != SignalRunStatus.SUCCEEDED:
            raise CommandError(f"signal run {run.pk} failed: {run.error}")
        self.stdout.write(self.style.SUCCESS(f"signal run {run.pk} done"))
