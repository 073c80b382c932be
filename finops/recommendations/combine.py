"""The total of all recommendations, without counting the same dollars twice (pure, no I/O).

Two recommendations often save the same dollars: routing a model to a cheaper one and caching its
prompts both cut its input bill, and retries that stop costing anything cannot also be cached. Each
recommendation therefore says which dollars it saves, as `claims` {"<model>:<bucket>": monthly dollars}
with buckets input, cache_read, cache_write, output, reasoning, or `all` when it saves whole calls.

How the total is computed (`total_savings(recommendations, baselines)`):

1. `baselines` gives the monthly cost of every claimed key: "<model>:<bucket>" and "<model>:all" (the
   model's whole monthly cost). When "<model>:all" is missing it is the sum of that model's buckets;
   what "<model>:all" holds beyond its listed buckets is kept as a bucket named "other".
2. Every claim becomes a fraction of its baseline, capped at 1: a $60 claim on a $100 input bill is
   0.6. An `all` claim is the same fraction of every bucket of its model ($20 of a $100 model is 20% of
   its input, 20% of its output, ...).
3. Within a bucket, the rules apply one after another in this fixed order, each on what the previous
   ones left:

       retries_and_loops, early_termination, model_routing, self_hosting, batch_eligibility,
       prompt_caching, context_pruning, tool_response_filtering, output_length

   (rules not in the list come after it, by name; equal rules keep their input order). Removing waste
   comes first (retried and failed calls are not worth routing or caching), then the choice of model and
   where it runs, then the price discounts, then the trimming of what is sent and generated. So

       combined = baseline x (1 - (1 - f1) x (1 - f2) x ...)

   which never exceeds the baseline: $60 and $30 claims on a $100 bucket combine to
   100 x (1 - 0.4 x 0.7) = $72, not $90. Each rule is credited with its marginal part,
   baseline x (what was left before it) x f_i: $60 for the first rule, 40 x 0.3 = $12 for the second.
4. Each bucket's combined savings is rounded to cents once, the per-rule parts are rounded so they add
   up to it exactly (largest remainder), and the total is the sum of the buckets, so the total, the
   bucket lines and the per-rule lines reconcile to the cent.

A bucket claim whose bucket has no baseline of its own is applied to "other" when the model has one.
Without any baseline a key can only be bounded: it counts its largest claim (a model with no baseline at
all counts the larger of its largest `all` claim and the sum of its buckets' largest claims). A
recommendation without claims is counted as it is, once, and listed under "unclaimed".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from finops.recommendations.money import CENT, cents
from finops.recommendations.types import Recommendation

PRIORITY: tuple[str, ...] = (
    "retries_and_loops",
    "early_termination",
    "model_routing",
    "self_hosting",
    "batch_eligibility",
    "prompt_caching",
    "context_pruning",
    "tool_response_filtering",
    "output_length",
)
BUCKETS: tuple[str, ...] = ("input", "cache_read", "cache_write", "output", "reasoning")
OTHER = "other"
ALL = "all"
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class _Claim:
    order: int  # position of the recommendation in the input
    rec: Recommendation
    key: str  # as claimed: "<model>:<bucket>" or "<model>:all"
    amount: Decimal


def _rank(claim: _Claim) -> tuple[int, str, int]:
    rule = claim.rec.rule
    position = PRIORITY.index(rule) if rule in PRIORITY else len(PRIORITY)
    return (position, "" if rule in PRIORITY else rule, claim.order)


def _split_key(key: str) -> tuple[str, str]:
    model, sep, bucket = key.rpartition(":")
    return (model, bucket) if sep else (key, ALL)


def _allocate(exact: Sequence[Decimal], total: Decimal) -> list[Decimal]:
    """Round `exact` parts to cents so they add up to `total` (largest remainder, ties to the earlier)."""
    floors = [part.quantize(CENT, rounding=ROUND_DOWN) for part in exact]
    left = int((total - sum(floors, ZERO)) / CENT)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[: max(0, left)]:
        floors[i] += CENT
    return floors


def _line(claim: _Claim, claimed: Decimal, fraction: Decimal | None, counted: Decimal) -> dict[str, Any]:
    return {
        "rule": claim.rec.rule,
        "scope": claim.rec.scope.label(),
        "title": claim.rec.title,
        "via": claim.key,
        "claimed": str(cents(claimed)),
        "fraction": None if fraction is None else str(fraction.quantize(Decimal("0.0001"))),
        "counted": str(counted),
    }


def _combine_bucket(
    key: str, baseline: Decimal, claims: Sequence[tuple[_Claim, Decimal]]
) -> tuple[Decimal, dict[str, Any], list[tuple[str, Decimal]]]:
    """One bucket with a known baseline; `claims` are (claim, fraction of this bucket), in priority order."""
    left = ONE
    exact: list[Decimal] = []
    for _, fraction in claims:
        exact.append(baseline * left * fraction)
        left *= ONE - fraction
    combined = cents(baseline * (ONE - left))
    counted = _allocate(exact, combined)
    lines = [
        _line(claim, baseline * fraction, fraction, part)
        for (claim, fraction), part in zip(claims, counted, strict=True)
    ]
    entry = {"key": key, "baseline": str(cents(baseline)), "combined": str(combined), "claims": lines}
    return combined, entry, [(claim.rec.rule, part) for (claim, _), part in zip(claims, counted, strict=True)]


def _fraction(amount: Decimal, baseline: Decimal) -> Decimal:
    if baseline <= 0 or amount <= 0:
        return ZERO
    return min(ONE, amount / baseline)


def _model_with_baselines(
    model: str, claims: Sequence[_Claim], buckets: dict[str, Decimal], model_total: Decimal
) -> tuple[Decimal, list[dict[str, Any]], list[tuple[str, Decimal]]]:
    """Every bucket of one model: its own claims plus the model's `all` claims, combined in priority order."""
    all_fractions = {id(c): _fraction(c.amount, model_total) for c in claims if _split_key(c.key)[1] == ALL}
    per_bucket: dict[str, list[tuple[_Claim, Decimal]]] = defaultdict(list)
    unbounded: dict[str, list[_Claim]] = defaultdict(list)
    for claim in claims:  # already in priority order
        bucket = _split_key(claim.key)[1]
        if bucket == ALL:
            for name in buckets:
                per_bucket[name].append((claim, all_fractions[id(claim)]))
        elif bucket in buckets:
            per_bucket[bucket].append((claim, _fraction(claim.amount, buckets[bucket])))
        elif OTHER in buckets:  # a bucket without its own baseline is part of the model's unlisted cost
            per_bucket[OTHER].append((claim, _fraction(claim.amount, buckets[OTHER])))
        else:
            unbounded[bucket].append(claim)
    total, entries, credits = ZERO, [], []
    for name, baseline in buckets.items():
        if not per_bucket[name]:
            continue
        combined, entry, rule_parts = _combine_bucket(f"{model}:{name}", baseline, per_bucket[name])
        total += combined
        entries.append(entry)
        credits.extend(rule_parts)
    for name, bucket_claims in unbounded.items():
        combined, entry, rule_parts = _largest_only(f"{model}:{name}", bucket_claims)
        total += combined
        entries.append(entry)
        credits.extend(rule_parts)
    return total, entries, credits


