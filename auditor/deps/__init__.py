"""Dependency vulnerability auditing: lockfile parsing, OSV (Node) and pip-audit (Python) lookups.

This is a probe: it touches the network, so the engine runs it before the
checks, stores a :class:`~auditor.deps.model.DepsObservation` per ecosystem in
``Project.dependency_observations``, and the ``DEPS-*`` checks judge those observations.
"""
