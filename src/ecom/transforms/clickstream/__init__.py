"""Transforms of the clickstream star schema: staged events → facts, dimensions, summaries."""
