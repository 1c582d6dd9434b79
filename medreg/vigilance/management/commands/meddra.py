"""`medreg meddra load DIR [--activate]`, `medreg meddra list`, `medreg meddra activate ID`.

The operator at the server acts as the platform itself (SYSTEM_SCOPE); the audit chain records
the changes with the channel `cli`.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from medreg.core.actor import Actor
from medreg.core.errors import DomainError
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.vigilance import meddra_selectors
from medreg.vigilance.services.meddra import activate_release, load_release_directory


class Command(BaseCommand):
    help = "MedDRA releases: load a distribution folder, list the loaded releases, put one in use."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        load = commands.add_parser("load", help="load a MedDRA ASCII distribution (its folder or MedAscii/ inside)")
        load.add_argument("directory", type=Path)
        load.add_argument("--activate", action="store_true", help="put the release in use for its language")
        load.add_argument("--encoding", default=None, help="force the files' encoding (default: UTF-8, else GB18030)")
        commands.add_parser("list", help="list the loaded releases")
        activate = commands.add_parser("activate", help="put a loaded release in use for its language")
        activate.add_argument("release_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["operation"] == "load":
                self._load(options["directory"], options["activate"], options["encoding"])
            elif options["operation"] == "activate":
                found = activate_release(actor=Actor.system(), scope=SYSTEM_SCOPE, release_id=options["release_id"])
                self.stdout.write(self.style.SUCCESS(f"{found} (#{found.pk}) is in use for {found.language}"))
            else:
                self._list()
        except DomainError as error:
            raise CommandError("; ".join(f"{e.message} {e.fix}".strip() for e in error.errors)) from error

    def _load(self, directory: Path, activate: bool, encoding: str | None) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder; unzip the MedDRA distribution first")
        found = load_release_directory(
            actor=Actor.system(), scope=SYSTEM_SCOPE, root=directory, activate=activate, encoding=encoding
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{found} loaded as #{found.pk} in {found.load_seconds:.2f} s: {found.soc_count} SOC, "
                f"{found.hlgt_count} HLGT, {found.hlt_count} HLT, {found.pt_count} PT, {found.llt_count} LLT "
                f"({found.current_llt_count} current), {found.path_count} paths, {found.smq_count} SMQs"
                + ("; in use" if found.is_active else "; not in use (activate it with `medreg meddra activate`)")
            )
        )

    def _list(self) -> None:
        for found in meddra_selectors.releases(SYSTEM_SCOPE):
            mark = "*" if found.is_active else " "
            self.stdout.write(
                f"{mark} #{found.pk} {found.version} {found.language} loaded {found.loaded_at:%Y-%m-%d %H:%M} "
                f"by {found.loaded_by_name}, {found.llt_count} LLT, sha256 {found.source_checksum[:12]}"
            )
