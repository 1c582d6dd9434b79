"""Generic reader/writer driven by :mod:`spec`: XML element tree <-> model dataclasses.

The reader marks every element it binds as *consumed*; afterwards each unconsumed subtree
whose parent was consumed becomes an :class:`~.model.Extension` of the nearest model object,
so regional and unknown elements survive an import/export cycle verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .model import Extension, Value
from .paths import Match, anchor_step, descend, ensure, find_all, locate, make, parse_path
from .spec import DEFAULTS, SPEC, Field
from .xmlsafe import XSI_TYPE, q

ATTRS = {
    "code": "code", "codeSystem": "code_system", "codeSystemVersion": "code_system_version",
    "displayName": "display_name", "root": "root", "extension": "extension", "value": "value",
    "unit": "unit", "nullFlavor": "null_flavor", XSI_TYPE: "xsi_type",
}
OT = "originalText"


@dataclass
class Draft:
    """A model object under construction (frozen dataclasses are built at the end)."""

    cls: type
    el: etree._Element
    values: dict[str, Any] = field(default_factory=dict)
    ext: list[Extension] = field(default_factory=list)


def read_value(el: etree._Element, consumed: set[etree._Element]) -> Value:
    """Build a :class:`Value` from an element's attributes, text and originalText child."""
    kw: dict[str, Any] = {}
    extra: list[tuple[str, str]] = []
    for k, v in el.attrib.items():
        name = ATTRS.get(k)
        if name:
            kw[name] = v
        else:
            extra.append((k, v))
    ot = el.find(q(OT))
    if ot is not None:
        consumed.add(ot)
        kw["original_text"] = ot.text or ""
        extra += [(f"{OT}@{k}", v) for k, v in ot.attrib.items()]
    if el.text is not None and (el.text.strip() or len(el) == 0):
        kw["text"] = el.text
    return Value(extra=tuple(extra), **kw)


