"""Information disclosure checks: server versions and error pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.live.observations import LiveTarget, header_value
from auditor.live.views import ProbeFailed, here, http_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import NotChecked, check

_VERSIONED = re.compile(r"\d+\.\d+")
_HEADERS = ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version", "x-generator", "x-runtime-version")


@check(id="SERVER-VERSION-DISCLOSURE", severity=Severity.LOW, section=Section.SECURITY, target=Target.LIVE,
       security=True, effort_hours=0.25,
       passed="Response headers disclose no server versions")
def server_version(target: LiveTarget) -> Iterator[Finding]:
    """Server software versions disclosed in headers.

    ## What it checks
    `Server`, `X-Powered-By`, `X-AspNet-Version` and similar headers on the page
    and on the error page carry no version numbers.

    ## Why it matters
    Exact versions let attackers match known CVEs without probing; they cost
    nothing to hide.

    ## How to fix
    ```ts express
    app.disable('x-powered-by')
    ```
    ```nginx
    server_tokens off;
    ```
    ```python fastapi
    uvicorn.run(app, server_header=False)
    ```
    """
    http = http_of(target)
    seen: set[str] = set()
    for headers in (http.page.headers, http.missing.headers if http.missing else ()):
        for name in _HEADERS:
            value = header_value(headers, name)
            if value and _VERSIONED.search(value) and name not in seen:
                seen.add(name)
                yield Finding(message=f"{name} header discloses a version: {value[:80]}", location=here(target),
                              key=name)


_LEAK_PATTERNS = (
    ("Python traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("Werkzeug debugger", re.compile(r"Werkzeug Debugger|werkzeug\.debug", re.IGNORECASE)),
    ("Django debug page", re.compile(r"You're seeing this error because you have <code>DEBUG = True")),
    ("Node.js stack trace", re.compile(r"\n\s+at [\w.<>$ ]+\(?(?:/|[A-Za-z]:\\|node:|file:)[^)\n]*:\d+:\d+\)?")),
    ("Spring Whitelabel error page", re.compile(r"Whitelabel Error Page")),
    ("Java stack trace", re.compile(r"(?:java|javax|org\.springframework)\.[\w.$]+(?:Exception|Error)")),
    ("ASP.NET error page", re.compile(r"Server Error in '.*' Application|YSOD|System\.\w+Exception")),
    ("Laravel/Symfony debug page", re.compile(r"Whoops, looks like something went wrong|Symfony\\Component")),
    ("Rails debug page", re.compile(r"Action Controller: Exception caught|ActionController::RoutingError")),
    ("PHP error", re.compile(r"<b>(?:Fatal error|Warning|Parse error)</b>:")),
    ("Go panic", re.compile(r"goroutine \d+ \[running\]")),
)


@check(id="ERROR-PAGE-LEAK", group="Error details leak to clients", group_rank=1, severity=Severity.MEDIUM, section=Section.HARDENING, target=Target.LIVE,
       security=True, effort_hours=1,
       passed="Error pages show no stack traces or debug output")
def error_page(target: LiveTarget) -> Iterator[Finding]:
    """Error pages leak stack traces or framework debug output.

    ## What it checks
    The answer to a GET of a random missing path (`/prodcheck-<random>`) contains no
    stack trace (Python, Node.js, Java, Go, .NET, PHP) and no framework debug page
    (Werkzeug, Django `DEBUG = True`, Spring Whitelabel, Laravel/Symfony, Rails).

    ## Why it matters
    Debug pages expose source paths, library versions, configuration and sometimes
    an interactive console; they signal a development build running in production.

    ## How to fix
    Run in production mode and install a global error handler that returns a
    generic body with a request id.

    ```ts hono
    app.notFound((c) => c.json({ error: 'not found' }, 404))
    app.onError((err, c) => { console.error(err); return c.json({ error: 'internal error' }, 500) })
    ```
    ```python fastapi
    app = FastAPI(debug=False)
    ```
    ```ts express
    app.use((err, req, res, next) => res.status(500).json({ error: 'internal error' }))  // NODE_ENV=production
    ```
    """
    missing = http_of(target).missing
    if missing is None:
        raise NotChecked("no missing-path request recorded")
    if missing.status is None:
        raise ProbeFailed(f"the missing-path request got no answer: {missing.error or 'no response'}")
    kinds = [kind for kind, pattern in _LEAK_PATTERNS if pattern.search(missing.body)]
    if kinds:
        yield Finding(message=f"{missing.path} (status {missing.status}) shows {', '.join(kinds)}",
                      location=here(target), key="error-page")
