"""The lecture's narrating voice: synthesis, timings, recordings, the soundtrack."""
