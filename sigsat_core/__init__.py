"""The floor between the numbers and the scenes: what a chapter and the application share.

The typed records that cross a boundary (`contract`), the voice and its soundtrack (`speech`),
captions, reading and encoding media (`media`, `encode`), the quality presets (`qualities`),
units and file helpers. It imports `sigsat_math` and libraries only: never `scenes` or `sigsat`.
"""
