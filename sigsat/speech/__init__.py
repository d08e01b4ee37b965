"""The lecture's narrating voice: what it says, and the captions cut from it and timed to it."""
