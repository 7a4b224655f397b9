"""Dockerfile checks (multi-stage aware: runtime properties judged on the final stage)."""
