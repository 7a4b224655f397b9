"""Live checks: pure functions of a LiveTarget observation (never the network)."""
