"""Application source checks (Node/TypeScript and Python services)."""
