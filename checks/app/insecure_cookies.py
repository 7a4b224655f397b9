"""Session and CSRF cookies sent over plain HTTP (Django).

## What it checks
A Django service whose production settings never set `SESSION_COOKIE_SECURE` (with
`SessionMiddleware` in `MIDDLEWARE`) or `CSRF_COOKIE_SECURE` (with `CsrfViewMiddleware`, and
unless `CSRF_USE_SESSIONS` keeps the token in the session), or set either to `False`. Both default
to `False`; `manage.py check --deploy` warns about them (security.W012, security.W016). Any
value the settings compute (`env.bool(...)`, `not DEBUG`, `SITE_ROOT.startswith("https")`)
counts as set: the operator decides, and so does a value set under a module-level `if` or
`try` (`if not DEBUG:`) or in a class-based settings class. Settings modules for development or tests (`dev.py`,
`local.py`, `test.py` ...) are not production.

## Why it matters
Without the `Secure` attribute the browser also sends the session cookie over plain HTTP: one
request to `http://` (a typed address, an old link, a published container port) hands the
session to anyone on the network path, and a TLS proxy in front does not add the attribute.

## How to fix
```python django
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# or, for a product that is also run on plain HTTP on a LAN:
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SITE_ROOT.startswith("https://")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules

_SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"
_CSRF = "django.middleware.csrf.CsrfViewMiddleware"


@check(id="APP-INSECURE-COOKIES", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=0.5, passed="Session and CSRF cookies marked Secure")
def insecure_cookies(project: Project) -> Iterator[Finding]:
    """One finding per Django service whose session or CSRF cookie may travel over plain HTTP."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        if service.framework != "django":
            continue
        middleware = rules.django_middleware(index, service)
        wanted = []
        if _SESSIONS in middleware:
            wanted.append("SESSION_COOKIE_SECURE")
        if _CSRF in middleware and not _production_value(index, service, "CSRF_USE_SESSIONS"):
            wanted.append("CSRF_COOKIE_SECURE")
        if not wanted:
            continue
        judged = True
        unset = [name for name in wanted if not _production_value(index, service, name)]
        if not unset:
            continue
        anchor = rules.setting(index, service, "MIDDLEWARE")
        explicit = [name for name in unset if rules.setting(index, service, name) is not None]
        how = "set to False" if explicit and len(explicit) == len(unset) else "never set (Django defaults to False)"
        yield Finding(
            message=f"{service.name} (django): {' and '.join(unset)} {how} in its production settings, so the "
                    "browser also sends these cookies over plain HTTP",
            location=Location(anchor[0].path, anchor[2]) if anchor else rules.entry(service),
            key=f"{service.name}:cookies",
        )
    if not judged:
        raise NotApplicable("no Django service issuing session or CSRF cookies")


def _production_value(index: rules.SourceIndex, service: rules.Service, name: str) -> bool:
    """True when production settings set ``name`` to anything but a literal false value.

    A computed value (``env.bool(...)``, ``not DEBUG``) is the operator's choice and counts as set;
    a value found only in a development or test settings module does not reach production.
    """
    if any(name in sf.guarded_names and not rules.is_dev_settings(sf.path) for sf in index.files_of(service)):
        return True  # set under ``if not DEBUG:`` or in a settings class: on the production path
    found = rules.setting(index, service, name)
    if found is None or rules.is_dev_settings(found[0].path):
        return False
    settings_file, _literal, line = found
    value = next((a.value for a in settings_file.assignments if a.name == name and a.line == line), "")
    return value.strip() not in {"False", "None", "0", "''", '""'}
