"""The story drawn as a picture for a bug report: SVG (or an HTML page holding it and the text).

One lane per container and one per probe that failed; probe failures are marks on their lane,
starts are green lines, kills red, back-offs orange, exits dark lines; the pod's Ready periods are
a bar on the top lane. Text is escaped; nothing is fetched from anywhere.
"""

from __future__ import annotations

from html import escape

from podlab.insight.story import Story

LANE = 28
LEFT = 190
WIDTH = 900
COLOURS = {"Started": "#2e7d32", "Killing": "#c62828", "BackOff": "#ef6c00", "Unhealthy": "#d32f2f"}


def svg(story: Story) -> str:
    lanes: list[tuple[str, str, str]] = [("Ready", "", "")]  # (label, container, probe kind)
    for name in story.container_names():
        lanes.append((name, name, ""))
        kinds = sorted(
            {
                e.message.split(" ", 1)[0]
                for e in story.entries
                if e.container == name and e.reason == "Unhealthy"
            }
        )
        lanes.extend((f"{name} {k.lower()}", name, k) for k in kinds)
    end = max([e.t for e in story.entries] + [t for t, _ in story.readiness] + [1.0]) * 1.05
    height = LANE * (len(lanes) + 2)

    def x(t: float) -> float:
        return LEFT + (WIDTH - LEFT - 20) * t / end

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(f'pod/{story.name}: {story.cause()}')}</title>",
    ]
    for i, (label, _, _) in enumerate(lanes):
        y = LANE * (i + 1)
        parts.append(f'<text x="8" y="{y + 4}">{escape(label)}</text>')
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - 20}" y2="{y}" stroke="#ccc"/>')
    ready_from: float | None = None
    for t, ready in [*story.readiness, (end, False)]:
        if ready and ready_from is None:
            ready_from = t
        elif not ready and ready_from is not None:
            parts.append(
                f'<rect x="{x(ready_from):.1f}" y="{LANE - 5}" width="{max(1.0, x(t) - x(ready_from)):.1f}" '
                'height="10" fill="#81c784"/>'
            )
            ready_from = None
    for e in story.entries:
        for i, (_, container, kind) in enumerate(lanes):
            if not container or container != e.container:
                continue
            y = LANE * (i + 1)
            tip = escape(f"{story.at(e.t)} {e.reason}: {e.message}")
            if kind and e.reason == "Unhealthy" and e.message.startswith(kind):
                parts.append(
                    f'<circle cx="{x(e.t):.1f}" cy="{y}" r="4" fill="{COLOURS["Unhealthy"]}"><title>{tip}</title></circle>'
                )
            elif not kind and e.reason in ("Started", "Killing", "BackOff"):
                parts.append(
                    f'<line x1="{x(e.t):.1f}" y1="{y - 9}" x2="{x(e.t):.1f}" y2="{y + 9}" stroke="{COLOURS[e.reason]}" '
                    f'stroke-width="2"><title>{tip}</title></line>'
                )
    for name, exits in story.exits.items():
        for i, (_, container, kind) in enumerate(lanes):
            if container == name and not kind:
                for t, code, reason in exits:
                    tip = escape(f"{story.at(t)} exited {code} ({reason})")
                    parts.append(
                        f'<rect x="{x(t) - 3:.1f}" y="{LANE * (i + 1) - 6}" width="6" height="12" fill="#333"><title>{tip}</title></rect>'
                    )
    axis = LANE * (len(lanes) + 1)
    for k in range(6):
        t = end * k / 5
        parts.append(
            f'<text x="{x(t):.1f}" y="{axis + 4}" text-anchor="middle" fill="#555">{escape(story.at(t))}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def html(story: Story) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape('pod/' + story.name)}</title></head><body>\n"
        f"<h1>{escape('pod/' + story.name)}</h1>\n<p>{escape(story.cause())}</p>\n"
        f"{svg(story)}\n<pre>{escape(story.text())}</pre>\n</body></html>\n"
    )