class Reader:
    """Reads one tree into drafts, tracking consumed elements and XPaths."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.tree = root.getroottree()
        self.consumed: set[etree._Element] = {root}
        self.owner: dict[etree._Element, Draft] = {}
        self.heads: dict[etree._Element, tuple[Draft, int]] = {}
        self.paths = Locations()
        self._value_els: list[tuple[Value, etree._Element]] = []

    def read(self, cls: type, el: etree._Element) -> Draft:
        """Read an object of ``cls`` rooted at ``el``."""
        draft = Draft(cls, el)
        self.owner[el] = draft
        for f in SPEC[cls]:
            self._read_field(draft, f)
        return draft

    def _read_field(self, draft: Draft, f: Field) -> None:
        """Bind one field: leaf values or nested objects, single or repeated."""
        matches = self._matches(draft.el, f)
        items = [self._item(f, el, used) for el, used in matches]
        if f.carrier:
            items = [x for x in items if x != Value()]
        if f.many:
            draft.values[f.name] = items
        elif items:
            draft.values[f.name] = items[0]

    @staticmethod
    def _matches(el: etree._Element, f: Field) -> list[Match]:
        """Single fields: the canonical (greedy) branch; repeated: every item under the shared base."""
        path = parse_path(f.path)
        shared, item = (path.shared, path.item) if f.many and path.item else (path.steps, ())
        if f.many and not path.item:
            shared, item = path.steps[:-1], path.steps[-1:]
        depth, base, used = descend(el, shared)
        if depth < len(shared):
            return []
        if not f.many:
            return [(base, used)]
        return [(hit, used + more) for hit, more in find_all(base, item)]

    def _item(self, f: Field, el: etree._Element, used: list[etree._Element]) -> Any:
        """Mark the path consumed and read the leaf value or nested draft."""
        self.consumed.update(used)
        if f.kind is not None:
            draft = self.read(f.kind, el)
            if f.many:
                self._register_head(draft, len(parse_path(f.path).item) - 1)
            return draft
        value = read_value(el, self.consumed)
        self._value_els.append((value, el))
        return value

    def _register_head(self, draft: Draft, levels: int) -> None:
        """Wrapper elements of a repeated item belong to that item (reached with '..')."""
        cur = draft.el
        for up in range(1, levels + 1):
            cur = cur.getparent()
            if cur is None:
                return
            self.heads.setdefault(cur, (draft, up))

    def extensions(self) -> None:
        """Attach every unconsumed subtree to the nearest draft as an Extension."""
        for el in self.root.iter():
            parent = el.getparent()
            if el in self.consumed or parent is None or parent not in self.consumed:
                continue
            if not isinstance(el.tag, str):
                continue
            owner, rel = self._owner_of(parent)
            xml = etree.tostring(el, method="c14n", exclusive=True, with_comments=False).decode()
            owner.ext.append(Extension(rel, xml))

    def _owner_of(self, parent: etree._Element) -> tuple[Draft, str]:
        """Nearest draft at or above ``parent`` and the anchor path from it to ``parent``."""
        steps: list[str] = []
        cur: etree._Element | None = parent
        while cur is not None and cur not in self.owner:
            if cur in self.heads:
                draft, up = self.heads[cur]
                return draft, "/".join([".."] * up + list(reversed(steps)))
            steps.append(anchor_step(cur, self.consumed))
            cur = cur.getparent()
        assert cur is not None  # the root element always owns a draft
        return self.owner[cur], "/".join(reversed(steps))

    def build(self, draft: Draft) -> Any:
        """Turn a draft (recursively) into its frozen dataclass, recording XPaths."""
        kw: dict[str, Any] = {}
        for name, v in draft.values.items():
            if isinstance(v, list):
                kw[name] = tuple(self._conv(x) for x in v)
            else:
                kw[name] = self._conv(v)
        obj = draft.cls(ext=tuple(sorted(draft.ext, key=lambda e: e.path)), **kw)
        self.paths.elements[id(obj)] = draft.el
        return obj

    def _conv(self, v: Any) -> Any:
        """Build nested drafts; Values pass through."""
        return self.build(v) if isinstance(v, Draft) else v

    def value_paths(self) -> None:
        """Record the XPath of every leaf value read."""
        for value, el in self._value_els:
            self.paths.elements[id(value)] = el


@dataclass
class Locations:
    """Where each parsed model object / value came from; XPaths are computed on demand."""

    elements: dict[int, etree._Element] = field(default_factory=dict)

    def get(self, obj: object) -> str | None:
        """Readable XPath of the element ``obj`` was read from (None if not parsed)."""
        el = self.elements.get(id(obj))
        return xpath(el) if el is not None else None


def xpath(el: etree._Element) -> str:
    """Readable XPath with local names and 1-based positions among same-name siblings."""
    parts = []
    cur: etree._Element | None = el
    while cur is not None:
        name = etree.QName(cur).localname
        parent = cur.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == cur.tag]
            name += f"[{same.index(cur) + 1}]" if len(same) > 1 else ""
        parts.append(name)
        cur = parent
    return "/" + "/".join(reversed(parts))


def write_value(el: etree._Element, v: Value) -> None:
    """Write a :class:`Value` onto ``el`` (attributes, text, originalText)."""
    for attr, name in ATTRS.items():
        got = getattr(v, name)
        if got is not None:
            el.set(attr, got)
    ot_attrs = [(k[len(OT) + 1:], val) for k, val in v.extra if k.startswith(OT + "@")]
    for k, val in v.extra:
        if not k.startswith(OT + "@"):
            el.set(k, val)
    if v.text is not None:
        el.text = v.text
    if v.original_text is not None:
        ot = el.find(q(OT))
        ot = etree.SubElement(el, q(OT)) if ot is None else ot
        ot.text = v.original_text or None
        for k, val in ot_attrs:
            ot.set(k, val)


Pending = list[tuple[etree._Element, str]]


def write(obj: Any, el: etree._Element, pending: Pending) -> None:
    """Write a model object's fields below ``el``; extensions go to ``pending`` (parent, xml).

    Extension fragments are attached by the caller after pretty-printing so that their
    whitespace stays byte-identical.
    """
    for f in SPEC[type(obj)]:
        got = getattr(obj, f.name)
        for item in (got if f.many else (got,)):
            if item is not None:
                _write_item(f, item, el, pending)
    for ext in obj.ext:
        pending.append((locate(el, parse_path(ext.path).steps, DEFAULTS), ext.xml))


def _write_item(f: Field, item: Any, el: etree._Element, pending: Pending) -> None:
    """Create (repeated) or reuse (single) the element for one field item and fill it."""
    path = parse_path(f.path)
    if f.many:
        shared, item_steps = (path.shared, path.item) if path.item else (path.steps[:-1], path.steps[-1:])
        head = make(ensure(el, shared, DEFAULTS), item_steps[0], DEFAULTS)
        target = ensure(head, item_steps[1:], DEFAULTS)
    else:
        target = ensure(el, path.steps, DEFAULTS)
    if isinstance(item, Value):
        write_value(target, item)
    else:
        write(item, target, pending)
