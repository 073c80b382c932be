"""Attribution (who and what a call belongs to) found on one attribute dict.

The same reader serves a span, its ancestors and its resource; the caller walks that precedence.
Within one dict, keys are tried in the order below: our own `finops.*` names first (set on purpose
by the user), then the OTel standard, then other dialects' names.
"""

from __future__ import annotations

from finops.ingest.dialects.values import Attributes, first_text, lower
from finops.ingest.records import Attribution

_TRACELOOP_PROPS = "traceloop.association.properties."
_LANGFUSE_META = "langfuse.trace.metadata."


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


def read_attribution(attributes: Attributes) -> Attribution:
    """Attribution found on one attribute dict; `sources` maps field -> attribute key used."""
    result = Attribution()
    for name, keys in ATTRIBUTION_KEYS.items():
        found = first_text(attributes, keys)
        if found is None and name == "agent_name":
            found = _traceloop_agent(attributes)
        if found is not None:
            value, key = found
            setattr(result, name, value)
            result.sources[name] = key
    return result


def _traceloop_agent(attributes: Attributes) -> tuple[str, str] | None:
    # traceloop.entity.name names whatever the decorator wrapped (workflow, task, tool); it is an
    # agent's name only on a span Traceloop marked as an agent.
    if lower(attributes.get("traceloop.span.kind")) != "agent":
        return None
    return first_text(attributes, ("traceloop.entity.name",))
