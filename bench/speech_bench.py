"""Speech benchmark: how fast a voice synthesises on this machine, and how well `estimate` paces.

Synthesises 20 lecture-like sentences cold (a fresh process: the model is loaded first, and
timed apart) one beat at a time, and prints seconds of speech, seconds of synthesis (wall and
CPU, on one core), the real-time factor, words per minute, and the error of the silent
estimate paced like that voice; then masters the paragraph and muxes it into an MP4, and
prints the loudness at each step. The numbers also go to bench/results/speech-<voice>.json.

    .venv/bin/python bench/speech_bench.py [--voice kokoro|kokoro:NAME|piper]
    .venv/bin/python bench/speech_bench.py --calibrate           # Piper: fit from its alignment
    .venv/bin/python bench/speech_bench.py --voice kokoro --calibrate [--store OUT/.cache/speech]

`--calibrate` prints the duration model of `estimate` for the voice: for Piper its mean
duration per phoneme symbol and per punctuation mark, from its phoneme alignment
(SECONDS_PER_PHONEME and PAUSES in sigsat/speech/engine.py); for Kokoro a least-squares fit of
whole sentences' and beats' durations on the counts of Piper's phonemes, clause marks and
sentences in their text (ESTIMATE in sigsat/speech/kokoro.py), over the 20 sentences and every
beat Kokoro spoke into a speech cache given with --store.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One core: the figures are seconds of CPU per second of speech on one core.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from sigsat.narration import voice_spec  # noqa: E402
from sigsat_core.contract import VoiceSpec  # noqa: E402
from sigsat_core.speech import audio, engine  # noqa: E402
from sigsat_core.speech.engine import CLAUSE_MARKS, Piper, Voice  # noqa: E402
from sigsat_core.speech.factory import estimate_for, make_voice  # noqa: E402
from sigsat_core.speech.kokoro import ONSET, RELEASE, Kokoro  # noqa: E402

SENTENCES = [
    "The sigmoid squashes every input into the range between zero and one.",
    "Its derivative peaks at one quarter, right at the origin, and falls away on both sides.",
    "Far from zero, the curve is almost flat: we say the neuron has saturated.",
    "Now stack five such layers, and multiply their gradients together.",
    "Each factor is at most a quarter; five of them give less than one in a thousand.",
    "That is the vanishing gradient problem.",
    "ReLU keeps a slope of exactly one for every positive input.",
    "So the gradient passes through the network without shrinking, layer by layer.",
    "Picture a ball resting on a wide, flat plateau.",
    "Push it gently, and it barely moves, because the ground gives it nothing to roll down.",
    "On a steep slope, the same push sends it rolling quickly toward the valley.",
    "Gradient descent behaves the same way: a flat loss surface means tiny steps.",
    "Let us work out sigma prime of five exactly.",
    "Sigma of five is about zero point nine nine three, so the derivative is very small.",
    "Compared with the maximum of one quarter, that is less than three percent.",
    "What happens to the update of the first weight when the gradient is this small?",
    "It hardly changes, even after thousands of training steps.",
    "Leaky ReLU lets a small slope through for negative inputs, so no unit dies completely.",
    "ELU and GELU smooth the corner at zero, which some networks train better with.",
    "To sum up: saturation flattens the gradient, depth multiplies the damage, and ReLU avoids both.",
]


def calibrate(voice: Piper) -> None:
    """Mean seconds per phoneme symbol, per punctuation mark and per sentence, from alignments."""
    rate = voice.sample_rate
    per: dict[str, list[int]] = defaultdict(list)
    for sentence in SENTENCES:
        for chunk in voice._voice().synthesize(sentence, voice.synthesis_config(), include_alignments=True):
            assert chunk.phoneme_alignments is not None
            first, *middle, last = chunk.phoneme_alignments
            per["sentence"].append(first.num_samples + last.num_samples)
            for a in middle:
                per[a.phoneme if a.phoneme in CLAUSE_MARKS else "phoneme"].append(a.num_samples)
    spp = statistics.mean(per.pop("phoneme")) / rate
    print(f"SECONDS_PER_PHONEME = {spp:.4f}")
    print("PAUSES = {" + ", ".join(f'"{k}": {statistics.mean(v) / rate:.3f}' for k, v in sorted(per.items()))
          + ', "between": SENTENCE_PAUSE}')
    print("counts:", {k: len(v) for k, v in sorted(per.items())})


def _features(text: str) -> tuple[int, int, int]:
    """Piper's phoneme symbols (marks apart), clause marks and sentences in a text."""
    sentences = engine._default_phonemizer()(text)
    symbols = [p for s in sentences for p in s]
    clauses = sum(p in ",;:" for p in symbols)
    stops = sum(p in ".?!" for p in symbols)
    return len(symbols) - clauses - stops, clauses, len(sentences)


