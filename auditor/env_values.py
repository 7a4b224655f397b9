"""Judgements about env names and values shared by env, compose and app checks: secrets, placeholders, key kinds."""

from __future__ import annotations

import re

from auditor.parsing.envfile import EnvFile, parse_env
from auditor.project import Project, is_env_template_name
from auditor.redact import entropy
from auditor.secrets import looks_secret_key

# Env templates named without the leading `.env.` (`env-example-relational`, `env.sample`, `example.env`,
# `api.env.example`): a deployer copies them to `.env` just the same.
_LOOSE_TEMPLATE = re.compile(
    r"^\.?env[-_.](example|sample|template|dist|defaults)([-_.][\w-]+)?$"
    r"|^(example|sample|template)[-_.]env$|^[\w-]+\.env\.(example|sample|template|dist)$",
    re.IGNORECASE,
)

_NOT_ENV_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".py", ".json", ".md", ".mdx", ".yml", ".yaml", ".toml", ".sh",
                     ".rb", ".go", ".rs", ".php", ".java", ".txt", ".html")


def loose_env_templates(project: Project) -> list[EnvFile]:
    """Env templates the project's own template naming does not recognise, parsed."""
    out: list[EnvFile] = []
    for path in project.files:
        name = path.rsplit("/", 1)[-1]
        if "node_modules" in path or is_env_template_name(name) or not _LOOSE_TEMPLATE.match(name) \
                or name.lower().endswith(_NOT_ENV_SUFFIXES):
            continue  # `env.example.ts` is code that builds an env, not a template a deployer copies
        text = project.read_text(path)
        if text is not None:
            out.append(parse_env(path, text, template=True))
    return out

# Secret-looking names that conventionally hold no secret (a URL, a port, a flag, an id, a public key).
_NOT_SECRET = re.compile(
    r"(_FILE|_PATH|_DIR|_URL|_URI|_HOST|_HOSTNAME|_PORT|_ENABLED?|_DISABLED?|_TTL|_EXPIRES?(_IN)?|_EXPIRY|_MAX_AGE"
    r"|_TIMEOUT|_ALGORITHM|_ALG|_PROVIDER|_ISSUER|_AUDIENCE|_USER|_USERNAME|_METHOD|_MODE|_TYPE|_LENGTH|_ROUNDS"
    r"|_HEADER|_NAME|_REGION|_ID|_DOMAIN|_STRATEGY|_VERSION|_SCOPES?|_REDIRECT\w*|_CALLBACK\w*|_ENDPOINT"
    r"|_COST|_SIZE|_LIMIT|_PREFIX|_FORMAT|_LEVEL|_REQUIRED|_SECONDS|_MINUTES|_HOURS|_DAYS|_MS|_COUNT|_ATTEMPTS"
    r"|_RETRIES|_INTERVAL|_WINDOW|_LANGUAGE|_LOCALE|_EMAIL)$"
    r"|PUBLIC|PUBLISHABLE|^AUTHOR|^VITE_|^REACT_APP_|SITE_KEY",
    re.IGNORECASE,
)

WEAK_VALUES = frozenset({
    "change-me", "changeme", "change_me", "changethis", "change-this", "changeit", "secret", "secrets",
    "password", "passwd", "pass", "admin", "administrator", "root", "123456", "12345678", "123456789",
    "qwerty", "letmein", "test", "testing", "default", "example", "demo", "dev", "development", "xxx",
    "your-secret-here", "your_secret_here", "yoursecret", "your-secret", "your_secret", "mysecret",
    "my-secret", "my_secret", "supersecret", "super-secret", "super_secret", "placeholder", "todo",
    "replace-me", "replace_me", "replaceme", "insecure", "foobar", "foo", "bar", "postgres", "mysql",
    "guest", "user", "s3cr3t", "p@ssw0rd", "passw0rd",
})
_PLACEHOLDER_HINT = re.compile(
    r"^x{3,}$|^\*+$|^\.{3,}$|your[-_ ]?|change[-_ ]?(me|this|it)|replace[-_ ]?(me|this)|^<.*>$|example|placeholder"
    r"|^todo|fixme|^insert|^put[-_ ]|^enter[-_ ]|-here$|_here$|^dummy|^fake|sample|^insecure",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 12
_BOOLEANS = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "none", "null"})

