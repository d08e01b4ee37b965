"""The lecture's narrating voice: synthesis and its timings, recordings, the soundtrack, and the
captions cut from the speech."""
