"""The one place a voice is made from its spec: `--voice kokoro[:NAME]`, `piper`, `none`, `PATH.onnx`.

Each engine is one module behind `engine.Voice` (speak text -> Speech with its timings, an id
that keys the speech cache). The silent draft (`none`) is the estimate fitted to the default
narrator, so a draft is timed as the lecture will be.
"""

from __future__ import annotations

from pathlib import Path

from ..contract import VoiceSpec
from . import kokoro
from .engine import Estimate, Piper, Voice


def estimate_for(spec: VoiceSpec) -> Estimate:
    """The silent estimate paced like this voice (like the default narrator for `none`)."""
    if spec.kind == "piper":
        return Estimate()
    fit = kokoro.ESTIMATE
    return Estimate(fit.seconds_per_phoneme, dict(fit.pauses), kokoro.RATE)


def make_voice(spec: VoiceSpec) -> Voice:
    """The voice a spec names."""
    if spec.kind == "none":
        return estimate_for(VoiceSpec())
    if spec.kind == "piper":
        return Piper(Path(spec.model) if spec.model else None)
    return kokoro.Kokoro(spec.name or kokoro.DEFAULT_VOICE)


def voice_key(spec: VoiceSpec) -> dict[str, str]:
    """What a chapter's speech depends on, for the render cache: the voice's id (no model is loaded)."""
    return {"kind": spec.kind, "id": make_voice(spec).id}


def credit(spec: VoiceSpec) -> str:
    """Who narrates, as the index page credits it ('' for the silent draft)."""
    if spec.kind == "none":
        return ""
    if spec.kind == "piper":
        name = Path(spec.model).stem if spec.model else "en_US-joe-medium"
        return f"Piper (piper-tts), voice {name}"
    return (f"Kokoro-82M by hexgrad (Apache-2.0), voice {spec.name or kokoro.DEFAULT_VOICE}, "
            "synthesised offline with kokoro-onnx")
