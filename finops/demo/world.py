"""The demo company: its services (OTel resources), teams, cost centers and customers."""

from __future__ import annotations

import random


# service.name -> resource attributes. Team and cost center sit on the resource, as README advises
# (OTEL_RESOURCE_ATTRIBUTES), so every call of a service is attributed even before its root arrives.
def _resource(team: str, cost_center: str, environment: str = "production") -> dict[str, str]:
    return {"finops.team": team, "finops.cost_center": cost_center, "deployment.environment.name": environment}


SERVICES: dict[str, dict[str, str]] = {
    "support-bot": _resource("support", "CC-4100"),
    "research-agent": _resource("growth", "CC-2200"),
    "billing-pipeline": _resource("finance", "CC-1300"),
    "crm-assistant": _resource("sales", "CC-2100"),
    "contract-desk": _resource("legal", "CC-1500"),
    "reporting-batch": _resource("analytics", "CC-3100", "batch"),  # nightly, nobody waiting: batch-eligible
    "devbot": _resource("platform", "CC-5000", "staging"),
}

# A long tail: a few big customers produce most of the traffic, as in most B2B products.
CUSTOMERS = (
    "acme-corp", "globex", "initech", "umbrella", "hooli", "stark-industries", "wayne-enterprises", "wonka",
    "tyrell", "cyberdyne", "soylent", "aperture",
)  # fmt: skip
_CUSTOMER_WEIGHTS = tuple(1 / (rank + 1) for rank in range(len(CUSTOMERS)))

# The customer whose ticket flood makes the cost spike in the last complete hour.
SPIKE_CUSTOMER = "globex"

NIGHTLY_REPORTS = (
    "revenue-daily", "churn-watch", "usage-by-plan", "pipeline-health", "support-sla", "infra-spend",
    "cohort-retention", "ar-aging", "nps-digest", "forecast-variance", "seat-expansion", "refund-audit",
)  # fmt: skip


def pick_customer(rng: random.Random) -> str:
    return rng.choices(CUSTOMERS, weights=_CUSTOMER_WEIGHTS)[0]


def interactive(rng: random.Random, users: int = 400) -> dict[str, str]:
    """user.id and session.id of someone waiting for the answer (what makes a call interactive)."""
    return {"user.id": f"user-{rng.randint(1, users):04d}", "session.id": f"sess-{rng.getrandbits(48):012x}"}
