"""Transforms of the Online Retail star schema: staged invoice lines → facts, dimensions and
summaries."""
