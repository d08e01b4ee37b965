"""index.html: the whole output folder on one page, opened from disk, no network.

Every chapter with its poster, a player (with captions), its duration and steps, the
parameters it read and the numbers it shows (from the manifest), and links to its clip,
captions, slides and handout pages. Links are relative, styles and the little script inline.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..contract import DECK, HANDOUT, SLIDES_HTML, SLIDES_PPTX, Layout, LedgerRow
from ..outputs import write_if_changed
from ..units import clock, size
from .lecture import ChapterOut, Lecture

INDEX = "index.html"
PLAYABLE = {".mp4": "video/mp4", ".webm": "video/webm"}


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _link(lecture: Lecture, path: Path | None, label: str) -> str:
    if path is None or not path.is_file():
        return ""
    return f'<a href="{_e(lecture.rel(path))}">{_e(label)}</a>'


def _deck(lecture: Lecture) -> dict[str, Any]:
    f = lecture.extra(DECK)
    return json.loads(f.read_text(encoding="utf-8")) if f is not None else {}


def _numbers(ledger: Sequence[LedgerRow]) -> str:
    if not ledger:
        return "<p class=muted>No numbers on screen.</p>"
    rows = []
    for row in ledger:
        args = ", ".join(str(a) for a in row.args)
        rows.append(
            f"<tr><td>{_e(row.label)}</td><td class=num>{_e(row.text)}</td>"
            f"<td class=muted><code>{_e(row.func)}({_e(args)})</code></td></tr>"
        )
    return (
        "<table class=numbers><thead><tr><th>number</th><th>shown</th><th>computed as</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _params(params: Mapping[str, Any]) -> str:
    if not params:
        return "<p class=muted>Reads no parameters.</p>"
    rows = "".join(
        f"<tr><td><code>{_e(k)}</code></td><td class=num>{_e(json.dumps(v))}</td></tr>"
        for k, v in sorted(params.items())
    )
    return f"<table class=params><tbody>{rows}</tbody></table>"


def _chapter(lecture: Lecture, c: ChapterOut, deck: dict[str, Any], first_page: int) -> str:
    caps = {ext: p for ext in ("vtt", "srt") if (p := c.captions.get(ext)) and p.is_file()}
    vid = f"v-{c.slug}"
    poster = f' poster="{_e(lecture.rel(c.poster))}"' if c.poster and c.poster.is_file() else ""
    # Browsers play MP4 and WebM clips; for MOV (ProRes) or GIF clips the player shows the
    # chapter's stretch of lecture.mp4 instead, with the lecture's captions.
    mime, src, base, vtt_file = PLAYABLE.get(c.clip.suffix.lower()), c.clip, 0.0, caps.get("vtt")
    fragment = ""
    if mime is None and lecture.movie is not None:
        mime, src, base, vtt_file = "video/mp4", lecture.movie, c.start, lecture.captions.get("vtt")
        fragment = f"#t={c.start:.3f},{c.start + c.duration:.3f}"
    track = ""
    if vtt_file is not None:
        track = f'<track kind="captions" srclang="en" label="English" default src="{_e(lecture.rel(vtt_file))}">'
    source = f'<source src="{_e(lecture.rel(src))}{fragment}" type="{mime or "video/mp4"}">'
    deck_row = next((d for d in deck.get("chapters", []) if d["slug"] == c.slug), None)
    slides_html = lecture.extra(SLIDES_HTML)
    handout = lecture.extra(HANDOUT)
    steps = []
    for s in c.sections:
        extra = []
        if deck_row and slides_html is not None:
            slide = deck_row["first_slide"] + s.index
            extra.append(f'<a href="{_e(lecture.rel(slides_html))}#/{slide}">slide</a>')
        if handout is not None:
            page = first_page + s.index
            extra.append(f'<a href="{_e(lecture.rel(handout))}#page={page}">handout p. {page}</a>')
        at = f'data-video="{vid}" data-t="{base + s.start:.3f}"'
        seek = f"<button class=seek {at}>{clock(s.start)}</button>"
        say = f"<span class=say>{_e(' '.join(s.lines))}</span>"
        steps.append(f"<li>{seek} <b>{_e(s.name)}</b> {' · '.join(extra)}<br>{say}</li>")
    links = [
        _link(lecture, c.clip, f"clip ({c.clip.suffix[1:].upper()})"),
        _link(lecture, caps.get("vtt"), "captions (VTT)"),
        _link(lecture, caps.get("srt"), "captions (SRT)"),
        _link(lecture, c.poster, "poster (PNG)"),
        _link(lecture, lecture.root / Layout.EMBED / f"{c.stem}.mp4", "MP4 for decks"),
    ]
    if deck_row and slides_html is not None:
        links.append(f'<a href="{_e(lecture.rel(slides_html))}#/{deck_row["first_slide"]}">slides</a>')
    if handout is not None:
        links.append(f'<a href="{_e(lecture.rel(handout))}#page={first_page}">handout</a>')
    links += [
        _link(lecture, lecture.root / Layout.EMBED / f"loop-{loop.name}.{ext}", f"loop: {loop.name} ({ext.upper()})")
        for loop in c.loops for ext in ("gif", "mp4")
    ]
    facts = [clock(c.duration), f"{len(c.sections)} steps", size(c.size)]
    if c.sha256:
        facts.append(f'<span title="sha256 {_e(c.sha256)}">sha256 {_e(c.sha256[:12])}</span>')
    if c.cache_key:
        facts.append(f'<span title="cache key {_e(c.cache_key)}">key {_e(str(c.cache_key)[:12])}</span>')
    return f"""
