"""Dependency vulnerability checks."""
