"""Data package: the JSON Schema of the JSON report (report.schema.json)."""
