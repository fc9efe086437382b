"""Pure DataFrame transforms: each takes DataFrames and returns a DataFrame; no I/O."""
