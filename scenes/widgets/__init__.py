"""Shared pieces every chapter is built from, by purpose; import from the module that has them.

- `text`: colours, text, formulas, numbers bound to a Quantity, titles, captions, paragraphs,
  tables and formula cards (the base every other module builds on)
- `curves`: activation axes and plots, tangents, zones, marks, mini plots, stacked plots
- `bars`: bars to scale, log axes and decades, the layer stack and its pulse
- `ball`: the ball of the analogy, the surfaces it rests on, insets, pushes
- `icons`: small pictures that recall a chapter (the ball, shrinking bars, variants, a neuron)
- `variants`: the ReLU chapter's pictures: ReLU's variants side by side, a unit's card, reasons
  with their pictures (measured sparsity, loss curves, spike trains), z labels spread apart

Builders are `get_*` functions returning mobjects coloured from the current theme. Numbers only
enter through a sigsat_math Quantity: `NumberTex` refuses a literal.
"""
