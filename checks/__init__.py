"""Built-in checks, one small module per check (or tight family), grouped by target.

Sub-packages: ``docker`` (Dockerfiles), ``compose``, ``env``, ``live`` (running
services), ``app`` (application source), ``ops`` (CI, backups, docs ...).
"""
