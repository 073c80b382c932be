"""Attribution (who and what a call belongs to) found on one attribute dict.

The same reader serves a span, its ancestors and its resource; the caller walks that precedence.
Within one dict, keys are tried in the order below: our own `finops.*` names first (set on purpose
by the user), then the OTel standard, then other dialects' names.
"""

from __future__ import annotations

from finops.ingest.dialects.values import Attributes, first_text, lower, text
from finops.ingest.records import Attribution

_TRACELOOP_PROPS = "traceloop.association.properties."
_LANGFUSE_META = "langfuse.trace.metadata."
_TRACELOOP_KIND_KEY = "traceloop.span.kind"


def _tagged(own: str, name: str) -> tuple[str, ...]:
    # Traceloop association properties and Langfuse trace metadata are the free-form tag bags of
    # those SDKs; users put team / cost centre there under the same plain names.
    return (own, _TRACELOOP_PROPS + name, _LANGFUSE_META + name)


ATTRIBUTION_KEYS: dict[str, tuple[str, ...]] = {
    "workflow_name": (
        "finops.workflow.name",
        "gen_ai.workflow.name",
        "traceloop.workflow.name",
        "langfuse.trace.name",
    ),
    "workflow_id": ("finops.workflow.id",),
    "agent_name": ("finops.agent.name", "gen_ai.agent.name", "agent.name"),
    "team": _tagged("finops.team", "team"),
    "cost_center": _tagged("finops.cost_center", "cost_center"),
    "feature": _tagged("finops.feature", "feature"),
    "customer": _tagged("finops.customer", "customer"),
    "user_id": (
        "finops.user.id",
        "user.id",
        "enduser.id",
        "langfuse.user.id",
        _TRACELOOP_PROPS + "user_id",
    ),
    "session_id": (
        "session.id",
        "gen_ai.conversation.id",
        "langfuse.session.id",
        _TRACELOOP_PROPS + "session_id",
    ),
    "environment": (
        "deployment.environment.name",
        "deployment.environment",
        "gen_ai.environment",
        "langfuse.environment",
    ),
    "service_name": ("service.name", "gen_ai.application_name"),
}


def _fields_by_key() -> dict[str, tuple[tuple[str, int], ...]]:
    """Attribute key -> every (field, rank of the key among that field's keys) it can fill."""
    table: dict[str, tuple[tuple[str, int], ...]] = {}
    for name, keys in ATTRIBUTION_KEYS.items():
        for rank, key in enumerate(keys):
            table[key] = (*table.get(key, ()), (name, rank))
    return table


# A span carries far fewer attributes than the ~40 keys above, so looking up only the keys it has
# beats probing every key of every field.
_FIELDS_BY_KEY = _fields_by_key()


def read_attribution(attributes: Attributes) -> Attribution:
    """Attribution found on one attribute dict; `sources` maps field -> attribute key used."""
    # field -> (rank, value, key) of the best-ranked key seen so far holding a non-blank label;
    # the lowest rank wins, which is the first key in ATTRIBUTION_KEYS order holding one.
    found: dict[str, tuple[int, str, str]] = {}
    for key in attributes.keys() & _FIELDS_BY_KEY.keys():
        for name, rank in _FIELDS_BY_KEY[key]:
            best = found.get(name)
            if best is not None and best[0] < rank:
                continue
            value = text(attributes[key])
            if value is not None:
                found[name] = (rank, value, key)
    result = Attribution()
    if not found and _TRACELOOP_KIND_KEY not in attributes:
        return result
    # Filled in ATTRIBUTION_KEYS order, so `sources` lists fields in the same order as ever.
    for name in ATTRIBUTION_KEYS:
        best = found.get(name)
        if best is not None:
            _, value, key = best
        elif name == "agent_name" and (fallback := _traceloop_agent(attributes)) is not None:
            value, key = fallback
        else:
            continue
        setattr(result, name, value)
        result.sources[name] = key
    return result


def _traceloop_agent(attributes: Attributes) -> tuple[str, str] | None:
    # traceloop.entity.name names whatever the decorator wrapped (workflow, task, tool); it is an
    # agent's name only on a span Traceloop marked as an agent.
    if lower(attributes.get(_TRACELOOP_KIND_KEY)) != "agent":
        return None
    return first_text(attributes, ("traceloop.entity.name",))
