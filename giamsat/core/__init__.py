"""The floor every stage may import: data model, profile, code lists and labels, errors, settings,
text keys, time helpers, shipped-file locations. It imports no stage."""
