"""Prepare the browser test's database in one process: `migrate`, then `demo load --scale 0.01`
(or the small seed of seed.py), then print as JSON the records the test drives.

Run in the server's environment: `python -m tests.browser.prepare demo|seed`. One process instead
of three saves Django's start-up twice. The records are read through the registry selectors with
the scopes of the demo logins, as the console reads them.
"""

import json
import os
import sys

import django


def load(data: str) -> None:
    from django.core.management import call_command  # noqa: PLC0415 -- Django is set up first

    call_command("migrate", interactive=False, verbosity=0)
    if data == "seed":
        from tests.browser.seed import seed  # noqa: PLC0415

        seed()
    else:
        call_command("demo", "load", "--scale", "0.01")


def records() -> dict[str, str]:
    """An active Zhejiang enterprise for `provincial`, a Jiangsu one that `enterprise` must not open."""
    from medreg.core.models import User  # noqa: PLC0415
    from medreg.core.scoping import scope_for  # noqa: PLC0415
    from medreg.registry import selectors  # noqa: PLC0415

    provincial = scope_for(User.objects.get(username="provincial"))
    national = scope_for(User.objects.get(username="national"))
    own = User.objects.get(username="enterprise").enterprise_code
    zhejiang = selectors.enterprises(provincial).filter(status="active").exclude(uscc=own).order_by("uscc")
    jiangsu = selectors.enterprises(national).filter(jurisdiction__path__contains="/320000/").order_by("uscc")
    chosen, foreign = zhejiang.first(), jiangsu.first()
    assert chosen is not None, "the demo data has no active Zhejiang enterprise"
    assert foreign is not None, "the demo data has no Jiangsu enterprise"
    return {"name": chosen.name, "uscc": chosen.uscc, "foreign_uscc": foreign.uscc, "own_uscc": own}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medreg.settings.demo")
    django.setup()
    load(sys.argv[1] if len(sys.argv) > 1 else "demo")
    print(json.dumps(records(), ensure_ascii=False))  # noqa: T201
