"""Operational documentation checks: runbook, incident response, disaster recovery, security and privacy policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.data import database_evidence, migration_files
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.repo_docs import anchor, doc_heading, find_doc


def _require_service(project: Project) -> None:
    if not (project.dockerfile_paths or project.compose_paths):
        raise NotApplicable("no deployable service found")


@check(id="DOCS-RUNBOOK", organisational=True, severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=4,
       passed="Operations runbook documented")
def runbook(project: Project) -> Iterator[Finding]:
    """No runbook.

    ## What it checks
    A runbook or operations guide exists: a file named so (`RUNBOOK.md`,
    `docs/runbook*`, `docs/operations*`, `docs/playbook*`), or a heading in
    any documentation (docs folders, documentation sites in Markdown, MDX or
    reStructuredText, the README) on operating, production deployment,
    self-hosting, upgrading or getting updates, maintenance or troubleshooting.

    ## Why it matters
    At 3 a.m. the person on call needs the commands to check status, read
    logs, restart, restore a backup and roll back, written down and tested.

    ## How to fix
    Write `docs/runbook.md` with the common operations, the restore written
    for your database.

    ```markdown
    # Runbook
    ## Check status
    curl -fsS https://example.org/ready
    docker compose ps && docker compose logs --since 15m app
    ## Roll back
    APP_TAG=<previous> docker compose up -d app
    ## Restore the database
    (the restore command for your database, tested every quarter)
    ```
    ```markdown sqlite
    # Runbook
    ## Check status
    curl -fsS https://example.org/ready
    ## Roll back
    APP_TAG=<previous> docker compose up -d app
    ## Restore the database (SQLite)
    docker compose stop app
    gpg -d /backups/app_<stamp>.db.gz.gpg | gunzip > ./data/app.db   # or: litestream restore -o ./data/app.db s3://bucket/app.db
    sqlite3 ./data/app.db "PRAGMA integrity_check;"
    docker compose start app
    ```
    ```markdown postgres
    # Runbook
    ## Check status
    curl -fsS https://example.org/ready
    ## Roll back
    APP_TAG=<previous> docker compose up -d app
    ## Restore the database (PostgreSQL)
    gpg -d /backups/app_<stamp>.dump.gpg | pg_restore --clean --no-owner --dbname "$DATABASE_URL"
    ```
    ```markdown mysql
    # Runbook
    ## Restore the database (MySQL)
    gpg -d /backups/app_<stamp>.sql.gz.gpg | gunzip | mysql app
    ```
    """
    _require_service(project)
    if find_doc(project, "runbook", "operations", "playbook", "ops.md") or doc_heading(project, _RUNBOOK):
        return
    yield Finding("no runbook for operating the service (no document or heading on operating, deploying to "
                  "production, upgrading or troubleshooting)", anchor(project), key="runbook")


_RUNBOOK = (r"\b(runbook|operations|operating|troubleshoot\w*|in production|production (deployment|setup|"
            r"checklist|guide)|deploy(ing|ment)? (to|in) production|self[- ]?host\w*|upgrad\w+|updates|updating|"
            r"maintenance)\b")
_INCIDENT = r"\b(incidents?|on[- ]?call|post[- ]?mortems?|outages?|escalation)\b"
_RECOVERY = (r"\b(disaster|recover(y|ing)|restor(e|es|ing)|business continuity|backups?\s+(and|&)\s+restore|"
             r"rpo|rto)\b")
_PRIVACY = (r"\b(privacy|gdpr|personal data|data (deletion|retention|protection)|delet(e|ing) (your |an |the )?"
            r"account|clos(e|ing) (your |an |the )?account)\b")


@check(id="DOCS-INCIDENT-RESPONSE", organisational=True, severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=3,
       passed="Incident response procedure documented")
def incident_response(project: Project) -> Iterator[Finding]:
    """No incident response procedure.

    ## What it checks
    An incident response procedure is documented: a file named so
    (`docs/incident*`, `INCIDENT*.md`, `docs/on-call*`, a post-mortem
    template) or a heading on incidents, on-call, outages or post-mortems in
    any documentation. For a self-hosted distribution or a template (it
    publishes images and install docs, or its README calls it a boilerplate)
    the failure is advice to its operators, not a finding.

    ## Why it matters
    Incidents handled ad hoc last longer: nobody knows who leads, who talks to
    users, or how the follow-up is tracked.

    ## How to fix
    Write a one-page procedure and a post-mortem template.

    ```markdown
    # Incident response
    1. Acknowledge, open a channel, name an incident lead.
    2. Mitigate first (roll back, disable the feature), then investigate.
    3. Blameless post-mortem within five working days.
    ```
    """
    _require_service(project)
    if find_doc(project, "incident", "on-call", "oncall", "postmortem", "post-mortem") or \
            doc_heading(project, _INCIDENT):
        return
    yield Finding("no incident response procedure", anchor(project), key="incident-response")


@check(id="DOCS-DISASTER-RECOVERY", organisational=True, severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=4,
       passed="Disaster recovery plan documented")
def disaster_recovery(project: Project) -> Iterator[Finding]:
    """No disaster recovery plan.

    ## What it checks
    A disaster recovery plan is documented: a file named so
    (`docs/disaster-recovery*`, `DR.md`, `docs/recovery*`,
    `docs/business-continuity*`) or a heading on recovery, restoring, backup
    and restore, RPO/RTO in any documentation. For a distribution or a
    template it is advice to operators, not a finding.

    ## Why it matters
    Losing the host, the region or the database is a matter of time; a plan
    states the recovery point and time objectives and how to meet them.

    ## How to fix
    Write the plan: RPO/RTO, where backups live, how to rebuild and restore.

    ```markdown
    # Disaster recovery
    RPO 24 h (nightly encrypted off-site backups), RTO 2 h.
    Rebuild the host with infra/terraform, restore the last backup, redeploy the last tag.
    ```
    """
    _require_service(project)
    if find_doc(project, "disaster", "recovery", "/dr.md", "dr.md", "continuity") or doc_heading(project, _RECOVERY):
        return
    yield Finding("no disaster recovery plan", anchor(project), key="disaster-recovery")


@check(id="DOCS-SECURITY-POLICY", adopter_side=True, severity=Severity.LOW, section=Section.COMPLIANCE, effort_hours=1,
       passed="Security policy (SECURITY.md) present")
def security_policy(project: Project) -> Iterator[Finding]:
    """No security policy (SECURITY.md).

    ## What it checks
    A `SECURITY.md` exists at the root, in `.github/` or in `docs/`. For a
    template it is advice to the teams adopting it (their copy needs their
    own contact), not a finding.

    ## Why it matters
    Researchers who find a vulnerability need a private way to report it;
    without one, reports arrive as public issues or not at all.

    ## How to fix
    Add `SECURITY.md` with a contact and a response time.

    ```markdown
    # Security policy
    Report vulnerabilities to security@example.org; we answer within two working days.
    ```
    """
    if not any(project.exists(p) for p in ("SECURITY.md", ".github/SECURITY.md", "docs/SECURITY.md",
                                              "security.md")):
        yield Finding("no SECURITY.md with a vulnerability reporting contact", anchor(project),
                      key="security-policy")


_PERSONAL = re.compile(r"\bemail\b|\bphone\b|\bfirst_?name\b|\blast_?name\b|\baddress\b|\bdate_of_birth\b",
                       re.IGNORECASE)
# A route definition whose path is an auth endpoint (router.post('/login'), @app.post("/auth/..."),
# path("signup/")), not any string that names one (a redirect target in a proxy).
_AUTH_ROUTE = re.compile(r"(\.(get|post|put|use|route|all)|\bpath|\bre_path)\(\s*['\"`]/?(api/)?(v\d+/)?"
                         r"(auth|login|signup|register)\b", re.IGNORECASE)
# Self-service account deletion: the data-deletion procedure is in the product.
_ACCOUNT_DELETION = re.compile(r"\.delete\(\s*['\"`][^'\"`]*/(me|account)['\"`/]|\bdelete_?(user_?me|account|my_?account)"
                               r"|\bdeleteAccount|\bclose_?account\b|['\"`]/?accounts?/(close|delete)\b",
                               re.IGNORECASE)


@check(id="DOCS-PRIVACY", organisational=True, severity=Severity.MEDIUM, section=Section.COMPLIANCE, effort_hours=6,
       passed="Personal data handling documented (privacy/GDPR)")
def privacy(project: Project) -> Iterator[Finding]:
    """Personal data without a privacy policy or data-deletion procedure.

    ## What it checks
    When the service stores personal data (an `email`/`phone`/name column in
    migrations or schema files, or auth routes such as `/login` in the source),
    a privacy policy and a data-deletion procedure are documented
    (`PRIVACY.md`, `docs/privacy*`, `docs/data-deletion*`, `docs/gdpr*`, a
    heading on privacy, personal data or deleting an account) or served by
    the product (a `privacy` page or route, self-service account deletion such
    as `DELETE /users/me` or an `accounts/close` route). Test and end-to-end files are not
    evidence of personal data. For a distribution or a template it is advice
    to operators, not a finding.

    ## Why it matters
    GDPR and similar laws require telling users what is stored and honouring
    erasure requests; doing it ad hoc under a deadline is error-prone.

    ## How to fix
    Document what personal data is stored, for how long, and how deletion
    (including from backups) is done.

    ```markdown
    # Privacy and data deletion
    We store account emails. Deletion requests: privacy@example.org, completed within 30 days;
    backups expire after 30 days.
    ```
    """
    evidence = _personal_data(project)
    if evidence is None:
        raise NotApplicable("no personal data found")
    if find_doc(project, "privacy", "gdpr", "data-deletion", "data_deletion", "dpa") or \
            doc_heading(project, _PRIVACY) or _privacy_page(project) or _account_deletion(project):
        return
    path, line, what = evidence
    yield Finding(f"service stores personal data ({what}) but has no privacy policy or data-deletion procedure",
                  Location(path, line), key="privacy")


_PRIVACY_PAGE = re.compile(r"(^|/)privacy([-_](policy|notice))?(/|\.[jt]sx?$|\.vue$|\.svelte$|\.html?$)")


def _account_deletion(project: Project) -> str | None:
    """A server source file that lets users delete or close their own account."""
    for rel in project.files:
        if rel.endswith((".ts", ".js", ".py", ".mjs")) and not _TESTISH.search(rel):
            if _ACCOUNT_DELETION.search(project.read_text(rel) or ""):
                return rel
    return None


def _privacy_page(project: Project) -> str | None:
    """A privacy page the product itself serves (``app/privacy/page.tsx``, ``routes/privacy/``, ``privacy.html``)."""
    return next((rel for rel in project.files if _PRIVACY_PAGE.search(rel.lower()) and not _TESTISH.search(rel)), None)


_TESTISH = re.compile(r"(^|/)(tests?|__tests__|spec|e2e|cypress|playwright)/|\.(test|spec|cy)\.[jt]sx?$",
                      re.IGNORECASE)


def _personal_data(project: Project) -> tuple[str, int, str] | None:
    schema_like = [rel for rel in project.files
                   if rel.endswith(("schema.prisma", "schema.ts", "models.py", "schema.sql"))]
    for rel in [*migration_files(project), *schema_like]:
        text = project.read_text(rel) or ""
        for lineno, line in enumerate(text.splitlines(), start=1):
            match = _PERSONAL.search(line)
            if match:
                return rel, lineno, f"'{match.group(0)}' column"
    if database_evidence(project) is None:
        return None
    for rel in project.files:
        if rel.endswith((".ts", ".js", ".py")) and not _TESTISH.search(rel):
            text = project.read_text(rel) or ""
            for lineno, line in enumerate(text.splitlines(), start=1):
                if _AUTH_ROUTE.search(line):
                    return rel, lineno, "auth routes"
    return None
