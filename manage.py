#!/usr/bin/env python
"""Django's command-line utility for administrative tasks (same as the `medreg` command)."""

from medreg.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
