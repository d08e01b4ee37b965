"""Where sigsat leans on manim's internals: each shim here names what it copies or overrides.

Every shim was written against manim 0.22.0 (`WRITTEN_AGAINST`); pyproject.toml pins manim to that
minor version, and tests/scenes/test_upstream.py fails when the installed manim, or the source of
a method copied here, is not the one these were written against.

Replaying animations without drawing them, frame for frame as manim would draw them.

A chapter renders in parts (sigsat.render): each part draws its own sections and replays the
ones before it. manim's own skip mode (`-n START,END`, `next_section(skip_animations=True)`)
jumps an animation to its end in one step: updaters get one large `dt` instead of one per
frame, the scene's clock advances by the animation's run time rather than by whole frames, and
the mobjects' last update is left out; so what comes after a skipped stretch can differ from a
whole render. This renderer keeps everything manim does per frame (interpolation, updaters,
the clock in whole frames) and leaves out the drawing of each frame and the writing, so the
sections a part draws are the frames a whole render draws (tests/render/test_render_parts.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from manim import Mobject
from manim.renderer.cairo_renderer import CairoRenderer

WRITTEN_AGAINST = "0.22.0"
# sha256 of the source (inspect.getsource) of each manim method a shim here copies or replaces,
# as it was in WRITTEN_AGAINST: a change upstream means the shim must be read again.
COPIED_SOURCES = {
    "manim.renderer.cairo_renderer.CairoRenderer.play":
        "5affbe0f311d60998ea09f67f9bf8c9b5355c04df1aff90808c3be85ea64e4a8",
    "manim.renderer.cairo_renderer.CairoRenderer.render":
        "924e3bd668b26dc0fa7858fe665063b8a6a36284c555fbf6867ece61d1c08d74",
    "manim.scene.scene_file_writer.SceneFileWriter.combine_to_movie":
        "977e8c873f6f9dbefdb7ce8b0e50ce4034f5424962f9d74e2cbd114fc7a73af6",
}


class ReplayRenderer(CairoRenderer):
    """manim's Cairo renderer, which draws only while `drawing` is true."""

    drawing: bool = True

    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        """Play an animation; without drawing, step its frames as manim would, unseen."""
        if self.drawing:
            super().play(scene, *args, **kwargs)
            return
        # CairoRenderer.play of manim 0.22.0, minus the segment writer and the camera; it reads
        # the renderer's private _original_skipping_status as play does.
        self.skip_animations = self._original_skipping_status
        self.update_skipping_status()
        scene.compile_animation_data(*args, **kwargs)
        self.file_writer.add_partial_movie_file(None)
        self.animations_hashes.append(None)
        scene.begin_animations()
        # Kept, though nothing is written: drawing the still mobjects can change them (a
        # replay without it drew the sigmoid chapter's derivation 1 level off in 3 frames).
        # One drawing per animation, not per frame.
        self.save_static_frame_data(scene, scene.static_mobjects)
        if scene.is_current_animation_frozen_frame():
            # freeze_current_frame adds int(duration / dt) frames in one step.
            dt = 1 / self.camera.frame_rate
            self.time += int(scene.duration / dt) * dt
        else:
            scene.play_internal()
        self.num_plays += 1

    def render(self, scene: Any, time: float, moving_mobjects: Iterable[Mobject] | None = None) -> None:
        """Draw a frame; without drawing, only move the clock one frame as add_frame does."""
        if self.drawing:
            super().render(scene, time, moving_mobjects)
            return
        self.time += 1 * (1 / self.camera.frame_rate)


def without_whole_movie(scene: Any) -> None:
    """Keep manim from joining the scene's segments into one movie (the renderer joins parts).

    Replaces SceneFileWriter.combine_to_movie (manim 0.22.0) on this scene's writer only.
    """
    scene.renderer.file_writer.combine_to_movie = lambda: None
