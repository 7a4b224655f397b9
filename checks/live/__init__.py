"""Live checks: pure functions of a LiveTarget observation (never the network)."""

# Every check in this package judges a live target: repository-only scans need not import it.
TARGET = "live"
