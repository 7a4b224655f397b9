"""Hypothesis strategies for the inputs prodcheck reads, built from the pieces real files use plus hostile ones.

Each generator mixes well-formed structure (instructions, services, keys,
routes) with the characters and constructs that broke parsers before: quotes,
backslashes, heredocs, anchors and merge keys, odd tags, control and bidi
characters, very long tokens. Every generated file also carries planted
token-shaped secrets (``PLANTED``) in the places values live.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("PRODCHECK_FUZZ_EXAMPLES", "0") or 0)
#: Fixed seed and small counts so the whole suite fits CI; PRODCHECK_FUZZ_EXAMPLES=2000 for a long run.
FUZZ = settings(
    max_examples=EXAMPLES or 8,
    derandomize=os.environ.get("PRODCHECK_FUZZ_RANDOM") != "1",
    deadline=None,  # each example asserts its own generous time bound instead
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)

# Token-shaped secrets (fixed random strings, not real credentials) and the parts that must never show.
PLANTED = {
    "ghp_Fz8Kq2Lm9Xv4Tw7Rb1Yn6Hs3Jd5Pc0Ae8Ug2Qo": "Fz8Kq2Lm9Xv4Tw7Rb1Yn6Hs3Jd5Pc0Ae8Ug2Qo",
    "AKIAZX7Q2KM9PL4VB8RT": "ZX7Q2KM9PL4VB8RT",
    "sk_live_7Hq2Zt9QmW4xNcR8vLp3YbKs": "7Hq2Zt9QmW4xNcR8vLp3YbKs",
}
TOKENS = tuple(PLANTED)
URL_PASSWORD = "Yk3#pW8vQz1L"  # planted in postgres://app:<password>@db URLs

HOSTILE_CHARS = "\x00\x07\x1b\x7f\x85\x9b\u202e\u2066\u200f\ufeff\t\r\\\"'`$&|;<>{}[]#*!%@:,"
text_piece = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
hostile_piece = st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=6)
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-./", min_size=1, max_size=12)
long_token = st.integers(min_value=1000, max_value=60_000).map(lambda n: "x" * n)
token = st.sampled_from(TOKENS)
secret_url = st.just(f"postgres://app:{URL_PASSWORD}@db:5432/app")
value = st.one_of(word, text_piece, hostile_piece, token, secret_url, long_token.filter(lambda s: len(s) < 5000))
SECRET_NAMES = ("API_TOKEN", "DB_PASSWORD", "STRIPE_SECRET_KEY", "GITHUB_TOKEN", "DATABASE_URL", "JWT_SECRET")
var_name = st.one_of(st.sampled_from(SECRET_NAMES), st.from_regex(r"[A-Z][A-Z0-9_]{0,10}", fullmatch=True))


def _join(parts: list[str]) -> str:
    return "".join(parts)


# ----------------------------------------------------------------- Dockerfile

_KEYWORDS = ("FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "USER", "WORKDIR", "EXPOSE",
             "HEALTHCHECK", "LABEL", "VOLUME", "SHELL", "STOPSIGNAL", "ONBUILD", "BOGUS", "from", "run")


@st.composite
def dockerfile_line(draw: st.DrawFn) -> str:
    keyword = draw(st.sampled_from(_KEYWORDS))
    kind = draw(st.integers(0, 9))
    if kind == 0:
        args = f"{draw(var_name)}={draw(value)}"
    elif kind == 1:
        args = json.dumps([draw(value) for _ in range(draw(st.integers(0, 4)))])
    elif kind == 2:
        args = f"<<{draw(st.sampled_from(['EOF', '-EOT', 'x']))}\n{draw(value)}\n" + draw(st.sampled_from(["EOF", ""]))
    elif kind == 3:
        args = f"--from={draw(word)} --chown={draw(word)} {draw(word)} {draw(word)}"
    elif kind == 4:
        args = f"https://user:{URL_PASSWORD}@files.example.com/{draw(word)}.tgz /app/"
    elif kind == 5:
        args = " \\\n  ".join(draw(st.lists(value, min_size=1, max_size=4)))
    elif kind == 6:
        args = f"{draw(word)}:{draw(word)}@sha256:{draw(word)} AS {draw(word)}"
    else:
        args = " ".join(draw(st.lists(value, max_size=5)))
    comment = draw(st.sampled_from(["", f"  # prodcheck: ignore[{draw(word)}] {draw(value)}", "\n# c"]))
    return f"{keyword} {args}{comment}"


dockerfiles = st.lists(dockerfile_line(), min_size=1, max_size=12).map(lambda lines: "\n".join(lines) + "\n")


# ----------------------------------------------------------------- YAML (compose, config, workflow)

_YAML_SCALARS = ("yes", "no", "~", "null", "0x1F", "1e400", ".inf", ".nan", "2026-13-45", "!!bool z", "!!int zz",
                 "!!float q", "!!binary '@@'", "!!python/object:os.system x", "!!set {a: b}", "*missing",
                 "'unterminated", '"a\\x"', "[", "{", "|", ">-", "&a x", "<<: *a")


@st.composite
def yaml_scalar(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return draw(st.sampled_from(_YAML_SCALARS))
    if choice == 1:
        return json.dumps(draw(value))
    if choice == 2:
        return draw(token)
    return draw(word)


@st.composite
def yaml_mapping(draw: st.DrawFn, keys: tuple[str, ...], depth: int = 0) -> str:
    lines: list[str] = []
    indent = "  " * depth
    anchors = 0
    for _ in range(draw(st.integers(1, 5))):
        key = draw(st.one_of(st.sampled_from(keys), var_name, word))
        kind = draw(st.integers(0, 6))
        if kind <= 2 or depth >= 3:
            lines.append(f"{indent}{key}: {draw(yaml_scalar())}")
        elif kind == 3:
            items = draw(st.lists(yaml_scalar(), max_size=4))
            lines.append(f"{indent}{key}:" + "".join(f"\n{indent}  - {i}" for i in items))
        elif kind == 4:
            anchors += 1
            name = f"a{anchors}"
            lines.append(f"{indent}{key}: &{name}\n{indent}  <<: *{draw(st.sampled_from([name, 'a1', 'zz']))}")
        else:
            lines.append(f"{indent}{key}:\n" + draw(yaml_mapping(keys, depth + 1)))
    return "\n".join(lines)


_COMPOSE_KEYS = ("image", "build", "environment", "ports", "volumes", "healthcheck", "restart", "user",
                 "command", "depends_on", "secrets", "networks", "deploy", "env_file", "read_only")


@st.composite
def compose_files(draw: st.DrawFn) -> str:
    services = []
    for index in range(draw(st.integers(1, 3))):
        env = "\n".join(f"      {draw(var_name)}: {draw(yaml_scalar())}" for _ in range(draw(st.integers(0, 3))))
        body = draw(yaml_mapping(_COMPOSE_KEYS, 2))
        services.append(f"  svc{index}:\n    environment:\n      DATABASE_URL: "
                        f"${{DATABASE_URL:-postgres://app:{URL_PASSWORD}@db/app}}\n{env}\n{body}")
    extra = draw(st.sampled_from(["", "volumes:\n  data: {}\n", "x-common: &common\n  restart: always\n",
                                  "services: [\n"]))
    return "services:\n" + "\n".join(services) + "\n" + extra


_CONFIG_KEYS = ("fail_on", "min_score", "offline", "formats", "checks", "sections", "severity", "ignore",
                "exclude", "max_file_kb", "live", "targets", "timeout", "assets", "burst_size", "disable")
config_files = yaml_mapping(_CONFIG_KEYS).map(lambda text: text + "\n")

_WORKFLOW_KEYS = ("on", "jobs", "steps", "uses", "run", "with", "env", "permissions", "runs-on", "schedule")


@st.composite
def workflow_files(draw: st.DrawFn) -> str:
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            steps.append(f"      - uses: {draw(word)}/{draw(word)}@{draw(st.sampled_from(['v4', 'main', draw(word)]))}")
        else:
            steps.append(f"      - run: {json.dumps(draw(value))}")
    env = f"    env:\n      {draw(var_name)}: {draw(token)}\n"
    return ("on: " + draw(st.sampled_from(["push", "[push, pull_request]", "{schedule: [{cron: '0 0 * * *'}]}",
                                           "!!bool z"]))
            + "\njobs:\n  build:\n    runs-on: ubuntu-latest\n" + env + "    steps:\n" + "\n".join(steps) + "\n"
            + draw(yaml_mapping(_WORKFLOW_KEYS, 1)) + "\n")


# ----------------------------------------------------------------- env files


@st.composite
def env_files(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 4))
        name = draw(var_name)
        if kind == 0:
            lines.append(f"{name}={draw(value)}")
        elif kind == 1:
            lines.append(f'{name}="{draw(value)}"')
        elif kind == 2:
            lines.append(f"# {name}={draw(value)}")
        elif kind == 3:
            lines.append(f"export {name}='{draw(token)}'")
        else:
            lines.append(draw(value))
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- manifests and lockfiles


@st.composite
def package_json(draw: st.DrawFn) -> str:
    deps = {draw(word): draw(st.one_of(word, st.sampled_from(["^1.2.3", "latest", "*", "file:../x",
                                                             "git+https://u:" + URL_PASSWORD + "@h/r.git"])))
            for _ in range(draw(st.integers(0, 5)))}
    scripts = {draw(st.sampled_from(["start", "build", "migrate", draw(word)])): draw(value)
               for _ in range(draw(st.integers(0, 3)))}
    data = {"name": draw(word), "dependencies": deps, "scripts": scripts,
            "engines": draw(st.one_of(st.none(), st.just({"node": ">=20"}), st.just("20")))}
    text = json.dumps(data)
    return text if draw(st.integers(0, 4)) else text[: draw(st.integers(0, len(text)))]


@st.composite
def package_lock(draw: st.DrawFn) -> str:
    packages = {"": {"name": "x"}}
    for _ in range(draw(st.integers(0, 5))):
        packages[f"node_modules/{draw(word)}"] = {"version": draw(st.one_of(word, st.just("1.0.0"))),
                                                   "resolved": draw(value)}
    data = {"lockfileVersion": draw(st.sampled_from([1, 2, 3, "x", None])), "packages": packages}
    return json.dumps(data)


@st.composite
def requirements_txt(draw: st.DrawFn) -> str:
    lines = [draw(st.sampled_from([f"{draw(word)}=={draw(word)}", f"{draw(word)}>=1", "-r other.txt", "-e .",
                                   f"git+https://x:{URL_PASSWORD}@github.com/a/b.git", draw(value)]))
             for _ in range(draw(st.integers(0, 6)))]
    return "\n".join(lines) + "\n"


@st.composite
def pyproject_toml(draw: st.DrawFn) -> str:
    deps = ", ".join(json.dumps(f"{draw(word)}{draw(st.sampled_from(['', '>=1', '==2.0', '[x]']))}")
                     for _ in range(draw(st.integers(0, 4))))
    body = f"[project]\nname = {json.dumps(draw(word))}\ndependencies = [{deps}]\n"
    return body + draw(st.sampled_from(["", "[tool.poetry]\n", "[broken\n", "x = \n", f"token = '{TOKENS[0]}'\n"]))


# ----------------------------------------------------------------- sources

_JS_SNIPPETS = (
    "const port = process.env.PORT ?? 3000;",
    "const key = process.env.{name};",
    "app.get('/{word}', (req, res) => res.json({{ ok: true }}));",
    "app.post('/login', async (c) => {{ throw new Error(err.message) }});",
    "export default function Page() {{ return <p>Tom & Jerry {{x && y}} &amp;</p> }}",
    "process.on('SIGTERM', () => server.close());",
    "try {{ await db.query('{word}') }} catch (e) {{ res.status(500).send(e.stack) }}",
    "const stripe = new Stripe('{token}');",
    "import {{ {word} }} from '{word}';",
    "`${{{word}}}` + '{value}'",
    "/* prodcheck: ignore[{word}] {value} */",
)
_PY_SNIPPETS = (
    "import os\nX = os.getenv('{name}')",
    "SECRET_KEY = '{token}'",
    "@app.get('/{word}')\nasync def h():\n    return {{'ok': True}}",
    "try:\n    pass\nexcept Exception as e:\n    return str(e)",
    "DATABASES = {{'default': {{'PASSWORD': '{value}'}}}}",
    "def f(:\n",
    "# prodcheck: ignore[{word}] {value}",
    "signal.signal(signal.SIGTERM, handler)",
)


@st.composite
def _source(draw: st.DrawFn, snippets: tuple[str, ...]) -> str:
    out = []
    for _ in range(draw(st.integers(1, 8))):
        template = draw(st.sampled_from(snippets))
        out.append(template.format(name=draw(var_name), word=draw(word).replace("'", ""),
                                   token=draw(token), value=draw(value).replace("'", "")))
    if draw(st.integers(0, 5)) == 0:
        out.append(draw(value))
    return "\n".join(out) + "\n"


js_sources = _source(_JS_SNIPPETS)
py_sources = _source(_PY_SNIPPETS)


# ----------------------------------------------------------------- live observation files


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False), text_piece),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["url", "http", "tls", "status", "headers", "error",
                                                                "cookies", "page", "redirects", "x"]),
                                               children, max_size=4)),
    max_leaves=20,
)


@st.composite
def observation_files(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return json.dumps(draw(json_values))
    target = {"url": draw(st.sampled_from(["https://app.test", "http://127.0.0.1:1", 5, None])),
              "error": draw(st.one_of(st.none(), text_piece)),
              "http": draw(st.one_of(st.none(), json_values)),
              "tls": draw(st.one_of(st.none(), json_values)),
              "duration_s": draw(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)))}
    text = json.dumps({"schema_version": draw(st.sampled_from([1, 2, "1"])), "targets": [target]})
    if kind == 3:
        text = text.replace("null", draw(st.sampled_from(["NaN", "Infinity", "null", "[[[[[[[[", "1e999"])), 1)
    return text
