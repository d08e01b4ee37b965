"""Replaying animations without drawing them, frame for frame as manim would draw them.

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


class ReplayRenderer(CairoRenderer):
    """manim's Cairo renderer, which draws only while `drawing` is true."""

    drawing: bool = True

    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        """Play an animation; without drawing, step its frames as manim would, unseen."""
        if self.drawing:
            super().play(scene, *args, **kwargs)
            return
        # CairoRenderer.play, minus the segment writer and the camera.
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
