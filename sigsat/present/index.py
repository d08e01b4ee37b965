"""index.html: the whole output folder on one page, opened from disk, no network.

Every chapter with its poster, a player (with captions), its duration and steps, the
parameters it read and the numbers it shows (from the manifest), and links to its clip,
captions, slides and handout pages. Links are relative, styles and the little script inline.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.markup import escape

from sigsat_core.contract import (
    DECK,
    EMBED,
    HANDOUT,
    ContractError,
    Deck,
    DeckChapter,
    Embeds,
    Handout,
    Layout,
    LedgerRow,
)
from sigsat_core.units import clock, size

from ..logger import logger
from ..outputs import write_if_changed
from .lecture import ChapterOut, Lecture, is_current

INDEX = "index.html"
PLAYABLE = {".mp4": "video/mp4", ".webm": "video/webm"}


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _code(name: str) -> str:
    """A dotted name that may break after its dots on a narrow screen."""
    return "<code>" + _e(name).replace(".", ".<wbr>") + "</code>"


def _mine(lecture: Lecture, path: Path | None) -> Path | None:
    """`path` when it is a file inside the lecture's folder; None when it is missing, or a link
    to somewhere outside (the page would link it, or embed a caption file's text)."""
    if path is None or not path.is_file():
        return None
    if not path.resolve().is_relative_to(lecture.root.resolve()):
        logger.warning("%s leads outside %s: left off the index page", escape(str(path)),
                       escape(str(lecture.root)))
        return None
    return path


def _source(lecture: Lecture, path: Path | None) -> str:
    if _mine(lecture, path) is None or path is None:
        return ""
    return f'<source src="{_e(lecture.rel(path))}" type="video/mp4">'


def _link(lecture: Lecture, path: Path | None, label: str) -> str:
    if _mine(lecture, path) is None or path is None:
        return ""
    return f'<a href="{_e(lecture.rel(path))}">{_e(label)}</a>'


@dataclass(frozen=True)
class Made:
    """What the presenting commands made and still shows this lecture, by the records they
    registered; `stale` names what was made from an earlier render (and how to make it again)."""

    decks: dict[str, Deck]
    handouts: dict[str, Handout]
    embeds: Embeds | None
    stale: tuple[str, ...] = ()

    def deck_of(self, slug: str) -> tuple[Deck, DeckChapter] | None:
        """The deck that holds this chapter: the whole lecture's (`lecture`) first."""
        for name in sorted(self.decks, key=lambda n: (n != "lecture", n)):
            deck = self.decks[name]
            row = next((c for c in deck.chapters if c.slug == slug), None)
            if row is not None and deck.html is not None:
                return deck, row
        return None

    def handout(self) -> Handout | None:
        """The handout the steps link to: `handout` first."""
        names = sorted(self.handouts, key=lambda n: (n != "handout", n))
        return self.handouts[names[0]] if names else None


def made(lecture: Lecture) -> Made:
    """The decks, handouts and embeds registered for the folder that are there, split into
    those made from this lecture's chapter clips and those made from an earlier render."""
    embeds = None
    if (path := lecture.extra(EMBED)) is not None:
        try:
            embeds = Embeds.read(path)
        except ContractError:
            embeds = None
    decks = {n: r for n, (_, r) in lecture.records(DECK, Deck).items()}
    handouts = {n: r for n, (_, r) in lecture.records(HANDOUT, Handout).items()}
    stale = [f"slides {n!r} (sigsat slides" + ("" if n == "lecture" else f" --name {n}") + ")"
             for n, r in sorted(decks.items()) if not is_current(lecture, r.made_from)]
    stale += [f"handout {n!r} (sigsat handout" + ("" if n == "handout" else f" --name {n}") + ")"
              for n, r in sorted(handouts.items()) if not is_current(lecture, r.made_from)]
    if embeds is not None and not is_current(lecture, embeds.made_from):
        stale.append("clips for decks (sigsat embed)")
    return Made(
        decks={n: r for n, r in decks.items() if is_current(lecture, r.made_from)},
        handouts={n: r for n, r in handouts.items() if is_current(lecture, r.made_from)},
        embeds=embeds if embeds is not None and is_current(lecture, embeds.made_from) else None,
        stale=tuple(stale),
    )


def _exists(lecture: Lecture, rel: str | None) -> Path | None:
    path = lecture.root / rel if rel else None
    return path if path is not None and path.is_file() else None


def vtt_data_url(path: Path) -> str:
    """A caption file as a `data:` URL: a page opened from disk may not fetch its own
    `file:` captions (Chromium treats each file URL as an origin of its own)."""
    return "data:text/vtt;charset=utf-8;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _track(path: Path | None, label: str = "English") -> str:
    if path is None:
        return ""
    return f'<track kind="captions" srclang="en" label="{_e(label)}" default src="{vtt_data_url(path)}">'


def _numbers(ledger: Sequence[LedgerRow]) -> str:
    if not ledger:
        return "<p class=muted>No numbers on screen.</p>"
    rows = []
    for row in ledger:
        args = ", ".join(str(a) for a in row.args)
        rows.append(
            f"<tr><td>{_e(row.label)}</td><td class=num>{_e(row.text)}</td>"
            f"<td class=muted>{_code(f'{row.func}({args})')}</td></tr>"
        )
    return (
        "<table class=numbers><thead><tr><th>number</th><th>shown</th><th>computed as</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _params(params: Mapping[str, Any]) -> str:
    if not params:
        return "<p class=muted>Reads no parameters.</p>"
    rows = "".join(
        f"<tr><td>{_code(k)}</td><td class=num>{_e(json.dumps(v))}</td></tr>"
        for k, v in sorted(params.items())
    )
    return f"<table class=params><tbody>{rows}</tbody></table>"


def _chapter(lecture: Lecture, c: ChapterOut, what: Made) -> str:
    caps = {ext: p for ext in ("vtt", "srt") if (p := _mine(lecture, c.captions.get(ext)))}
    vid = f"v-{c.slug}"
    poster = f' poster="{_e(lecture.rel(c.poster))}"' if _mine(lecture, c.poster) else ""
    # Browsers play MP4 and WebM clips; for MOV (ProRes) or GIF clips the player shows the
    # chapter's stretch of lecture.mp4 instead, with the lecture's captions.
    mime, src, base, vtt_file = PLAYABLE.get(c.clip.suffix.lower()), c.clip, 0.0, caps.get("vtt")
    fragment = ""
    if mime is None and lecture.movie is not None:
        mime, src, base, vtt_file = "video/mp4", lecture.movie, c.start, _mine(lecture, lecture.captions.get("vtt"))
        fragment = f"#t={c.start:.3f},{c.start + c.duration:.3f}"
    source = (f'<source src="{_e(lecture.rel(src))}{fragment}" type="{mime or "video/mp4"}">'
              if _mine(lecture, src) else "")
    in_deck = what.deck_of(c.slug)
    handout = what.handout()
    pages = {p.section: p for p in handout.pages if p.slug == c.slug} if handout else {}
    label = f"Chapter {c.number}, {c.title}"
    steps = []
    for s in c.sections:
        extra = []
        if in_deck is not None and in_deck[0].html is not None:
            slide = in_deck[1].first_slide + s.index
            extra.append(f'<a href="{_e(in_deck[0].html)}#/{slide}" aria-label="{_e(label)}, '
                         f'step {s.index + 1} as a slide">slide</a>')
        if handout is not None and s.name in pages:
            page = pages[s.name].page
            extra.append(f'<a href="{_e(handout.pdf)}#page={page}">handout p. {page}</a>')
        at = f'data-video="{vid}" data-t="{base + s.start:.3f}"'
        name = f"{label}: play step {s.index + 1}, {s.heading}, from {clock(s.start)}"
        seek = f'<button class=seek {at} aria-label="{_e(name)}">{clock(s.start)}</button>'
        say = f"<span class=say>{_e(' '.join(s.lines))}</span>"
        steps.append(f"<li>{seek} <b>{_e(s.heading)}</b> {' · '.join(extra)}<br>{say}</li>")
    embed = next((e for e in what.embeds.chapters if e.slug == c.slug), None) if what.embeds else None
    links = [
        _link(lecture, c.clip, f"clip ({c.clip.suffix[1:].upper()})"),
        _link(lecture, caps.get("vtt"), "captions (VTT)"),
        _link(lecture, caps.get("srt"), "captions (SRT)"),
        _link(lecture, c.poster, "poster (PNG)"),
        _link(lecture, _exists(lecture, embed.mp4) if embed else None, "MP4 for decks"),
    ]
    if in_deck is not None and in_deck[0].html is not None:
        links.append(f'<a href="{_e(in_deck[0].html)}#/{in_deck[1].first_slide}">slides</a>')
    if handout is not None and pages:
        links.append(f'<a href="{_e(handout.pdf)}#page={min(p.page for p in pages.values())}">handout</a>')
    if embed is not None:
        links += [_link(lecture, _exists(lecture, rel), f"loop: {loop} ({ext.upper()})")
                  for loop, files in embed.loops.items() for ext, rel in files.items()]
    facts = [clock(c.duration), f"{len(c.sections)} steps", size(c.size)]
    if c.sha256:
        facts.append(f'<span title="sha256 {_e(c.sha256)}">sha256 {_e(c.sha256[:12])}</span>')
    if c.cache_key:
        facts.append(f'<span title="cache key {_e(c.cache_key)}">key {_e(str(c.cache_key)[:12])}</span>')
    return f"""
<section class=chapter id="ch-{_e(c.slug)}" data-chapter="{_e(c.slug)}" aria-labelledby="h-{_e(c.slug)}">
  <h2 id="h-{_e(c.slug)}"><span class=n>{c.number}</span> {_e(c.title)} <span class=dur>{clock(c.duration)}</span></h2>
  <div class=grid>
    <div>
      <video id="{vid}" controls preload="metadata" playsinline{poster} aria-label="{_e(label)}">
        {source}{_track(vtt_file)}
      </video>
      <p class=facts>{" · ".join(f for f in facts if f)}</p>
      <p class=links>{" ".join(link for link in links if link)}</p>
    </div>
    <div>
      <h3>Steps</h3><ol class=steps>{"".join(steps)}</ol>
    </div>
  </div>
  <div class=grid>
    <div><h3>Parameters it read</h3><div class=scroll>{_params(c.params)}</div></div>
    <div><h3>Numbers it shows</h3><div class=scroll>{_numbers(c.ledger)}</div></div>
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
html { -webkit-text-size-adjust: 100%; }
body {
  margin:0;
  font:15px/1.5 "DejaVu Sans", system-ui, sans-serif;
  background:var(--bg);
  color:var(--ink);
}
header { background:#101820; color:#eef2f6; padding:1.4rem 2rem; overflow-wrap:anywhere; }
header h1 { margin:0 0 .3rem; font-size:1.7rem; }
header a { color:#9cc3ff; margin-right:1rem; }
header .muted { color:#aab4c0; }
header .stale { color:#f0c674; }
main { max-width:1200px; margin:0 auto; padding:1rem 1.5rem 3rem; }
@media (max-width: 600px) {
  header { padding:1rem; }
  main { padding:.5rem .6rem 2rem; }
  .chapter, .lecture { padding:.8rem .7rem; }
}
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
.grid > div { min-width:0; }
/* A wide table scrolls inside its own box, never the page, and never runs under its neighbour. */
.scroll { overflow-x:auto; max-width:100%; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
video { display:block; width:100%; max-width:100%; aspect-ratio:16/9; background:#000; border-radius:6px; }
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
td.num { font-variant-numeric: tabular-nums; }
/* Text wraps at spaces, names after their dots (<wbr>); a word too long still breaks. */
td { overflow-wrap:break-word; }
nav.toc a { margin-right:.8rem; display:inline-block; }
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
    what = made(lecture)
    root = lecture.root
    total = sum(c.duration for c in lecture.chapters)
    top = [
        _link(lecture, lecture.movie, "lecture (MP4)"),
        _link(lecture, lecture.captions.get("vtt"), "captions (VTT)"),
        _link(lecture, lecture.captions.get("srt"), "captions (SRT)"),
    ]
    for name, deck in sorted(what.decks.items()):
        which = "" if name == "lecture" else f" {name}"
        top += [
            _link(lecture, _exists(lecture, deck.html), f"slides{which} (HTML)"),
            _link(lecture, _exists(lecture, deck.one_file), f"slides{which} (one HTML file)"),
            _link(lecture, _exists(lecture, deck.pptx), f"slides{which} (PPTX)"),
        ]
    for name, handout in sorted(what.handouts.items()):
        which = "" if name == "handout" else f" {name}"
        top.append(_link(lecture, _exists(lecture, handout.pdf), f"handout{which} (PDF, {handout.theme})"))
    top.append(_link(lecture, root / Layout.MANIFEST, "manifest"))
    missing = []
    stale_kinds = {s.split(" ", 1)[0] for s in what.stale}
    if not what.decks and "slides" not in stale_kinds:
        missing.append("slides: <code>sigsat slides</code>")
    if not what.handouts and "handout" not in stale_kinds:
        missing.append("handout: <code>sigsat handout</code>")
    if what.embeds is None and "clips" not in stale_kinds:
        missing.append("clips for decks: <code>sigsat embed</code>")
    lecture_player = ""
    if lecture.movie is not None:
        starts, t = [], 0.0
        for c in lecture.chapters:
            name = f"The whole lecture: play chapter {c.number}, {c.title}, from {clock(t)}"
            starts.append(
                f'<li><button class=seek data-video="v-lecture" data-t="{t:.3f}" aria-label="{_e(name)}">'
                f'{clock(t)}</button> <a href="#ch-{_e(c.slug)}">{_e(c.title)}</a></li>'
            )
            t += c.duration
        first = _mine(lecture, lecture.chapters[0].poster if lecture.chapters else None)
        poster = f' poster="{_e(lecture.rel(first))}"' if first else ""
        lecture_player = f"""
<section class=lecture id=lecture aria-labelledby=h-lecture>
  <h2 id=h-lecture>The whole lecture <span class=dur>{clock(total)}</span></h2>
  <div class=grid>
    <video id=v-lecture controls preload="metadata" playsinline{poster} aria-label="The whole lecture">
      {_source(lecture, lecture.movie)}{_track(_mine(lecture, lecture.captions.get("vtt")))}
    </video>
    <div><h3>Chapters</h3><ol class=steps>{"".join(starts)}</ol></div>
  </div>
</section>"""
    from sigsat_core.speech.factory import credit  # the speech engines load only when a page is written

    narrator = credit(lecture.manifest.voice)
    chapters = [_chapter(lecture, c, what) for c in lecture.chapters]
    stale = (f"<p class=stale>Made from an earlier render, so not linked until made again: "
             f"{_e('; '.join(what.stale))}</p>" if what.stale else "")
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
  <p class=top>{" ".join(link for link in top if link)}</p>
  {"<p class=muted>Not made yet: " + "; ".join(missing) + "</p>" if missing else ""}
  {stale}
  {f"<p class=muted>Narrated by {_e(narrator)}.</p>" if narrator else ""}
</header>
<main>
<nav class=toc aria-label="Chapters">{toc}</nav>
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
