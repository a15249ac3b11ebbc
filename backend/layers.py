"""What import-linter cannot see: a template of a lower layer naming a URL of a higher
one (`impact > marketplace > cohesion > places > coins > notifications > accounts >
outbox`), or the board's and the rewards' templates naming each other's. The shell
(backend) may name anything."""

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

# Highest first, as in pyproject.toml's layers contract; third-party pages count as the
# layer they serve (allauth's as accounts; the API docs and the admin, any layer may link).
LAYERS = [
    "backend",
    "impact",
    "marketplace",
    "cohesion",
    "places",
    "coins",
    "notifications",
    "accounts",
    "outbox",
]
SIBLINGS = {"marketplace.board", "marketplace.rewards"}
PACKAGE_LAYER = {"allauth": "accounts"}
# Who owns each folder of templates/ (files at the top belong to the shell).
TEMPLATE_OWNERS = {
    "account": "accounts",
    "allauth": "accounts",
    "notifications": "notifications",
    "offline.html": "notifications",
    "sw.js": "notifications",
    "coins": "coins",
    "sponsor": "coins",
    "council": "marketplace",
    "board": "marketplace.board",
    "organise": "marketplace.board",
    "rewards": "marketplace.rewards",
    "shop": "marketplace.rewards",
    "includes": "backend",
    "impact": "impact",
    "pulse": "cohesion",
    "places": "places",
    "platform": "backend",
}
URL_TAG = re.compile(r"""\{%\s*url\s+['"]([\w:-]+)['"]""")


def url_owners() -> dict[str, str]:
    """Every URL name ("coins:wallet") and the module path of the code that serves it."""
    owners: dict[str, str] = {}

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, namespace)
            elif pattern.name:
                view = pattern.callback
                while isinstance(view, partial):
                    view = view.func
                owners[prefix + pattern.name] = view.__module__

    walk(get_resolver().url_patterns, "")
    return owners


def owner_of(module: str) -> str:
    """ "marketplace.board.views" -> "marketplace.board"; "coins.views" -> "coins"."""
    parts = module.split(".")
    if ".".join(parts[:2]) in SIBLINGS:
        return ".".join(parts[:2])
    # Any other package's pages (a library's) may be linked from every layer.
    return PACKAGE_LAYER.get(parts[0], parts[0] if parts[0] in LAYERS else LAYERS[-1])


def refusal(template_owner: str, url_owner: str) -> str:
    """Why a template of one owner may not name a URL of the other, or ""."""
    mine, theirs = (LAYERS.index(owner.split(".")[0]) for owner in (template_owner, url_owner))
    if theirs < mine:
        return f"{template_owner} is below {url_owner}"
    if {template_owner, url_owner} == SIBLINGS:
        return "the board and the rewards never name each other"
    return ""


def template_problems(templates: Path) -> Iterator[str]:
    """One line per URL name that a template's layer may not use (or a template whose
    owner is unknown)."""
    owners = url_owners()
    for path in sorted(templates.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(templates)
        owner = TEMPLATE_OWNERS.get(rel.parts[0], "backend" if len(rel.parts) == 1 else "")
        if not owner:
            yield f"{rel}: no owner for templates/{rel.parts[0]}/ in backend/layers.py"
            continue
        for name in URL_TAG.findall(path.read_text(errors="replace")):
            module = owners.get(name)
            why = refusal(owner, owner_of(module)) if module else f"no URL is named {name}"
            if why:
                yield f"{rel}: names '{name}' ({why})"
