"""`medreg audit verify`: walk the audit chain and name the first altered or deleted record."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from medreg.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit chain operations. `verify` checks every record's hash and link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.problem is not None:
            raise CommandError(
                f"audit chain BROKEN after {report.records_checked} intact records: {report.problem.message}"
            )
        self.stdout.write(f"audit chain intact: {report.records_checked} records verified")
