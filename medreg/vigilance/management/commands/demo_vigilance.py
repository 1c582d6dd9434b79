"""`medreg demo_vigilance load`: adverse reaction demo cases on top of `medreg demo load`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from medreg.vigilance.demo import load


class Command(BaseCommand):
    help = "Store demo adverse reaction cases (planted associations and duplicates) for the demo province."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["load"])
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load(seed=options["seed"])
        self.stdout.write(f"adverse reaction demo: {counts}")
