"""Tests for gating: baselines, suppressions, configuration, init, diff, the Action and pre-commit."""
