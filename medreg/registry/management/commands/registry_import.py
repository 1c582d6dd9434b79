"""`medreg registry_import KIND FILE [--dry-run]`: import a CSV/.xlsx file as the system actor.

The command acts with national scope (it is run by the platform's operators on the server); the
file is written only if every row is valid, otherwise the error report is printed and the exit
code is 1.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from medreg.core.actor import Actor
from medreg.core.models.user import Role
from medreg.core.scoping import Scope, ScopeKind
from medreg.registry.importing import ImportReport, Kind, import_file

# The operator's scope: national, registry writer (no user account stands behind a CLI import).
SYSTEM_SCOPE = Scope(ScopeKind.ALL, role=Role.NATIONAL_REGULATOR, may_write_registry=True)


class Command(BaseCommand):
    help = "Import registry data (enterprises, licences, drugs, devices, cosmetics) from a CSV or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[kind.value for kind in Kind])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        data = _read(path)
        report = import_file(
            Kind(options["kind"]),
            data,
            filename=path.name,
            actor=Actor.system("cli"),
            scope=SYSTEM_SCOPE,
            dry_run=options["dry_run"],
        )
        if not report.accepted:
            self.stderr.write(format_report(report))
            raise CommandError(f"import refused: {report.error_count} error(s); nothing was written")
        verb = "valid (dry run, nothing written)" if report.dry_run else "imported"
        self.stdout.write(f"{report.valid_rows} {report.kind.value} {verb}")


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(settings.MEDREG_MAX_UPLOAD_BYTES + 1)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error


def format_report(report: ImportReport) -> str:
    """One line per error: row, column, code, message and fix."""
    lines = [f"row {e.row or '-'}  {e.field}  [{e.code}]  {e.message}  Fix: {e.fix}".rstrip() for e in report.errors]
    if report.error_count > len(report.errors):
        lines.append(f"... and {report.error_count - len(report.errors)} more error(s)")
    return "\n".join(lines)
