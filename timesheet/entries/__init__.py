"""Time entries: the model, the Notion schema, the store, refs people paste, input checks,
typed durations and times."""
