"""Source maps shipped in the final image.

## What it checks
The final stage must not ship source maps: a `COPY`/`ADD` of `*.map` files,
or of a build output directory (`dist`, `build`, `out`, `.next`, `lib`) whose
build enabled them. Source maps count as enabled when a build config says
so (`sourcemap: true` in `vite.config.*` / `tsup.config.*`,
`"sourceMap": true` in a `tsconfig*.json` not overridden by a
`tsconfig.build.json`, a `devtool: '...source-map'` in `webpack.config.*`),
when a package.json script or a `RUN` passes `--sourcemap` /
`--source-map` / `--sourceMap`, or when `*.map` files already sit in the
copied directory. A final stage that builds in place with such a config is
reported at its build `RUN`.

The location is the `COPY` (or `RUN`) that ships the maps; the message and
evidence name the root cause when one is found, e.g.
`widget/vite.config.ts:6 sourcemap: true`.

A repository published under an open-source licence (a root `LICENSE` with
MIT, Apache-2.0, GPL, BSD, MPL ... text) is skipped: its maps rebuild
source that is public anyway.

## Why it matters
Source maps hand anyone who can reach the files (or pull the image) the
original source: comments, internal URLs, feature flags, sometimes keys.
They also enlarge the image. Upload them to your error tracker instead.

## How to fix
Turn source maps off for production builds (or emit them as hidden and
upload them to the error tracker in CI), and copy only the JavaScript.

```ts vite
// vite.config.ts
export default defineConfig({ build: { sourcemap: false } })
```

```json tsconfig
// tsconfig.build.json
{ "extends": "./tsconfig.json", "compilerOptions": { "sourceMap": false } }
```

```dockerfile
COPY --from=build /app/dist ./dist
RUN find ./dist -name '*.map' -delete
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from auditor.deploy.checkviews import chain_instructions, dockerfiles, root_image, run_commands, runtime_stage
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Instruction, exec_form
from auditor.project import Project
from auditor.registry import NotApplicable, check

_OUTPUT_DIRS = frozenset({"dist", "build", "out", ".next", "lib", ".output", "www"})
_VITE_LIKE = re.compile(r"\bsource[mM]ap\s*:\s*(true|[\"'](inline|hidden|external|both)[\"'])")
_WEBPACK = re.compile(r"\bdevtool\s*:\s*[\"'][\w-]*source-map[\"']")
_TSCONFIG_ON = re.compile(r"\"(sourceMap|inlineSourceMap)\"\s*:\s*true")
_TSCONFIG_OFF = re.compile(r"\"sourceMap\"\s*:\s*false")
_CLI_FLAG = re.compile(r"(?<![\w-])--(sourcemap|source-map|sourceMap|source-maps)(?!=?(false|none|0)\b)(?![\w-])")
_BUILD_RUN = re.compile(r"\b(npm|pnpm|yarn|bun)\s+(run\s+)?build\b|\btsc\b|\bvite\s+build\b|\bnest\s+build\b|"
                        r"\bnext\s+build\b|\btsup\b|\besbuild\b|\bwebpack\b")


Config = tuple[str, int | None, str]  # (path, line, the setting as written: "sourcemap: true")


def enabling_configs(project: Project) -> list[Config]:
    """(path, line, setting) of every build config or script that turns source maps on."""
    found: list[Config] = []
    ts_off = any(_TSCONFIG_OFF.search(project.read_text(p) or "")
                 for p in project.glob("tsconfig.build.json", "tsconfig.prod*.json", "tsconfig.production.json"))
    patterns = (
        (("vite.config.*", "tsup.config.*", "vitest.config.*", "rollup.config.*", "nuxt.config.*"), _VITE_LIKE),
        (("webpack.config.*", "webpack.*.js", "next.config.*"), _WEBPACK),
        (("package.json",), _CLI_FLAG),
    )
    for globs, pattern in patterns:
        for path in project.glob(*globs):
            if path.startswith("vitest.") or "/vitest." in path:
                continue  # test runner config, not a build
            found.extend(_matches(project, path, pattern))
    if not ts_off:
        for path in project.glob("tsconfig*.json"):
            if _TSCONFIG_OFF.search(project.read_text(path) or ""):
                continue
            found.extend(_matches(project, path, _TSCONFIG_ON))
    return found


def _matches(project: Project, path: str, pattern: re.Pattern[str]) -> list[Config]:
    text = project.read_text(path) or ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(("//", "#", "*")):
            continue
        match = pattern.search(line)
        if match:
            return [(path, number, match.group(0)[:60])]
    return []


def _applying(enabled: list[Config], source: str) -> list[Config]:
    """Configs that plausibly built ``source``: root configs, or ones whose directory names appear in it."""
    padded = "/" + source.strip("/") + "/"
    out = []
    for config in enabled:
        path = config[0]
        folder = posixpath.dirname(path)
        # A package's config applies to output under that package's folder (apps/web/... for
        # apps/web/vite.config.ts), not to every path sharing a word such as "apps".
        if not folder or path.lower().endswith(("dockerfile", ".dockerfile")) or f"/{folder}/" in padded \
                or f"/{posixpath.basename(folder)}/" in padded:
            out.append(config)
    return out


_STATIC_SERVERS = ("nginx", "caddy", "httpd", "apache", "lighttpd", "openresty", "static-web-server")


def serves_static(project: Project, image: str) -> bool:
    """True when the runtime image is a static file server (it serves whatever the build emitted)."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return any(name.startswith(server) for server in _STATIC_SERVERS)


