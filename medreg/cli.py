"""The `medreg` command: Django's management commands with the platform's settings.

`medreg audit verify`, `medreg demo load`, `medreg signals compute --from-csv F --out F`, and every
Django command (`medreg migrate`, `medreg runserver` ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medreg.settings.demo")
    if args[:2] == ["signals", "compute"]:
        return _signals(args[1:])  # the signals parser takes the sub-command itself
    from django.core.management import execute_from_command_line

    execute_from_command_line(["medreg", *args])
    return 0


def _signals(args: list[str]) -> int:
    from medreg.vigilance.signals.cli import main as signals_main

    return signals_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
