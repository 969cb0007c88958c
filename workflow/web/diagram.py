"""The procedure diagram as SVG, laid out from the mermaid text that states/machine.py generates from the
transition table, so the picture changes whenever the table does and is never drawn by hand.

Layout: the longest chain of stages runs top to bottom; a stage that many stages lead to (`dropped`) stands to
the right, level with the middle of the stages that lead to it.
"""

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from workflow.web.i18n import STAGES, STEPS, pick

START = "[*]"
EDGE = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)\s*(?::\s*(\S+))?\s*$")
FAN_IN = 3  # a stage reached from this many stages is drawn beside the chain
BOX_W, BOX_H, ROW, TOP = 240, 46, 86, 24
MAIN_X, SIDE_X = 150, 560


@dataclass(frozen=True)
class Edge:
    source: str
    dest: str
    step: str


def parse(mermaid: str) -> tuple[list[Edge], set[str]]:
    """The edges between stages, and the terminal stages (those with `--> [*]`)."""
    edges, terminal = [], set()
    for line in mermaid.splitlines()[1:]:
        match = EDGE.match(line)
        if not match:
            continue
        source, dest, step = match.groups()
        if dest == START:
            terminal.add(source)
        else:
            edges.append(Edge(source, dest, step or ""))
    return edges, terminal


def _ranks(edges: list[Edge]) -> dict[str, int]:
    """Longest-path rank from the start, for a graph without cycles (the procedure only moves forward)."""
    ranks = {START: 0}
    for _ in range(len(edges) + 1):
        changed = False
        for e in edges:
            if e.source in ranks and ranks.get(e.dest, -1) < ranks[e.source] + 1:
                ranks[e.dest] = ranks[e.source] + 1
                changed = True
        if not changed:
            break
    return ranks


def _positions(edges: list[Edge]) -> dict[str, tuple[float, float]]:
    ranks = _ranks(edges)
    fan_in: dict[str, int] = {}
    for e in edges:
        fan_in[e.dest] = fan_in.get(e.dest, 0) + 1
    side = {n for n, count in fan_in.items() if count >= FAN_IN}
    pos = {n: (float(MAIN_X), float(TOP + r * ROW)) for n, r in ranks.items() if n not in side}
    for i, node in enumerate(sorted(side)):
        ys = [pos[e.source][1] for e in edges if e.dest == node and e.source in pos]
        pos[node] = (float(SIDE_X + i * (BOX_W + 60)), sum(ys) / len(ys) if ys else float(TOP))
    return pos


def _box(node: str, x: float, y: float, terminal: bool, lang: str) -> str:
    left, top = x - BOX_W / 2, y - BOX_H / 2
    parts = [f'<g class="stage" id="stage-{escape(node)}"><rect x="{left}" y="{top}" width="{BOX_W}" '
             f'height="{BOX_H}" rx="8"/>']
    if terminal:
        parts.append(f'<rect class="inner" x="{left + 4}" y="{top + 4}" width="{BOX_W - 8}" height="{BOX_H - 8}" '
                     'rx="6"/>')
    parts.append(f'<text x="{x}" y="{y - 3}" class="label">{escape(pick(STAGES, node, lang))}</text>'
                 f'<text x="{x}" y="{y + 13}" class="code">{escape(node)}</text></g>')
    return "".join(parts)


def _edge(e: Edge, pos: dict[str, tuple[float, float]], lang: str) -> str:
    (x1, y1), (x2, y2) = pos[e.source], pos[e.dest]
    label = escape(pick(STEPS, e.step, lang)) if e.step else ""
    title = f"<title>{escape(e.step)}</title>"
    if e.source == START:
        return (f'<g class="edge">{title}<circle class="start" cx="{x1}" cy="{y1}" r="8"/>'
                f'<line x1="{x1}" y1="{y1 + 8}" x2="{x2}" y2="{y2 - BOX_H / 2}" marker-end="url(#arrow)"/>'
                f'<text x="{x1 + 14}" y="{(y1 + y2) / 2 + 4}" class="step">{label}</text></g>')
    if x1 == x2:
        return (f'<g class="edge">{title}<line x1="{x1}" y1="{y1 + BOX_H / 2}" x2="{x2}" y2="{y2 - BOX_H / 2}" '
                f'marker-end="url(#arrow)"/><text x="{x1 + 10}" y="{(y1 + y2) / 2 + 4}" class="step">{label}'
                "</text></g>")
    sx, tx = x1 + BOX_W / 2, x2 - BOX_W / 2
    return f'<g class="edge side">{title}<line x1="{sx}" y1="{y1}" x2="{tx}" y2="{y2}" marker-end="url(#arrow)"/></g>'


def _side_label(node: str, edges: list[Edge], pos: dict[str, tuple[float, float]], lang: str) -> str:
    """The steps leading into a stage beside the chain, written once above it instead of on every line."""
    steps = dict.fromkeys(e.step for e in edges if e.dest == node and e.step)
    x, y = pos[node]
    return (f'<text x="{x}" y="{y - BOX_H / 2 - 10}" class="step side-label">'
            f'{escape(" / ".join(pick(STEPS, s, lang) for s in steps))}</text>')


def svg(mermaid: str, lang: str = "vi") -> str:
    """An inline SVG of the mermaid state diagram, with labels in `lang`."""
    edges, terminal = parse(mermaid)
    pos = _positions(edges)
    width = max(x for x, _ in pos.values()) + BOX_W / 2 + 20
    height = max(y for _, y in pos.values()) + BOX_H / 2 + 20
    body = [_edge(e, pos, lang) for e in edges]
    body += [_box(n, x, y, n in terminal, lang) for n, (x, y) in pos.items() if n != START]
    body += [_side_label(n, edges, pos, lang) for n, (x, _) in pos.items() if x != MAIN_X]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img" aria-label="ketnap procedure">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>'
            + "".join(body) + "</svg>")
