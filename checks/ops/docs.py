"""Operational documentation checks: runbook, incident response, disaster recovery, security and privacy policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from checks.ops._facts import anchor, database_evidence, docs_heading, find_doc, migration_files

# Headings that show the document covers the concept, wherever the file lives.
_RUNBOOK = (r"runbook|operat(ing|ions|or'?s? guide)|troubleshoot|production (guide|deployment|checklist)|"
            r"deploy(ing|ment)? (to production|guide)|maintenance|upgrad(e|ing)\b|self-?host(ing)?( guide)?")
_INCIDENT = r"incident|on-?call|post-?mortem|outage|escalation"
_DR = r"disaster recovery|backup(s)? (and|&) restor|restor(e|ing) (from )?(a )?backup|recovery (plan|procedure)|continuity"
_PRIVACY = r"privacy|gdpr|data (deletion|retention|protection)|delet(e|ing) (your |an |the )?account|personal data"
_PRIVACY_PAGE = re.compile(r"(^|/)privacy([-_]policy)?(/(page|index|route)\.[jt]sx?|\.(html|[jt]sx|vue|svelte|astro|mdx?))$|"
                           r"(^|/)(routes|pages|app)/privacy(/|$)", re.IGNORECASE)


def _require_service(project: Project) -> None:
    if not (project.dockerfile_paths or project.compose_paths):
        raise NotApplicable("no deployable service found")


@check(id="DOCS-RUNBOOK", severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=4,
       passed="Operations runbook documented")
def runbook(project: Project) -> Iterator[Finding]:
    """No runbook.

    ## What it checks
    A runbook or operations guide exists (`RUNBOOK.md`, `docs/runbook*`,
    `docs/operations*`, `OPERATIONS.md`, `docs/playbook*`).

    A heading about operating the service counts wherever it lives (Markdown, MDX, RST):
    "Runbook", "Operations", "Troubleshooting", "Deploying to production", "Upgrading", "Self-hosting".

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
    if not (find_doc(project, "runbook", "operations", "playbook", "ops.md") or docs_heading(project, _RUNBOOK)):
        yield Finding("no runbook for operating the service", anchor(project), key="runbook")


@check(id="DOCS-INCIDENT-RESPONSE", severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=3,
       passed="Incident response procedure documented")
def incident_response(project: Project) -> Iterator[Finding]:
    """No incident response procedure.

    ## What it checks
    An incident response document exists (`docs/incident*`, `INCIDENT*.md`,
    `docs/on-call*`, a post-mortem template).

    A heading about incidents counts wherever it lives: "Incident response", "On-call",
    "Post-mortem", "Outage", "Escalation".

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
    if not (find_doc(project, "incident", "on-call", "oncall", "postmortem", "post-mortem")
            or docs_heading(project, _INCIDENT)):
        yield Finding("no incident response procedure", anchor(project), key="incident-response")


@check(id="DOCS-DISASTER-RECOVERY", severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=4,
       passed="Disaster recovery plan documented")
def disaster_recovery(project: Project) -> Iterator[Finding]:
    """No disaster recovery plan.

    ## What it checks
    A disaster recovery plan exists (`docs/disaster-recovery*`, `DR.md`,
    `docs/dr*`, `docs/recovery*`, `docs/business-continuity*`).

    A heading about recovery counts wherever it lives: "Disaster recovery", "Backup and
    restore", "Restoring from a backup", "Recovery procedure".

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
    if not (find_doc(project, "disaster", "recovery", "/dr.md", "dr.md", "continuity") or docs_heading(project, _DR)):
        yield Finding("no disaster recovery plan", anchor(project), key="disaster-recovery")


@check(id="DOCS-SECURITY-POLICY", severity=Severity.LOW, section=Section.COMPLIANCE, effort_hours=1,
       passed="Security policy (SECURITY.md) present")
def security_policy(project: Project) -> Iterator[Finding]:
    """No security policy (SECURITY.md).

    ## What it checks
    A `SECURITY.md` exists at the root, in `.github/` or in `docs/`.

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
_AUTH_ROUTE = re.compile(r"['\"`]/(api/)?(auth|login|signup|register)\b")


@check(id="DOCS-PRIVACY", severity=Severity.MEDIUM, section=Section.COMPLIANCE, effort_hours=6,
       passed="Personal data handling documented (privacy/GDPR)")
def privacy(project: Project) -> Iterator[Finding]:
    """Personal data without a privacy policy or data-deletion procedure.

    ## What it checks
    When the service stores personal data (an `email`/`phone`/name column in
    migrations or schema files, or auth routes such as `/login` in the source),
    a privacy policy and a data-deletion procedure are documented
    (`PRIVACY.md`, `docs/privacy*`, `docs/data-deletion*`, `docs/gdpr*`).

    A heading on privacy, GDPR, data deletion or deleting an account counts wherever it lives,
    and so does a privacy page in the front end (`app/privacy/page.tsx`, `routes/privacy`).

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
    if find_doc(project, "privacy", "gdpr", "data-deletion", "data_deletion", "dpa") or docs_heading(project, _PRIVACY):
        return
    if any(_PRIVACY_PAGE.search(rel) for rel in project.files):
        return  # a privacy page in the front end (app/privacy/page.tsx, routes/privacy)
    path, line, what = evidence
    yield Finding(f"service stores personal data ({what}) but has no privacy policy or data-deletion procedure",
                  Location(path, line), key="privacy")


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
        if rel.endswith((".ts", ".js", ".py")) and "/test" not in rel:
            text = project.read_text(rel) or ""
            for lineno, line in enumerate(text.splitlines(), start=1):
                if _AUTH_ROUTE.search(line):
                    return rel, lineno, "auth routes"
    return None
