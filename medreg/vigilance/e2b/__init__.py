"""ICH E2B(R3) ICSR XML: parse (with per-element errors), export (round-trip) and acknowledge."""

from .ack import build_acknowledgement
from .export import export_batch
from .issues import Issue, ParseResult
from .parse import parse_batch
from .xmlsafe import E2BError

__all__ = ["E2BError", "Issue", "ParseResult", "build_acknowledgement", "export_batch", "parse_batch"]
