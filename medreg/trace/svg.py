"""A batch's distribution tree drawn as an SVG picture on the server (no script, no library).

Holders are laid out left to right by their distance from the batch's origin (the manufacturer,
then distributors, then pharmacies and hospitals); each box names the enterprise and counts its
packs by status; an edge runs from every supplier to the holder it shipped to. Beyond
`MAX_NODES` boxes the smallest holders of each column are merged into one "and N more" box, so a
batch shipped to thousands of pharmacies still draws as a picture a phone can scroll.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from medreg.trace.selectors import HolderNode

MAX_NODES = 60
BOX_WIDTH, BOX_HEIGHT = 230, 66
COLUMN_GAP, ROW_GAP, MARGIN = 70, 14, 12
NAME_CHARACTERS = 15
STYLE = (
    "<style>.edge{fill:none;stroke:#8a99ab;stroke-width:1.5}.node rect{fill:#fff;stroke:#0b5cab;stroke-width:1.5}"
    ".empty rect{stroke:#d8dee6}.merged rect{fill:#f5f7fa;stroke-dasharray:4 3}"
    "text{font:13px system-ui,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;fill:#1d2733}"
    ".name{font-weight:600}.count{fill:#0b5cab}.statuses{font-size:11px;fill:#5f6b7a}</style>"
)


@dataclass
class Box:
    """One box of the picture: a holder, or several small holders merged."""

    key: str
    title: str
    packs: int
    by_status: dict[str, int]
    suppliers: set[str] = field(default_factory=set)
    column: int = 0
    row: int = 0
    merged: int = 0

    @property
    def x(self) -> int:
        return MARGIN + self.column * (BOX_WIDTH + COLUMN_GAP)

    @property
    def y(self) -> int:
        return MARGIN + self.row * (BOX_HEIGHT + ROW_GAP)


def columns_of(nodes: list[HolderNode]) -> dict[str, int]:
    """Each holder's distance from a holder that nobody supplied (breadth first; cycles are cut)."""
    codes = {n.enterprise_code for n in nodes}
    receivers: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        for supplier in node.received_from & codes:
            receivers[supplier].append(node.enterprise_code)
    roots = [n.enterprise_code for n in nodes if not (n.received_from & codes)]
    column = dict.fromkeys(roots, 0)
    frontier = roots
    while frontier:
        following = []
        for code in frontier:
            for receiver in sorted(receivers[code]):
                if receiver not in column:
                    column[receiver] = column[code] + 1
                    following.append(receiver)
        frontier = following
    for code in codes - column.keys():  # only in a cycle: draw them after everyone else
        column[code] = max(column.values(), default=-1) + 1
    return column


def boxes_of(nodes: list[HolderNode], limit: int = MAX_NODES) -> list[Box]:
    """Boxes placed in columns and rows; the smallest leaves are merged when there are too many."""
    columns = columns_of(nodes)
    suppliers = {s for n in nodes for s in n.received_from}
    boxes = [Box(n.enterprise_code, n.enterprise_name, n.packs, dict(n.by_status), set(n.received_from)) for n in nodes]
    for box in boxes:
        box.column = columns[box.key]
    if len(boxes) > limit:
        boxes = _merge_small_leaves(boxes, suppliers, limit)
    by_column: dict[int, list[Box]] = defaultdict(list)
    for box in boxes:
        by_column[box.column].append(box)
    placed: dict[str, int] = {}
    for column in sorted(by_column):  # under their first supplier, to keep edges short
        members = by_column[column]
        members.sort(
            key=lambda b: (
                b.merged > 0,
                min((placed[s] for s in b.suppliers if s in placed), default=0),
                -b.packs,
                b.key,
            )
        )
        for row, box in enumerate(members):
            box.row = row
            placed[box.key] = row
    return boxes


def _merge_small_leaves(boxes: list[Box], suppliers: set[str], limit: int) -> list[Box]:
    """Keep every supplier and the largest leaves; merge the other leaves of a column into one box."""
    inner = [b for b in boxes if b.key in suppliers]
    leaves = sorted((b for b in boxes if b.key not in suppliers), key=lambda b: (-b.packs, b.key))
    columns = {b.column for b in leaves}
    room = max(limit - len(inner) - len(columns), 0)
    kept, rest = leaves[:room], leaves[room:]
    merged: dict[int, Box] = {}
    for leaf in rest:
        box = merged.setdefault(leaf.column, Box(f"more-{leaf.column}", "", 0, {}, column=leaf.column))
        box.merged += 1
        box.packs += leaf.packs
        box.suppliers |= leaf.suppliers
        for status, count in leaf.by_status.items():
            box.by_status[status] = box.by_status.get(status, 0) + count
    for box in merged.values():
        box.title = ngettext("%(count)d more holder", "%(count)d more holders", box.merged) % {"count": box.merged}
    return inner + kept + list(merged.values())


def render(nodes: list[HolderNode], status_label: Callable[[str], str]) -> str:
    """The whole picture as an `<svg>` element (UTF-8 text, safe to inline in a page)."""
    boxes = boxes_of(nodes)
    if not boxes:
        return _empty()
    width = MARGIN * 2 + (max(b.column for b in boxes) + 1) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP
    height = MARGIN * 2 + (max(b.row for b in boxes) + 1) * (BOX_HEIGHT + ROW_GAP) - ROW_GAP
    where = {b.key: b for b in boxes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tree" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" data-testid="distribution-tree">',
        f"<title>{escape(_('Distribution of the batch'))}</title>",
        STYLE,
        *_edges(boxes, where),
        *(_box(b, status_label) for b in sorted(boxes, key=lambda b: (b.column, b.row))),
        "</svg>",
    ]
    return "\n".join(parts)


def _empty() -> str:
    text = escape(_("No packs of this batch are visible to you."))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="tree" role="img" width="320" height="60" '
        f'viewBox="0 0 320 60" data-testid="distribution-tree"><title>{text}</title>'
        f'<text x="12" y="34" class="empty">{text}</text></svg>'
    )


def _edges(boxes: Iterable[Box], where: dict[str, Box]) -> list[str]:
    paths = []
    for box in boxes:
        for code in sorted(box.suppliers):
            source = where.get(code)
            if source is None or source is box:
                continue
            x1, y1 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT // 2
            x2, y2 = box.x, box.y + BOX_HEIGHT // 2
            bend = (x2 - x1) // 2 if x2 > x1 else COLUMN_GAP
            paths.append(
                f'<path class="edge" d="M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}" '
                f'data-from="{escape(code)}" data-to="{escape(box.key)}"/>'
            )
    return paths


def _box(box: Box, status_label: Callable[[str], str]) -> str:
    name = box.title if len(box.title) <= NAME_CHARACTERS else box.title[: NAME_CHARACTERS - 1] + "…"
    total = ngettext("%(count)d pack", "%(count)d packs", box.packs) % {"count": box.packs}
    statuses = " · ".join(f"{status_label(s)} {n}" for s, n in sorted(box.by_status.items(), key=lambda i: -i[1]))
    kind = "node merged" if box.merged else ("node" if box.packs else "node empty")
    return (
        f'<g class="{kind}" data-code="{escape(box.key)}"><title>{escape(box.title)} · {escape(total)}</title>'
        f'<rect x="{box.x}" y="{box.y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6"/>'
        f'<text x="{box.x + 10}" y="{box.y + 20}" class="name">{escape(name)}</text>'
        f'<text x="{box.x + 10}" y="{box.y + 39}" class="count">{escape(total)}</text>'
        f'<text x="{box.x + 10}" y="{box.y + 56}" class="statuses">{escape(statuses[:40])}</text></g>'
    )
