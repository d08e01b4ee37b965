"""Speech benchmark: how fast the voice synthesises on this machine, and how well `estimate` paces.

Synthesises 20 lecture-like sentences cold (a fresh process: the model is loaded first, and
timed apart) one beat at a time, and prints seconds of speech, seconds of synthesis, the
real-time factor, words per minute, and the error of the silent estimate against the voice;
then masters the paragraph and muxes it into an MP4, and prints the loudness at each step.
The numbers also go to bench/results/speech.json.

    .venv/bin/python bench/speech_bench.py              # the benchmark
    .venv/bin/python bench/speech_bench.py --calibrate  # also the duration model fitted to the voice

`--calibrate` prints SECONDS_PER_PHONEME and PAUSES for sigsat/speech/engine.py: the voice's
mean duration per phoneme symbol and per punctuation mark, from its phoneme alignment.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sigsat_core.speech import audio  # noqa: E402
from sigsat_core.speech.engine import CLAUSE_MARKS, LENGTH_SCALE, Piper, estimate  # noqa: E402

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


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="print the fitted duration model")
    args = parser.parse_args()

    voice = Piper()
    started = time.perf_counter()
    voice.speak("Warm up.")  # loads the model: timed apart from synthesis
    load = time.perf_counter() - started

    speech_seconds = synth_seconds = 0.0
    errors: list[float] = []
    for sentence in SENTENCES:
        started = time.perf_counter()
        speech = voice.speak(sentence)
        synth_seconds += time.perf_counter() - started
        speech_seconds += speech.duration
        errors.append(estimate(sentence).duration / speech.duration - 1)
    paragraph = " ".join(SENTENCES)
    whole_speech = voice.speak(paragraph)
    whole = whole_speech.duration
    guess = estimate(paragraph).duration
    words = len(paragraph.split())

    print(f"model load            {load:8.2f} s")
    print(f"sentences             {len(SENTENCES):8d}")
    print(f"speech                {speech_seconds:8.2f} s")
    print(f"synthesis             {synth_seconds:8.2f} s")
    print(f"real-time factor      {synth_seconds / speech_seconds:8.3f}  (synthesis s per speech s)")
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
        "length_scale": LENGTH_SCALE, "load_s": load, "speech_s": speech_seconds, "synthesis_s": synth_seconds,
        "real_time_factor": synth_seconds / speech_seconds, "words_per_minute": words / whole * 60,
        "estimate_paragraph_error": guess / whole - 1,
        "estimate_sentence_mean_abs_error": statistics.mean(map(abs, errors)),
        "mastering_s": mastering, "track_s": duration,
        "loudness": {k: {"integrated_lufs": v.integrated_lufs, "true_peak_dbtp": v.true_peak_dbtp, "lra": v.lra}
                     for k, v in loudness.items()},
    }
    out = ROOT / "bench" / "results" / "speech.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    if args.calibrate:
        calibrate(voice)


if __name__ == "__main__":
    main()
