"""`medreg demo load [--scale S] [--seed N]`: fill the database with deterministic demo data."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from medreg.registry.demo import DEFAULT_SEED, demo_users_exist, load, login_lines


class Command(BaseCommand):
    help = (
        "Demo data. `load` generates 浙江省 at realistic scale (scale 1: 5,000+ enterprises, 20,000+ "
        "products) plus a few enterprises in 江苏省, and one login per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["load", "logins"], help="load the data, or print the demo logins")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = one province; 0.01 for tests, 10 for benchmarks"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed and scale, same data")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "logins":
            for line in login_lines():
                self.stdout.write(line)
            return
        if options["scale"] <= 0:
            raise CommandError("--scale must be positive, e.g. 0.01, 1 or 10")
        if demo_users_exist():
            self.stdout.write("Demo data is already loaded (the demo logins exist); nothing to do.")
        else:
            started = time.perf_counter()
            data = load(scale=options["scale"], seed=options["seed"])
            self.stdout.write(
                f"Demo data loaded in {time.perf_counter() - started:.1f} s: {len(data.enterprises)} enterprises, "
                f"{len(data.licences)} licences, {len(data.drugs)} drugs, {len(data.devices)} devices, "
                f"{len(data.cosmetics)} cosmetics."
            )
        for line in login_lines():
            self.stdout.write(line)
