"""Running the recommendation rules for a project and keeping the stored list current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from finops.alerts.types import Scope
from finops.pricing.matching import PriceBook
from finops.pricing.prices import PriceVersion
from finops.recommendations import repository, rules_usage, rules_waste
from finops.recommendations.combine import total_savings
from finops.recommendations.types import ContextGrowth, ModelPrice, Recommendation, ToolOutputProfile, UsageProfile

LOOKBACK = timedelta(days=30)
WINDOW_TURNS = 10
BUCKETS = ("input", "cache_read", "cache_write", "output", "reasoning")


@dataclass(slots=True)
class RecommendationReport:
    produced: int = 0
    resolved: int = 0
    total_monthly_savings: Decimal = Decimal(0)


def model_price(version: PriceVersion) -> ModelPrice:
    rates = version.rates
    return ModelPrice(
        model=version.model, provider=version.provider, tier=version.tier.value if version.tier else None,
        input=rates.input, output=rates.output, cache_read=rates.cache_read, cache_write=rates.cache_write,
        batch_discount=version.batch_discount, open_weight=version.open_weight,
    )  # fmt: skip


def catalog_prices(book: PriceBook, now: datetime) -> list[ModelPrice]:
    """Built-in chat models in force now: the candidates a cheaper or open-weight model is chosen from."""
    newest: dict[tuple[str | None, str], PriceVersion] = {}
    for version in book.versions():
        if version.project_id is None and version.kind == "chat" and version.in_force_at(now):
            key = (version.provider, version.model)
            if key not in newest or version.effective_from > newest[key].effective_from:
                newest[key] = version
    return [model_price(version) for version in newest.values()]


def _profile(row: dict[str, Any], days: Decimal) -> UsageProfile:
    values = {name: row[name] for name in UsageProfile.__dataclass_fields__ if name in row and name != "days"}
    values["operations"] = tuple(row["operations"] or ())
    values["example_trace_ids"] = tuple(row["example_trace_ids"] or ())
    values["max_tokens_p50"] = int(row["max_tokens_p50"]) if row["max_tokens_p50"] is not None else None
    for name in ("prompt_p10", "prompt_p50", "output_p50", "output_p90"):
        values[name] = int(row[name] or 0)
    return UsageProfile(days=days, **values)


def recommend(
    conn: Connection, project_id: int, book: PriceBook, now: datetime, gpu_hourly_cost: Decimal
) -> list[Recommendation]:
    since = now - LOOKBACK
    days = Decimal(LOOKBACK.days)
    candidates = catalog_prices(book, now)
    cheaper_than = {"frontier": ("mid", "small"), "mid": ("small",)}
    found: list[Recommendation] = []

    def price_of(model: str, provider: str | None) -> ModelPrice | None:
        version = book.lookup(project_id, provider, model, now)
        return model_price(version) if version is not None else None

    for row in repository.usage_profiles(conn, project_id, since, per_agent=True):
        profile = _profile(row, days)
        price = price_of(profile.model, profile.provider)
        if price is not None:
            cheaper = [c for c in candidates if c.tier in cheaper_than.get(price.tier or "", ())]
            found += [
                rec for rec in (
                    rules_usage.model_routing(profile, price, cheaper),
                    rules_usage.prompt_caching(profile, price),
                    rules_usage.output_length(profile, price),
                    rules_usage.batch_eligibility(profile, price),
                ) if rec is not None
            ]  # fmt: skip
        found += [
            rec for rec in (rules_waste.retries_and_loops(profile), rules_waste.early_termination(profile)) if rec
        ]
    for row in repository.usage_profiles(conn, project_id, since, per_agent=False):
        profile = _profile(row, days)
        price = price_of(profile.model, profile.provider)
        if price is None:
            continue
        alternative = _open_weight_alternative(price, candidates)
        rec = rules_waste.self_hosting(profile, price, alternative, gpu_hourly_cost)
        if rec is not None:
            found.append(rec)
    for row in repository.context_growth(conn, project_id, since, WINDOW_TURNS):
        price = price_of(row["model"], None) if row["model"] else None
        if price is None:
            continue
        growth = ContextGrowth(
            workflow=row["workflow"], model=row["model"], days=days, long_runs=row["long_runs"], calls=row["calls"],
            avg_calls_per_run=Decimal(row["calls"]) / Decimal(row["long_runs"]), prompt_tokens=row["prompt_tokens"],
            first_turns_avg_prompt=row["first_turns_avg_prompt"], last_turns_avg_prompt=row["last_turns_avg_prompt"],
            growth_per_turn=Decimal(row["growth_per_turn"]), tokens_above_window=row["tokens_above_window"],
            window_turns=WINDOW_TURNS, input_price=price.input, example_trace_ids=tuple(row["example_trace_ids"] or ()),
        )  # fmt: skip
        rec = rules_usage.context_pruning(growth)
        if rec is not None:
            found.append(rec)
    for row in repository.tool_outputs(conn, project_id, since):
        next_price = price_of(row["next_model"], row["next_provider"]) if row["next_model"] else None
        tool = ToolOutputProfile(
            tool=row["tool"], agent=None, days=days, calls=row["calls"], output_chars=row["output_chars"] or 0,
            avg_output_chars=row["avg_output_chars"] or 0, next_model=row["next_model"],
            next_input_price=next_price.input if next_price else None,
            example_trace_ids=tuple(row["example_trace_ids"] or ()),
        )  # fmt: skip
        rec = rules_waste.tool_response_filtering(tool)
        if rec is not None:
            found.append(rec)
    return found


def _open_weight_alternative(price: ModelPrice, candidates: list[ModelPrice]) -> ModelPrice | None:
    if price.open_weight:
        return price
    same_tier = [c for c in candidates if c.open_weight and c.tier == price.tier]
    return min(same_tier, key=lambda c: (c.input + c.output, c.model), default=None)


def baselines(conn: Connection, project_id: int, now: datetime) -> dict[str, Decimal]:
    """Monthly cost per "<model>:<bucket>" and "<model>:all": what claims are capped at."""
    result: dict[str, Decimal] = {}
    scale = Decimal(30) / Decimal(LOOKBACK.days)
    for row in repository.usage_profiles(conn, project_id, now - LOOKBACK, per_agent=False):
        for bucket in BUCKETS:
            result[f"{row['model']}:{bucket}"] = row[f"cost_{bucket}"] * scale
        result[f"{row['model']}:all"] = row["cost_total"] * scale
    return result


def refresh(
    conn: Connection, project_id: int, book: PriceBook, gpu_hourly_cost: Decimal, now: datetime | None = None
) -> RecommendationReport:
    moment = now or datetime.now(UTC)
    recommendations = recommend(conn, project_id, book, moment, gpu_hourly_cost)
    keys = []
    for rec in recommendations:
        # the models it concerns are part of its identity: one agent may waste on two models
        models = ",".join(sorted({claim.split(":", 1)[0] for claim in rec.claims}))
        key = f"{rec.rule}:{rec.scope.kind}:{rec.scope.value or '*'}:{models}"
        keys.append(key)
        repository.upsert(
            conn, project_id,
            {"key": key, "rule": rec.rule, "scope_kind": rec.scope.kind, "scope_value": rec.scope.value,
             "title": rec.title, "monthly_savings": rec.monthly_savings, "confidence": rec.confidence,
             "evidence": rec.evidence, "example_trace_ids": list(rec.example_trace_ids), "risk": rec.risk,
             "claims": {k: str(v) for k, v in rec.claims.items()}},
        )  # fmt: skip
    resolved = repository.resolve_missing(conn, project_id, keys)
    total, _ = total_savings(recommendations, baselines(conn, project_id, moment))
    return RecommendationReport(produced=len(recommendations), resolved=resolved, total_monthly_savings=total)


def as_recommendation(row: dict[str, Any]) -> Recommendation:
    return Recommendation(
        rule=row["rule"], scope=Scope(row["scope_kind"], row["scope_value"]), title=row["title"],
        monthly_savings=row["monthly_savings"], confidence=row["confidence"], evidence=row["evidence"],
        example_trace_ids=tuple(row["example_trace_ids"] or ()), risk=row["risk"],
        claims={k: Decimal(v) for k, v in (row["claims"] or {}).items()},
    )  # fmt: skip
