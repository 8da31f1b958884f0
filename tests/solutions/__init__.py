"""Reference solutions and typical wrong answers of the exercises, and helpers that put them into notebooks."""
