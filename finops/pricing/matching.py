"""Finding the price version for a call (pure, in memory).

Precedence, first match wins:
1. scope: the project's custom prices, then the built-in catalog;
2. within a scope, the name as reported, then (in order) each normalised spelling of it (host and
   vendor prefixes dropped, Bedrock version suffixes dropped, Vertex `@date` and dated snapshot
   suffixes dropped), each tried as canonical name, then as explicit alias, then against patterns;
3. for one name: an entry for the call's provider, then a generic entry (no provider), then, as a
   last resort, an entry of another provider for the same model (an OpenAI model served by Azure is
   priced at OpenAI's list price unless the catalog has an Azure entry);
4. the version in force at the call's start time: effective_from <= start < effective_to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from finops.pricing.prices import PriceVersion

_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3})$")
_BEDROCK_REGION = re.compile(r"^(us|eu|apac|ap|global|us-gov|jp|au|ca)\.")
_BEDROCK_VENDOR = re.compile(r"^(anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer)\.")
_BEDROCK_VERSION = re.compile(r"-v\d+(:\d+)?$|:\d+$")
_LATEST = re.compile(r"-latest$")


def name_candidates(model: str) -> list[str]:
    """The model name as reported, then progressively normalised spellings (no duplicates)."""
    seen: list[str] = []

    def add(name: str) -> None:
        if name and name not in seen:
            seen.append(name)

    name = model.strip().lower()
    add(name)
    if "/" in name:  # "anthropic/claude-...", "models/gemini-...", "publishers/google/models/..."
        name = name.rsplit("/", 1)[1]
        add(name)
    stripped = _BEDROCK_VENDOR.sub("", _BEDROCK_REGION.sub("", name))
    stripped = _BEDROCK_VERSION.sub("", stripped)
    add(stripped)
    if "@" in stripped:  # Vertex: claude-sonnet-4-5@20250929
        base, _, snapshot = stripped.partition("@")
        add(f"{base}-{snapshot}" if snapshot and snapshot != "latest" else base)
        stripped = base
        add(stripped)
    undated = _LATEST.sub("", _DATE_SUFFIX.sub("", stripped))
    add(undated)
    return seen


def version_matches_name(catalog_name: str, call_model: str) -> bool:
    """Whether a call reporting `call_model` could be priced by an entry named `catalog_name`."""
    return catalog_name.lower() in name_candidates(call_model)


@dataclass(slots=True)
class _Scope:
    by_name: dict[str, list[PriceVersion]]
    by_alias: dict[str, list[PriceVersion]]
    patterned: list[tuple[re.Pattern[str], PriceVersion]]


def _build_scope(versions: Iterable[PriceVersion]) -> _Scope:
    by_name: dict[str, list[PriceVersion]] = defaultdict(list)
    by_alias: dict[str, list[PriceVersion]] = defaultdict(list)
    patterned: list[tuple[re.Pattern[str], PriceVersion]] = []
    for version in versions:
        by_name[version.model.lower()].append(version)
        for alias in version.aliases:
            by_alias[alias.lower()].append(version)
        for pattern in version.patterns:
            patterned.append((_compiled(pattern), version))
    return _Scope(dict(by_name), dict(by_alias), patterned)


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class PriceBook:
    """All price versions, indexed for lookups by (project, provider, model, time)."""

    def __init__(self, versions: Iterable[PriceVersion], revision: int = 0) -> None:
        grouped: dict[int | None, list[PriceVersion]] = defaultdict(list)
        for version in versions:
            grouped[version.project_id].append(version)
        self._scopes = {project_id: _build_scope(items) for project_id, items in grouped.items()}
        self.revision = revision
        self._cache: dict[tuple[int | None, str | None, str], tuple[PriceVersion, ...]] = {}

    def lookup(
        self, project_id: int | None, provider: str | None, model: str | None, at: datetime
    ) -> PriceVersion | None:
        if not model:
            return None
        key = (project_id, provider, model)
        candidates = self._cache.get(key)
        if candidates is None:
            candidates = tuple(self._ordered_candidates(project_id, provider, model))
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[key] = candidates
        # Candidates come in precedence order and, within one entry set, any version order: the
        # first entry set that has a version in force at `at` decides.
        for version in candidates:
            if version.in_force_at(at):
                return version
        return None

    def _ordered_candidates(self, project_id: int | None, provider: str | None, model: str) -> Iterator[PriceVersion]:
        scopes = [project_id, None] if project_id is not None else [None]
        for scope_id in scopes:
            scope = self._scopes.get(scope_id)
            if scope is None:
                continue
            for name in name_candidates(model):
                for group in (
                    scope.by_name.get(name, []),
                    scope.by_alias.get(name, []),
                    [version for pattern, version in scope.patterned if pattern.fullmatch(name)],
                ):
                    yield from _by_provider_preference(group, provider)

    def versions(self) -> Iterator[PriceVersion]:
        for scope in self._scopes.values():
            seen: set[int] = set()
            for group in scope.by_name.values():
                for version in group:
                    if id(version) not in seen:
                        seen.add(id(version))
                        yield version


def _by_provider_preference(group: list[PriceVersion], provider: str | None) -> Iterator[PriceVersion]:
    exact = [v for v in group if provider is not None and v.provider == provider]
    generic = [v for v in group if v.provider is None]
    others = sorted((v for v in group if v.provider is not None and v.provider != provider), key=_provider_key)
    yield from _newest_first(exact)
    yield from _newest_first(generic)
    yield from _newest_first(others)


# Clouds and inference hosts that resell other makers' models. When a call's own host has no entry,
# the maker's list price is a better guess than another reseller's.
HOSTING_PROVIDERS = frozenset({
    "azure.ai.openai", "azure.ai.inference", "aws.bedrock", "gcp.vertex_ai", "groq", "together_ai",
    "fireworks_ai", "deepinfra", "openrouter", "perplexity", "ibm.watsonx.ai", "cerebras", "sambanova",
})  # fmt: skip


def _provider_key(version: PriceVersion) -> tuple[bool, str]:
    provider = version.provider or ""
    return (provider in HOSTING_PROVIDERS, provider)


def _newest_first(versions: list[PriceVersion]) -> list[PriceVersion]:
    return sorted(versions, key=lambda v: v.effective_from, reverse=True)
