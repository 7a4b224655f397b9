"""Docker Compose checks."""