def cause(config: Config) -> str:
    """``widget/vite.config.ts:6 sourcemap: true``: where source maps were turned on."""
    path, line, setting = config
    return f"{path}:{line} {setting}" if line else f"{path} {setting}"


def _sources(ins: Instruction) -> list[str]:
    parts = exec_form(ins.args)
    tokens = parts if parts is not None else ins.args.split()
    return tokens[:-1]


def _repo_maps_under(project: Project, source: str) -> bool:
    """True when the repo already holds *.map files under a context directory a COPY takes."""
    base = posixpath.normpath(source.strip("/")) if source not in {".", "./"} else ""
    for rel in project.glob("*.map"):
        if not base or rel == base or rel.startswith(base + "/"):
            return True
    return False


@check(id="DOCKER-SOURCE-MAPS", group="Source maps shipped to production", group_rank=0, severity=Severity.LOW, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=0.5,
       passed="Source maps kept out of the final image")
def source_maps(project: Project) -> Iterator[Finding]:
    """Report *.map files, or build output built with source maps, copied into the final image."""
    configs = enabling_configs(project)
    js_project = bool(project.glob("package.json", "tsconfig*.json", "*.map"))
    if not js_project:
        raise NotApplicable("no JavaScript/TypeScript build")
    if project.open_source_license:
        # The maps rebuild the original source, which an open-source repository publishes anyway.
        raise NotApplicable(f"the repository is open source ({project.open_source_license}): its source maps "
                            "reveal only public source")
    for dockerfile in dockerfiles(project):
        stage = runtime_stage(project, dockerfile)
        instructions = chain_instructions(dockerfile, stage)
        flagged: list[Config] = [(dockerfile.path, i.line, m.group(0)) for s in dockerfile.stages for i in s.of("RUN")
                                 if (m := _CLI_FLAG.search(i.command_text))]
        enabled: list[Config] = list(configs) or list(flagged[:1])
        if not serves_static(project, root_image(dockerfile, stage)):
            # tsc's sourceMap serves stack traces of server code (node --enable-source-maps); the
            # maps are never sent to browsers, so only bundler configs count for a server image.
            enabled = [c for c in enabled if not posixpath.basename(c[0]).startswith("tsconfig")]
        reported = False
        for ins in instructions:
            if ins.keyword not in {"COPY", "ADD"}:
                continue
            for source in _sources(ins):
                where = Location(path=dockerfile.path, line=ins.line)
                if source.endswith(".map") or source.endswith(".map*") or "*.map" in source:
                    root = _applying(enabled, source)
                    because = f"; source maps are turned on at {cause(root[0])}" if root else ""
                    yield Finding(message=f"{dockerfile.path}: copies source map {source} into the final image{because}",
                                  location=where, key=source, evidence=cause(root[0]) if root else "")
                    continue
                name = posixpath.basename(source.rstrip("/"))
                if name not in _OUTPUT_DIRS and source not in {".", "./"}:
                    continue
                if "from" not in ins.flags and _repo_maps_under(project, source):
                    yield Finding(message=f"{dockerfile.path}: {source} holds *.map files that ship in the image",
                                  location=where, key=source)
                elif name in _OUTPUT_DIRS and not reported and (applying := _applying(enabled, source)):
                    reported = True
                    config = applying[0]
                    yield Finding(
                        message=(f"{dockerfile.path}: copies build output {source}, built with source maps on "
                                 f"({cause(config)})"),
                        location=where, key=config[0], evidence=cause(config),
                    )
        if not reported and enabled:
            for ins, segment in run_commands(instructions):
                if _BUILD_RUN.search(segment):
                    config = enabled[0]
                    yield Finding(
                        message=(f"{dockerfile.path}: the final stage builds with source maps on "
                                 f"({cause(config)}), so the maps ship in the image"),
                        location=Location(path=dockerfile.path, line=ins.line), key=config[0],
                        evidence=cause(config),
                    )
                    break