<section class=chapter id="ch-{_e(c.slug)}" data-chapter="{_e(c.slug)}">
  <h2><span class=n>{c.number}</span> {_e(c.title)} <span class=dur>{clock(c.duration)}</span></h2>
  <div class=grid>
    <div>
      <video id="{vid}" controls preload="metadata" playsinline{poster}>
        {source}{track}
      </video>
      <p class=facts>{" · ".join(f for f in facts if f)}</p>
      <p class=links>{" ".join(link for link in links if link)}</p>
    </div>
    <div>
      <h3>Steps</h3><ol class=steps>{"".join(steps)}</ol>
    </div>
  </div>
  <div class=grid>
    <div><h3>Parameters it read</h3>{_params(c.params)}</div>
    <div><h3>Numbers it shows</h3>{_numbers(c.ledger)}</div>
  </div>
</section>"""


CSS = """
:root {
  --bg:#f6f7f9;
  --card:#fff;
  --ink:#141820;
  --muted:#5f6b7a;
  --accent:#2266cc;
  --line:#dde2e8;
}
* { box-sizing: border-box; }
body {
  margin:0;
  font:15px/1.5 "DejaVu Sans", system-ui, sans-serif;
  background:var(--bg);
  color:var(--ink);
}
header { background:#101820; color:#eef2f6; padding:1.4rem 2rem; }
header h1 { margin:0 0 .3rem; font-size:1.7rem; }
header a { color:#9cc3ff; margin-right:1rem; }
header .muted { color:#aab4c0; }
main { max-width:1200px; margin:0 auto; padding:1rem 1.5rem 3rem; }
.chapter, .lecture {
  background:var(--card);
  border:1px solid var(--line);
  border-radius:10px;
  padding:1rem 1.3rem;
  margin:1.2rem 0;
}
h2 { margin:.2rem 0 .8rem; font-size:1.3rem; }
h2 .n {
  display:inline-block;
  min-width:1.8em;
  padding:0 .4em;
  border-radius:6px;
  background:var(--accent);
  color:#fff;
  text-align:center;
}
h2 .dur { color:var(--muted); font-weight:normal; font-size:1rem; }
h3 {
  font-size:1rem;
  margin:.6rem 0 .4rem;
  color:var(--muted);
  text-transform:uppercase;
  letter-spacing:.04em;
}
.grid { display:grid; grid-template-columns: minmax(0,1.2fr) minmax(0,1fr); gap:1.3rem; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
video { width:100%; aspect-ratio:16/9; background:#000; border-radius:6px; }
.facts, .muted { color:var(--muted); font-size:.9rem; }
.links a {
  display:inline-block;
  margin:0 .5rem .3rem 0;
  padding:.1rem .5rem;
  border:1px solid var(--line);
  border-radius:5px;
  text-decoration:none;
  color:var(--accent);
  font-size:.9rem;
}
.missing { color:var(--muted); font-size:.9rem; }
ol.steps { margin:0; padding-left:1.2rem; }
ol.steps li { margin-bottom:.5rem; }
ol.steps .say { color:var(--muted); font-size:.9rem; }
button.seek {
  font:inherit;
  font-size:.8rem;
  padding:0 .35rem;
  border:1px solid var(--line);
  border-radius:4px;
  background:#eef3fb;
  color:var(--accent);
  cursor:pointer;
}
table { border-collapse:collapse; width:100%; font-size:.9rem; }
td, th {
  text-align:left;
  padding:.2rem .5rem;
  border-bottom:1px solid var(--line);
  vertical-align:top;
}
td.num { font-variant-numeric: tabular-nums; white-space:nowrap; }
nav.toc a { margin-right:.8rem; }
"""

SCRIPT = """
document.querySelectorAll('button.seek').forEach(function (b) {
  b.addEventListener('click', function () {
    var v = document.getElementById(b.dataset.video);
    v.currentTime = parseFloat(b.dataset.t); v.play();
  });
});
"""


def write_index(lecture: Lecture) -> Path:
    """OUT/<quality>/index.html for what is in the folder now; written again by every command."""
    deck = _deck(lecture)
    root = lecture.root
    total = sum(c.duration for c in lecture.chapters)
    top = [
        _link(lecture, lecture.movie, "lecture (MP4)"),
        _link(lecture, lecture.captions.get("vtt"), "captions (VTT)"),
        _link(lecture, lecture.captions.get("srt"), "captions (SRT)"),
        _link(lecture, lecture.extra(SLIDES_HTML), "slides (HTML)"),
        _link(lecture, lecture.extra(SLIDES_PPTX), "slides (PPTX)"),
        _link(lecture, lecture.extra(HANDOUT), "handout (PDF)"),
        _link(lecture, root / Layout.MANIFEST, "manifest"),
    ]
    missing = []
    if not deck:
        missing.append("slides: <code>sigsat slides</code>")
    if lecture.extra(HANDOUT) is None:
        missing.append("handout: <code>sigsat handout</code>")
    if not (root / Layout.EMBED).is_dir():
        missing.append("clips for decks: <code>sigsat embed</code>")
    lecture_player = ""
    if lecture.movie is not None:
        track = (
            (f'<track kind="captions" srclang="en" label="English" src="{_e(lecture.rel(lecture.captions["vtt"]))}">')
            if "vtt" in lecture.captions
            else ""
        )
        starts, t = [], 0.0
        for c in lecture.chapters:
            starts.append(
                f'<li><button class=seek data-video="v-lecture" data-t="{t:.3f}">'
                f'{clock(t)}</button> <a href="#ch-{_e(c.slug)}">{_e(c.title)}</a></li>'
            )
            t += c.duration
        first = lecture.chapters[0].poster if lecture.chapters else None
        poster = f' poster="{_e(lecture.rel(first))}"' if first and first.is_file() else ""
        lecture_player = f"""
<section class=lecture id=lecture>
  <h2>The whole lecture <span class=dur>{clock(total)}</span></h2>
  <div class=grid>
    <video id=v-lecture controls preload="metadata" playsinline{poster}>
      <source src="{_e(lecture.rel(lecture.movie))}" type="video/mp4">{track}
    </video>
    <div><h3>Chapters</h3><ol class=steps>{"".join(starts)}</ol></div>
  </div>
</section>"""
    chapters, page = [], 1
    for c in lecture.chapters:
        chapters.append(_chapter(lecture, c, deck, page))
        page += len(c.sections)
    toc = " ".join(f'<a href="#ch-{_e(c.slug)}">{c.number}. {_e(c.title)}</a>' for c in lecture.chapters)
    page_html = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(lecture.title)}: everything rendered</title>
<style>{CSS}</style>
</head>
<body>
<header>
  <h1>{_e(lecture.title)}</h1>
  <p class=muted>{len(lecture.chapters)} chapters · {clock(total)} · {_e(lecture.quality)}</p>
  <p>{" ".join(link for link in top if link)}</p>
  {"<p class=muted>Not made yet: " + "; ".join(missing) + "</p>" if missing else ""}
</header>
<main>
<nav class=toc>{toc}</nav>
{lecture_player}
{"".join(chapters)}
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""
    out = root / INDEX
    write_if_changed(out, page_html)
    return out
