"""The pure generator: divisions, scale and seed in, records out. No database, no clock, no global
random state, so the same seed and scale always give the same data."""

import datetime as dt
import random

from medreg.registry.demo.enterprises import KINDS, EnterpriseMaker, fixed_enterprises, scaled
from medreg.registry.demo.licences import LicenceMaker
from medreg.registry.demo.numbers import NumberBook
from medreg.registry.demo.products import ProductMaker
from medreg.registry.demo.records import DemoData, DemoEnterprise, Division

# Every date in the demo data lies on or before this day; nothing depends on the clock.
REFERENCE_DATE = dt.date(2026, 1, 1)
DEFAULT_SEED = 2026
HOME_PROVINCE = "330000"  # 浙江省, at full scale
OTHER_PROVINCE = "320000"  # 江苏省, a few enterprises in 南京 so that scoping shows
# Products at scale 1 (drugs the most), with the minimum kept at any scale.
PRODUCTS_AT_SCALE_1 = {"drugs": (14_000, 20), "devices": (4_600, 8), "cosmetics": (2_600, 6)}


def generate(divisions: list[Division], scale: float = 1.0, seed: int = DEFAULT_SEED) -> DemoData:
    """All demo records for `divisions` (county-level, of 浙江 and 江苏) at `scale`; the two fixed
    demo enterprises come first and their licences are in force."""
    if scale <= 0:
        raise ValueError("scale must be positive, e.g. 0.01, 1 or 10")
    rng = random.Random(seed)  # noqa: S311 -- synthetic demo data, not a secret
    book = NumberBook(rng)
    enterprises = _enterprises(rng, book, divisions, scale)
    licence_maker = LicenceMaker(rng, book, REFERENCE_DATE)
    data = DemoData(
        enterprises=enterprises,
        licences=[licence for i, e in enumerate(enterprises) for licence in licence_maker.for_enterprise(e, i < 2)],
        holder_uscc=enterprises[0].uscc,
        pharmacy_uscc=enterprises[1].uscc,
    )
    _add_products(data, ProductMaker(rng, book, REFERENCE_DATE), scale)
    return data


def _enterprises(rng: random.Random, book: NumberBook, divisions: list[Division], scale: float) -> list[DemoEnterprise]:
    """The two fixed demo enterprises first, then every kind in 浙江, then a few in 江苏."""
    home = [d for d in divisions if d.province_code == HOME_PROVINCE]
    other = [d for d in divisions if d.province_code == OTHER_PROVINCE]
    enterprises = fixed_enterprises(book, {d.code: d for d in home})
    maker = EnterpriseMaker(rng, book)
    for kind, spec in KINDS.items():
        enterprises += maker.make_many(kind, scaled(spec.zhejiang, scale, 2), home)
    for kind, spec in KINDS.items():
        enterprises += maker.make_many(kind, scaled(spec.jiangsu, scale, 1), other) if other else []
    return enterprises


def _add_products(data: DemoData, maker: ProductMaker, scale: float) -> None:
    counts = {family: scaled(base, scale, minimum) for family, (base, minimum) in PRODUCTS_AT_SCALE_1.items()}
    data.drugs = maker.drugs(data.enterprises, counts["drugs"], data.enterprises[0])
    data.devices = maker.devices(data.enterprises, counts["devices"])
    data.cosmetics = maker.cosmetics(data.enterprises, counts["cosmetics"])
