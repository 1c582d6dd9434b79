"""The lossless JSON codec of the E2B case model lives in `medreg.vigilance.e2b.codec` (pure, no Django),
so that `medreg.vigilance.privacy` can use it without importing this package; re-exported here."""

from medreg.vigilance.e2b.codec import dump, load, load_hint, type_hints

__all__ = ["dump", "load", "load_hint", "type_hints"]
