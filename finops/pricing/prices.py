"""Price versions as plain data (no I/O): what one model cost per 1M tokens from a given date.

A missing cache or reasoning price falls back as providers bill it: cache writes at the input price,
1-hour cache writes at the cache write price, cache reads at the input price, reasoning at the
output price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Tier(StrEnum):
    FRONTIER = "frontier"
    MID = "mid"
    SMALL = "small"
    EMBEDDING = "embedding"


@dataclass(frozen=True, slots=True)
class Rates:
    """USD (or the version's currency) per 1M tokens of each bucket."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None
    reasoning: Decimal | None = None

    @property
    def effective_cache_read(self) -> Decimal:
        return self.cache_read if self.cache_read is not None else self.input

    @property
    def effective_cache_write(self) -> Decimal:
        return self.cache_write if self.cache_write is not None else self.input

    @property
    def effective_cache_write_1h(self) -> Decimal:
        return self.cache_write_1h if self.cache_write_1h is not None else self.effective_cache_write

    @property
    def effective_reasoning(self) -> Decimal:
        return self.reasoning if self.reasoning is not None else self.output


@dataclass(frozen=True, slots=True)
class LongContextTier:
    """Above `threshold_input_tokens` prompt tokens the whole request is billed at `rates`."""

    threshold_input_tokens: int
    rates: Rates


@dataclass(frozen=True, slots=True)
class PriceVersion:
    model: str
    rates: Rates
    effective_from: datetime
    provider: str | None = None  # None: applies to the model whatever host serves it
    effective_to: datetime | None = None  # exclusive; None: still in force
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()  # anchored regexes over the lowercased model name
    tier: Tier | None = None
    kind: str = "chat"
    currency: str = "USD"
    long_context: LongContextTier | None = None
    batch_discount: Decimal | None = None  # fraction off with the provider's batch API, e.g. 0.5
    request_fee: Decimal | None = None  # fixed fee per request
    open_weight: bool = False
    source: str | None = None
    as_of: date | None = None
    project_id: int | None = None  # None: built-in catalog; else that project's custom price
    id: int | None = None  # database id once stored

    def in_force_at(self, moment: datetime) -> bool:
        return self.effective_from <= moment and (self.effective_to is None or moment < self.effective_to)
