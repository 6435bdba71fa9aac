"""The attempt stages: what happens around one upstream call (their order is written in
`llmrouter.pipeline.build`)."""
