"""Checks about the scan itself (files that could not be parsed)."""
