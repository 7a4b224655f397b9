"""Live probes (the only code that touches the network) and their observation model."""