def _largest_only(key: str, claims: Sequence[_Claim]) -> tuple[Decimal, dict[str, Any], list[tuple[str, Decimal]]]:
    """A key without a baseline: only its largest claim counts (the others may overlap it entirely)."""
    best = max(range(len(claims)), key=lambda i: (claims[i].amount, -i))
    lines, credits = [], []
    for i, claim in enumerate(claims):
        counted = cents(max(claim.amount, ZERO)) if i == best else ZERO.quantize(CENT)
        lines.append(_line(claim, claim.amount, None, counted))
        credits.append((claim.rec.rule, counted))
    combined = cents(max(claims[best].amount, ZERO))
    entry = {"key": key, "baseline": None, "combined": str(combined), "claims": lines, "note": "no baseline"}
    return combined, entry, credits


def _model_without_baselines(
    model: str, claims: Sequence[_Claim]
) -> tuple[Decimal, list[dict[str, Any]], list[tuple[str, Decimal]]]:
    """No baseline at all: the larger of the largest `all` claim and the sum of each bucket's largest."""
    groups: dict[str, list[_Claim]] = defaultdict(list)
    for claim in claims:
        groups[_split_key(claim.key)[1]].append(claim)
    all_claims = groups.pop(ALL, [])
    bucket_best = sum((max(max(c.amount for c in g), ZERO) for g in groups.values()), ZERO)
    all_best = max((max(c.amount, ZERO) for c in all_claims), default=ZERO)
    if all_claims and all_best > bucket_best:
        keep, drop = [(ALL, all_claims)], list(groups.items())
    else:
        keep, drop = list(groups.items()), ([(ALL, all_claims)] if all_claims else [])
    total, entries, credits = ZERO, [], []
    for bucket, group in keep:
        combined, entry, rule_parts = _largest_only(f"{model}:{bucket}", group)
        total += combined
        entries.append(entry)
        credits.extend(rule_parts)
    for bucket, group in drop:
        lines = [_line(c, c.amount, None, ZERO.quantize(CENT)) for c in group]
        note = "no baseline; overlapped by the model's other claims"
        entries.append(
            {"key": f"{model}:{bucket}", "baseline": None, "combined": "0.00", "claims": lines, "note": note}
        )
        credits.extend((c.rec.rule, ZERO) for c in group)
    return total, entries, credits


