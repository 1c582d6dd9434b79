"""Parse E2B(R3) ICSR batches from untrusted bytes into the case model."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from .bind import Reader
from .issues import Locator, ParseResult
from .model import Batch
from .validate import validate
from .xmlsafe import E2BError, local, parse_xml, q

ROOT = "MCCI_IN200100UV01"


def _check_root(root: etree._Element) -> None:
    """Refuse documents that are not an ICH ICSR batch at all."""
    if root.tag != q(ROOT):
        found = local(root) or str(root.tag)
        raise E2BError(f"root element is {found!r}; an E2B(R3) batch starts with <{ROOT}> in urn:hl7-org:v3")


def read_batch(root: etree._Element) -> tuple[Batch, Locator]:
    """Bind a batch element tree to the model; returns the model and XPaths by object id."""
    reader = Reader(root)
    draft = reader.read(Batch, root)
    reader.extensions()
    batch = reader.build(draft)
    reader.value_paths()
    return batch, reader.paths


def parse_batch(xml: bytes, today: dt.date | None = None) -> ParseResult:
    """Parse and validate an ICSR batch.

    Raises :class:`E2BError` only when the bytes are not an E2B(R3) batch at all (malformed,
    hostile, wrong root); every other problem is reported in ``ParseResult.errors``.
    """
    root = parse_xml(xml)
    _check_root(root)
    try:
        batch, paths = read_batch(root)
    except RecursionError as exc:
        raise E2BError("document nesting is too deep") from exc
    result = ParseResult(batch, [], paths)
    result.errors.extend(validate(batch, paths, today or dt.date.today()))
    return result
