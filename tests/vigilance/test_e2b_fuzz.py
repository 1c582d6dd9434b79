"""Hypothesis fuzzing of the parser with mutated FDA instances; replay of saved crashers."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from medreg.vigilance.e2b import E2BError, Issue, export_batch, parse_batch
from tests.shared import CONFORMANCE

SEED = CONFORMANCE / "e2b" / "FAERS2022Scenario1.xml"
CORPUS = Path(__file__).parent / "e2b_corpus"
TODAY = dt.date(2026, 11, 1)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
OPS = st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "text", "attr", "drop_attr", "move"]),
                         st.integers(0, 10_000), st.integers(0, 10_000), TEXT), min_size=1, max_size=5)


def _apply(root: etree._Element, op: tuple[str, int, int, str]) -> None:
    """Apply one tree mutation (element chosen by index modulo the element count)."""
    kind, i, j, text = op
    els = [e for e in root.iter() if isinstance(e.tag, str)]
    el, other = els[i % len(els)], els[j % len(els)]
    parent = el.getparent()
    if kind == "delete" and parent is not None:
        parent.remove(el)
    elif kind == "duplicate" and parent is not None:
        el.addnext(copy.deepcopy(el))
    elif kind == "text":
        el.text = text
    elif kind in {"attr", "drop_attr"} and el.attrib:
        name = sorted(el.attrib)[j % len(el.attrib)]
        el.set(name, text) if kind == "attr" else el.attrib.pop(name)
    elif kind == "move" and parent is not None and el not in other.iterancestors() and el is not other:
        other.append(el)


def mutated(ops: list[tuple[str, int, int, str]], cut: int | None) -> bytes:
    """Serialized seed after ``ops``, optionally truncated to ``cut`` bytes."""
    root = etree.fromstring(SEED.read_bytes())
    for op in ops:
        _apply(root, op)
    data = etree.tostring(root)
    return data[: cut % (len(data) + 1)] if cut is not None else data


def check(data: bytes, strict: bool = True) -> None:
    """Parse must raise E2BError or return structured findings; success must round-trip.

    ``strict``: import -> export -> import gives an equal model.  Otherwise (known gaps with
    pathological duplicates) the second round trip must be stable.
    """
    try:
        result = parse_batch(data, today=TODAY)
    except E2BError:
        return
    assert isinstance(result.errors, list)
    for issue in result.errors:
        assert isinstance(issue, Issue)
        assert issue.element
        assert issue.xpath.startswith("/")
        assert issue.message
    again = parse_batch(export_batch(result.batch), today=TODAY).batch
    if strict:
        assert again == result.batch
    else:
        assert parse_batch(export_batch(again), today=TODAY).batch == again


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, cut=st.one_of(st.none(), st.integers(0, 60_000)))
def test_fuzzed_fda_instance_never_crashes(ops: list[tuple[str, int, int, str]], cut: int | None) -> None:
    check(mutated(ops, cut))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xml")), ids=lambda p: p.name)
def test_corpus_replay(path: Path) -> None:
    check(path.read_bytes(), strict=not path.name.startswith("gap-"))
