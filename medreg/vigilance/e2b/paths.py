"""A tiny path language shared by the parser and the exporter.

``a/b{attr=v}[sub/path@x=1,y=2][@root=R]|c/d`` — steps separated by ``/``; ``{...}`` gives
attributes set when the exporter creates the element; ``[...]`` predicates select among siblings
(``sub/path`` is a chain of first children, ``@`` attribute equalities, none = existence); ``|``
marks where a repeating item starts (the exporter creates a new element there).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from lxml import etree

from .xmlsafe import HL7, XSI_TYPE, q

Attrs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Pred:
    """Predicate: the chain ``sub`` exists below the element and its end has ``attrs``."""

    sub: tuple[str, ...]
    attrs: Attrs


@dataclass(frozen=True)
class Step:
    """One path step: element tag, predicates, and attributes to set on creation."""

    tag: str
    preds: tuple[Pred, ...] = ()
    attrs: Attrs = ()


@dataclass(frozen=True)
class Path:
    """Shared steps (reused by the exporter) and item steps (first one always created)."""

    shared: tuple[Step, ...]
    item: tuple[Step, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        """All steps in order."""
        return self.shared + self.item


def attr_name(name: str) -> str:
    """Map ``xsi:type`` to its Clark name; other names unchanged."""
    return XSI_TYPE if name == "xsi:type" else name


def _split(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets and braces."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        depth += ch in "[{"
        depth -= ch in "]}"
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _pairs(text: str) -> Attrs:
    """Parse ``a=1,b=2`` into attribute pairs (values URL-unquoted)."""
    if not text:
        return ()
    pairs = (p.split("=", 1) for p in text.split(","))
    return tuple((attr_name(k), unquote(v)) for k, v in pairs)


def _pred(text: str) -> Pred:
    """Parse the inside of ``[...]``."""
    sub, _, attrs = text.partition("@")
    return Pred(tuple(s for s in sub.split("/") if s), _pairs(attrs))


def _step(text: str) -> Step:
    """Parse one step string."""
    head = text.split("[", 1)[0]
    tag, _, attrs = head.partition("{")
    preds = tuple(_pred(p.split("]", 1)[0]) for p in text.split("[")[1:])
    return Step(tag, preds, _pairs(attrs.rstrip("}")))


@lru_cache(maxsize=2048)
def parse_path(text: str) -> Path:
    """Parse a path string (cached)."""
    shared, _, item = text.partition("|")
    conv = lambda s: tuple(_step(x) for x in _split(s, "/") if x)  # noqa: E731
    return Path(conv(shared), conv(item))


def fmt_pred(sub: str, attrs: dict[str, str]) -> str:
    """Format a ``[sub@...]`` predicate for an anchor path (values URL-quoted)."""
    body = ",".join(f"{k}={quote(v, safe='.-_:')}" for k, v in sorted(attrs.items()))
    return f"[{sub}@{body}]"


def _first(el: etree._Element, tag: str) -> etree._Element | None:
    """First HL7 child with local name ``tag``."""
    return el.find(q(tag))


def pred_match(el: etree._Element, pred: Pred) -> list[etree._Element] | None:
    """Elements proving the predicate holds, or None."""
    chain, cur = [], el
    for tag in pred.sub:
        nxt = _first(cur, tag)
        if nxt is None:
            return None
        chain.append(nxt)
        cur = nxt
    if all(cur.get(k) == v for k, v in pred.attrs):
        return chain
    return None


def step_match(el: etree._Element, step: Step) -> list[etree._Element] | None:
    """Predicate elements when ``el`` matches ``step`` (tag assumed equal), else None."""
    proof: list[etree._Element] = []
    for pred in step.preds:
        chain = pred_match(el, pred)
        if chain is None:
            return None
        proof.extend(chain)
    return proof


def children(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    """HL7 children of ``el`` with local name ``tag``."""
    return el.iterchildren(q(tag))


Match = tuple[etree._Element, list[etree._Element]]


def find_all(el: etree._Element, steps: tuple[Step, ...]) -> list[Match]:
    """Every element reached by ``steps`` with the elements to mark as consumed."""
    frontier: list[Match] = [(el, [])]
    for step in steps:
        nxt: list[Match] = []
        for cur, used in frontier:
            for ch in children(cur, step.tag):
                proof = step_match(ch, step)
                if proof is not None:
                    nxt.append((ch, [*used, ch, *proof]))
        frontier = nxt
    return frontier


WRAPPERS = frozenset({
    "subject", "subject1", "subject2", "subjectOf", "subjectOf1", "subjectOf2", "component", "component1",
    "outboundRelationship", "outboundRelationship1", "outboundRelationship2", "inboundRelationship",
    "reference", "referenceRange", "authorization", "location", "performer", "author", "holder",
    "consumable", "ingredient", "receiver", "sender",
})
"""HL7 act relationships / participations: each wraps exactly one target, so never shared."""


def _reusable(ch: etree._Element, steps: tuple[Step, ...], i: int, empty_ok: bool) -> bool:
    """A wrapper is reused only when it already holds the wanted target (or, if allowed, nothing)."""
    if steps[i].tag not in WRAPPERS or i + 1 >= len(steps):
        return True
    nxt = steps[i + 1]
    targets = [g for g in ch if isinstance(g.tag, str)]
    return (empty_ok and not targets) or any(g.tag == q(nxt.tag) and step_match(g, nxt) is not None for g in targets)


def descend(
    el: etree._Element, steps: tuple[Step, ...], start: int = 0, empty_ok: bool = False
) -> tuple[int, etree._Element, list[etree._Element]]:
    """Greedy walk: at each step take the first matching child (wrappers must hold the target).

    Returns how many steps matched (counting from 0), the element reached and the elements
    proving it (path and predicate elements).  Parser and exporter both use this walk, so they
    agree on which branch of a document is the canonical one.
    """
    i, cur, used = start, el, []
    while i < len(steps):
        nxt = _first_match(cur, steps, i, empty_ok)
        if nxt is None:
            break
        cur, proof = nxt
        used += [cur, *proof]
        i += 1
    return i, cur, used


def _first_match(el: etree._Element, steps: tuple[Step, ...], i: int, empty_ok: bool) -> Match | None:
    """First child of ``el`` matching ``steps[i]`` that may be reused for the rest of the path."""
    for ch in children(el, steps[i].tag):
        proof = step_match(ch, steps[i])
        if proof is not None and _reusable(ch, steps, i, empty_ok):
            return ch, proof
    return None


def make(parent: etree._Element, step: Step, defaults: dict[str, Attrs]) -> etree._Element:
    """Create the element for ``step`` under ``parent`` including predicate elements."""
    el = etree.SubElement(parent, q(step.tag))
    for k, v in defaults.get(step.tag, ()) + step.attrs:
        el.set(k, v)
    for pred in step.preds:
        cur = el
        for tag in pred.sub:
            found = _first(cur, tag)
            cur = found if found is not None else make(cur, Step(tag), defaults)
        for k, v in pred.attrs:
            cur.set(k, v)
    return el


def ensure(el: etree._Element, steps: tuple[Step, ...], defaults: dict[str, Attrs]) -> etree._Element:
    """Reuse the deepest existing chain for ``steps`` and create the rest (leading '..' go up)."""
    while steps and steps[0].tag == "..":
        up = el.getparent()
        el = up if up is not None else el
        steps = steps[1:]
    i, cur, _ = descend(el, steps, empty_ok=True)
    while i < len(steps):
        cur = make(cur, steps[i], defaults)
        i, cur, _ = descend(cur, steps, i + 1, empty_ok=True)
    return cur


def locate(el: etree._Element, steps: tuple[Step, ...], defaults: dict[str, Attrs]) -> etree._Element:
    """Parent for an extension: the first element fully matching its anchor path, else ensure it."""
    while steps and steps[0].tag == "..":
        up = el.getparent()
        el = up if up is not None else el
        steps = steps[1:]
    hits = find_all(el, steps)
    return hits[0][0] if hits else ensure(el, steps, defaults)


def _code_attrs(el: etree._Element, consumed: set[etree._Element]) -> dict[str, str]:
    """Identifying attributes of ``el``'s consumed ``code`` child (empty when none)."""
    code = el.find(q("code"))
    if code is None or code not in consumed:
        return {}
    return {k: code.get(k, "") for k in ("code", "codeSystem", "nullFlavor") if code.get(k)}


def anchor_step(el: etree._Element, consumed: set[etree._Element]) -> str:
    """Step string identifying ``el`` among siblings by its (or its act child's) consumed code."""
    tag = etree.QName(el).localname
    attrs = _code_attrs(el, consumed)
    if attrs:
        return tag + fmt_pred("code", attrs)
    for ch in el:
        if isinstance(ch.tag, str) and ch in consumed and (sub := _code_attrs(ch, consumed)):
            return tag + fmt_pred(f"{etree.QName(ch).localname}/code", sub)
    return tag


__all__ = ["HL7", "Path", "Pred", "Step", "anchor_step", "ensure", "find_all", "locate", "parse_path"]
