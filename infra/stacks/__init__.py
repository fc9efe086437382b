"""CDK stacks of the e-commerce analytics pipeline (one `PipelineStack` per stage)."""