# Known credential formats: (kind, pattern). Lengths keep short look-alikes out.
KNOWN_KEYS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY")),
    ("Stripe live secret key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}")),
    ("Stripe test secret key", re.compile(r"\b[sr]k_test_[A-Za-z0-9]{16,}")),
    ("Anthropic API key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("OpenAI-style API key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}")),
    ("Resend API key", re.compile(r"\bre_[A-Za-z0-9]{8,}_[A-Za-z0-9]{12,}|\bre_[A-Za-z0-9]{24,}")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{22,}")),
    ("Slack token", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("SendGrid API key", re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
)
_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/:@\s]*:([^@\s/]+)@", re.IGNORECASE)


def secret_name(name: str) -> bool:
    """A variable name that conventionally holds a secret (``JWT_SECRET``, ``API_KEY``), not ``AUTH_URL``."""
    return looks_secret_key(name) and not _NOT_SECRET.search(name)


_PUBLIC = re.compile(r"(^|_)(DSN|PUBLIC_KEY|PUBLISHABLE_KEY|PUBLIC|SITE_KEY)$|^(NEXT_PUBLIC|VITE|PUBLIC)_", re.I)
_NAMESPACE = re.compile(r"^SECRETS?_", re.I)


def secret_setting(name: str) -> bool:
    """A secret-named setting, judged by what it holds, not by an app-wide ``SECRET_`` prefix.

    ``SECRET_ROOT_EMAIL`` is an e-mail address in an app that prefixes every setting with
    ``SECRET_``; ``SENTRY_DSN`` and ``*_PUBLISHABLE_KEY`` are public by design.
    """
    if _PUBLIC.search(name):
        return False
    rest = _NAMESPACE.sub("", name)
    return secret_name(rest) if rest != name and rest else secret_name(name)


def is_reference(value: str) -> bool:
    """A value that only points elsewhere (``${VAR}``, ``$VAR``, a secrets file path)."""
    text = value.strip()
    return text.startswith("$") or text.startswith("/run/secrets/")


# A value that describes what belongs there (`email-server-password`, `jwt_secret_key`): words, no randomness.
_SUBSTITUTION_TOKEN = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_SELF_DESCRIBING = re.compile(r"^[a-z]+(?:[-_][a-z]+)+$")
_DESCRIBING_WORD = re.compile(r"(?:^|[-_])(password|passwd|secret|key|token|pass|credential)s?(?:$|[-_])")


def is_placeholder(value: str) -> bool:
    """A value that is obviously a stand-in (``change-me``, ``<your-key>``, ``xxx``, ``email-server-password``)."""
    raw = value.strip().strip("'\"")
    text = raw.lower()
    if _SELF_DESCRIBING.match(text) and _DESCRIBING_WORD.search(text):
        return True
    if _SUBSTITUTION_TOKEN.match(raw):
        return True  # `KANEO_API_URL`-style tokens an entrypoint replaces at start-up
    return text in WEAK_VALUES or bool(_PLACEHOLDER_HINT.search(text))


def real_looking(value: str) -> bool:
    """A non-empty literal that is neither a reference nor an obvious placeholder."""
    text = value.strip().strip("'\"")
    return bool(text) and not is_reference(text) and not is_placeholder(text)


def weak_reason(value: str) -> str | None:
    """Why a secret value is weak (a known placeholder/common password, or too short); None when not."""
    text = value.strip()
    if not text or is_reference(text):
        return None
    if text.strip("'\"").lower() in _BOOLEANS:
        return None  # a flag (`ALLOW_PRIVATE_IPS=False`), not a secret
    if text.lower() in WEAK_VALUES or is_placeholder(text):
        return "a placeholder or common password"
    if len(text) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(text)) <= 2:
        return "a repeated character"
    return None


def known_key_kind(value: str) -> str | None:
    """The credential format a value matches (``Stripe live secret key`` ...), ignoring placeholders."""
    for kind, pattern in KNOWN_KEYS:
        match = pattern.search(value)
        if match is None:
            continue
        token = match.group(0)
        if kind == "private key":
            return kind
        body = re.sub(r"^[A-Za-z]+[-_.]", "", token)
        if is_placeholder(body) or entropy(body) < 3.0 or "xxxx" in body.lower():
            continue
        return kind
    return None


def high_entropy(value: str) -> bool:
    """A long, random-looking value (what real generated secrets look like)."""
    text = value.strip()
    if len(text) < 20 or " " in text or is_reference(text) or is_placeholder(text):
        return False
    return entropy(text) >= 3.5


def url_password(value: str) -> str | None:
    """The password embedded in a ``scheme://user:password@host`` URL, if any and literal."""
    match = _URL_CREDENTIALS.match(value.strip())
    if match is None or is_reference(match.group(1)) or "${" in match.group(1):
        return None
    return match.group(1)


# Placeholders a deployer is meant to replace: addresses at example domains, change-me, <your-...>, TODO.
_DOMAINS = r"(?:your-?domain|my-?domain|example|domain)\.(?:com|org|net)"
PLACEHOLDER = re.compile(
    r"[\w.+-]+@" + _DOMAINS + r"\b"                     # any address at a placeholder domain
    r"|\byour[-_.]?(?:e-?mail|name|user)@[\w.-]+"        # your-email@anything
    r"|(?<![\w@-])(?:[\w-]+\.)*(?:your-?domain|my-?domain)\.(?:com|org|net)\b"
    r"|(?<![\w@-])(?:[\w-]+\.)*example\.(?:com|org|net)\b"
    r"|\bchange[-_]?me\b|\breplace[-_]?me\b|<your[-_ ][^>]*>|\bTODO\b|\bFIXME\b",
    re.IGNORECASE,
)
_CASE_SENSITIVE = {"todo", "fixme"}


def find_placeholders(text: str) -> list[str]:
    """Placeholder tokens in a value (upper-case TODO/FIXME only)."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        token = match.group(0)
        if token.lower() in _CASE_SENSITIVE and token != token.upper():
            continue
        found.append(token)
    return found


def committed_env_files(project: Project) -> list[EnvFile]:
    """Templates plus real env files that are (or would be) committed."""
    tracked = project.git_tracked
    real = [f for f in project.env_files
            if (f.path in tracked if tracked is not None else not project.is_git_ignored(f.path))]
    return [*project.env_templates, *real]
