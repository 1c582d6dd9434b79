"""`medreg demo_trace load`: traceability demo data on top of `medreg demo load`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from medreg.trace.demo import load


class Command(BaseCommand):
    help = "Capture a demo supply chain (with planted anomalies) for the demo province."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["load"])
        parser.add_argument("--packs-per-batch", type=int, default=120)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load(packs_per_batch=options["packs_per_batch"])
        self.stdout.write(f"traceability demo: {counts}")