def total_savings(
    recommendations: Iterable[Recommendation], baselines: Mapping[str, Decimal] | None = None
) -> tuple[Decimal, dict[str, Any]]:
    """The monthly savings of all `recommendations` together, in cents, and a breakdown explaining it.

    `baselines`: monthly cost per "<model>:<bucket>" and "<model>:all" (see the module docstring for the
    method). The breakdown holds `total`, `naive_sum` (the plain sum of monthly_savings), `overlap`
    (naive_sum - total), the `priority` order, one entry per claimed key (baseline, combined, and each
    claim with the fraction it was applied as and the dollars it was credited with), `by_rule` (credited
    dollars per rule; they add up to the total) and `unclaimed`.
    """
    baselines = baselines or {}
    recs = list(recommendations)
    by_model: dict[str, list[_Claim]] = defaultdict(list)
    unclaimed: list[Recommendation] = []
    for order, rec in enumerate(recs):
        if not rec.claims:
            unclaimed.append(rec)
            continue
        for key, amount in rec.claims.items():
            model, bucket = _split_key(key)
            by_model[model].append(_Claim(order, rec, f"{model}:{bucket}", Decimal(amount)))

    total, entries = ZERO, []
    by_rule: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for model in sorted(by_model):
        claims = sorted(by_model[model], key=_rank)
        buckets = {b: Decimal(baselines[f"{model}:{b}"]) for b in BUCKETS if f"{model}:{b}" in baselines}
        model_total = baselines.get(f"{model}:{ALL}")
        if model_total is None and buckets:
            model_total = sum(buckets.values(), ZERO)
        if model_total is None:
            model_sum, model_entries, credits = _model_without_baselines(model, claims)
        else:
            model_total = Decimal(model_total)
            rest = model_total - sum(buckets.values(), ZERO)
            if rest > 0:
                buckets[OTHER] = rest
            model_sum, model_entries, credits = _model_with_baselines(model, claims, buckets, model_total)
        total += model_sum
        entries.extend(model_entries)
        for rule, amount in credits:
            by_rule[rule] += amount

    unclaimed_lines = []
    for rec in unclaimed:
        amount = cents(max(rec.monthly_savings, ZERO))
        total += amount
        by_rule[rec.rule] += amount
        unclaimed_lines.append(
            {"rule": rec.rule, "scope": rec.scope.label(), "title": rec.title, "counted": str(amount)}
        )

    total = cents(total)  # already whole cents: this only fixes the exponent of an empty total
    naive = cents(sum((rec.monthly_savings for rec in recs), ZERO))
    breakdown: dict[str, Any] = {
        "total": str(total),
        "naive_sum": str(naive),
        "overlap": str(naive - total),
        "method": "per <model>:<bucket>: baseline x (1 - prod(1 - claim / baseline)), rules in priority order",
        "priority": list(PRIORITY),
        "keys": entries,
        "by_rule": {rule: str(amount) for rule, amount in sorted(by_rule.items())},
        "unclaimed": unclaimed_lines,
    }
    return total, breakdown
