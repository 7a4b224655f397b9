"""The deployment model: which files ship, how each service is built and started.

Built once per project (``Project.deployment``) by :func:`auditor.deploy.build.build_model`;
checks ask it instead of judging every Dockerfile and compose file as production.
"""