def calibrate_kokoro(voice: Kokoro, store: Path | None) -> None:
    """Least squares: duration - pauses between sentences = a * phonemes + b * clause marks."""
    # Each sentence costs the silence kept around its sounds (ONSET + RELEASE), and the pause
    # between sentences; a free per-sentence term fitted on long beats came out near zero.
    rows = [(s, voice.speak(s).duration) for s in SENTENCES]
    if store is not None:
        for meta in sorted(store.glob("*.json")):
            info = json.loads(meta.read_text(encoding="utf-8"))
            if info.get("voice") == voice.id and info.get("recording") is None and info["text"].strip():
                rows.append((info["text"], float(info["duration"])))
    x, y = [], []
    for text, duration in rows:
        phonemes, clauses, sentences = _features(text)
        x.append([phonemes, clauses])
        y.append(duration - voice.sentence_pause * (sentences - 1) - (ONSET + RELEASE) * sentences)
    a, b = np.array(x, float), np.array(y)
    (spp, clause), *_ = np.linalg.lstsq(a, b, rcond=None)
    errors = (a @ [spp, clause] - b) / np.array([d for _, d in rows])
    print(f"{len(rows)} texts ({len(rows) - len(SENTENCES)} beats from the store)")
    print(f"ESTIMATE = Pacing({spp:.4f}, {{\",\": {clause:.3f}, \";\": {clause:.3f}, \":\": {clause:.3f}, "
          '".": 0.0, "?": 0.0, "!": 0.0, "sentence": ONSET + RELEASE, "between": SENTENCE_PAUSE})')
    print(f"fit: mean |error| {100 * np.mean(np.abs(errors)):.1f} %, worst {100 * np.max(np.abs(errors)):.1f} %")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="kokoro", help="kokoro, kokoro:NAME or piper")
    parser.add_argument("--calibrate", action="store_true", help="print the fitted duration model")
    parser.add_argument("--store", type=Path, default=None, help="a speech cache with more beats to fit on")
    args = parser.parse_args()

    spec: VoiceSpec = voice_spec(args.voice)
    voice: Voice = make_voice(spec)
    started, cpu = time.perf_counter(), _cpu()
    voice.speak("Warm up.")  # loads the model: timed apart from synthesis
    load, load_cpu = time.perf_counter() - started, _cpu() - cpu
    pacing = estimate_for(spec)

    speech_seconds = synth_seconds = synth_cpu = 0.0
    errors: list[float] = []
    for sentence in SENTENCES:
        started, cpu = time.perf_counter(), _cpu()
        speech = voice.speak(sentence)
        synth_seconds += time.perf_counter() - started
        synth_cpu += _cpu() - cpu
        speech_seconds += speech.duration
        errors.append(pacing.speak(sentence).duration / speech.duration - 1)
    paragraph = " ".join(SENTENCES)
    whole_speech = voice.speak(paragraph)
    whole = whole_speech.duration
    guess = pacing.speak(paragraph).duration
    words = len(paragraph.split())

    print(f"voice                 {args.voice}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"model load            {load:8.2f} s  ({load_cpu:.2f} s CPU)")
    print(f"sentences             {len(SENTENCES):8d}")
    print(f"speech                {speech_seconds:8.2f} s")
    print(f"synthesis             {synth_seconds:8.2f} s  ({synth_cpu:.2f} s CPU)")
    print(f"real-time factor      {synth_seconds / speech_seconds:8.3f}  (synthesis s per speech s)")
    print(f"CPU per speech second {synth_cpu / speech_seconds:8.3f}  (one core)")
    print(f"pace                  {words / whole * 60:8.1f} words/min  (as one paragraph)")
    print(f"estimate, paragraph   {guess:8.2f} s vs {whole:.2f} s: {100 * (guess / whole - 1):+.1f} %")
    print(f"estimate, sentences   mean |error| {100 * statistics.mean(map(abs, errors)):.1f} %, "
          f"worst {100 * max(errors, key=abs):+.1f} %")

    duration = whole + 1.0
    track = audio.mix([(0.5, whole_speech.samples)], whole_speech.rate, duration)
    started = time.perf_counter()
    mastered = audio.master(track)
    mastering = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        video, movie = Path(tmp) / "video.mp4", Path(tmp) / "lecture.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=black:size=64x36:rate=30",
                        "-frames:v", str(round(duration * 30)), "-c:v", "libx264", str(video)], check=True)
        started = time.perf_counter()
        audio.mux(video, mastered, movie)
        muxing = time.perf_counter() - started
        loudness = {"raw": audio.measure(track), "mastered": audio.measure(mastered), "mp4": audio.measure(movie)}
    print(f"mastering             {mastering:8.2f} s  for {duration:.1f} s of track; mux {muxing:.2f} s")
    for step, value in loudness.items():
        print(f"loudness, {step:<11} {value.integrated_lufs:6.1f} LUFS  true peak {value.true_peak_dbtp:5.1f} dBTP  "
              f"LRA {value.lra:4.1f} LU")

    results = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load": os.getloadavg()[0]},
        "voice": voice.id, "load_s": load, "load_cpu_s": load_cpu, "speech_s": speech_seconds,
        "synthesis_s": synth_seconds, "synthesis_cpu_s": synth_cpu,
        "real_time_factor": synth_seconds / speech_seconds, "cpu_per_speech_second": synth_cpu / speech_seconds,
        "words_per_minute": words / whole * 60,
        "estimate_paragraph_error": guess / whole - 1,
        "estimate_sentence_mean_abs_error": statistics.mean(map(abs, errors)),
        "mastering_s": mastering, "track_s": duration,
        "loudness": {k: {"integrated_lufs": v.integrated_lufs, "true_peak_dbtp": v.true_peak_dbtp, "lra": v.lra}
                     for k, v in loudness.items()},
    }
    out = ROOT / "bench" / "results" / f"speech-{spec.kind}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.calibrate and isinstance(voice, Piper):
        calibrate(voice)
    elif args.calibrate and isinstance(voice, Kokoro):
        calibrate_kokoro(voice, args.store)


if __name__ == "__main__":
    main()
