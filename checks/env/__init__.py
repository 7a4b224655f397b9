"""Env file and env template checks."""
