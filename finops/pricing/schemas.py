"""JSON shapes of /api/v1/prices."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator, model_validator

from finops.pricing.models import PriceVersionRow
from finops.pricing.prices import LongContextTier, PriceVersion, Rates, Tier

NonNegative = Field(ge=0)


class LongContextIn(BaseModel):
    threshold_input_tokens: int = Field(gt=0, description="Prompt tokens above which the tier applies")
    input: Decimal = NonNegative
    output: Decimal = NonNegative
    cache_read: Decimal | None = Field(default=None, ge=0)
    cache_write: Decimal | None = Field(default=None, ge=0)
    cache_write_1h: Decimal | None = Field(default=None, ge=0)
    reasoning: Decimal | None = Field(default=None, ge=0)


class PriceVersionIn(BaseModel):
    """A price per 1M tokens. Missing cache/reasoning prices fall back to input/output."""

    provider: str | None = Field(default=None, description="gen_ai.provider.name; null for any host")
    model: str = Field(min_length=1)
    aliases: list[str] = []
    patterns: list[str] = []
    tier: Tier | None = None
    kind: str = "chat"
    currency: str = Field(default="USD", min_length=3, max_length=3)
    input: Decimal = NonNegative
    output: Decimal = NonNegative
    cache_read: Decimal | None = Field(default=None, ge=0)
    cache_write: Decimal | None = Field(default=None, ge=0)
    cache_write_1h: Decimal | None = Field(default=None, ge=0)
    reasoning: Decimal | None = Field(default=None, ge=0)
    long_context: LongContextIn | None = None
    batch_discount: Decimal | None = Field(default=None, ge=0, le=1)
    request_fee: Decimal | None = Field(default=None, ge=0)
    open_weight: bool = False
    effective_from: datetime = Field(description="When the price took effect (back-dating recosts)")
    effective_to: datetime | None = None
    source: str | None = None
    as_of: date | None = None
    builtin: bool = Field(default=False, description="Change the built-in catalog instead of the project's")

    @field_validator("effective_from", "effective_to")
    @classmethod
    def aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @model_validator(mode="after")
    def window(self) -> PriceVersionIn:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        return self

    def to_version(self, project_id: int | None) -> PriceVersion:
        tier = self.long_context
        return PriceVersion(
            project_id=project_id,
            provider=self.provider.lower() if self.provider else None,
            model=self.model.lower(),
            aliases=tuple(a.lower() for a in self.aliases),
            patterns=tuple(self.patterns),
            tier=self.tier,
            kind=self.kind,
            currency=self.currency.upper(),
            rates=Rates(self.input, self.output, self.cache_read, self.cache_write, self.cache_write_1h,
                        self.reasoning),
            long_context=LongContextTier(
                tier.threshold_input_tokens,
                Rates(tier.input, tier.output, tier.cache_read, tier.cache_write, tier.cache_write_1h,
                      tier.reasoning),
            ) if tier else None,
            batch_discount=self.batch_discount,
            request_fee=self.request_fee,
            open_weight=self.open_weight,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            source=self.source,
            as_of=self.as_of,
        )  # fmt: skip


class PriceVersionOut(BaseModel):
    id: int
    scope: str = Field(description="'builtin' or 'project'")
    provider: str | None
    model: str
    aliases: list[str]
    patterns: list[str]
    tier: str | None
    kind: str
    currency: str
    input: Decimal
    cache_read: Decimal | None
    cache_write: Decimal | None
    cache_write_1h: Decimal | None
    output: Decimal
    reasoning: Decimal | None
    long_context_threshold: int | None
    long_context_input: Decimal | None
    long_context_output: Decimal | None
    batch_discount: Decimal | None
    request_fee: Decimal | None
    open_weight: bool
    effective_from: datetime
    effective_to: datetime | None
    source: str | None
    as_of: date | None
    origin: str

    @classmethod
    def from_row(cls, row: PriceVersionRow) -> PriceVersionOut:
        values = {name: getattr(row, name) for name in cls.model_fields if name != "scope"}
        return cls(scope="builtin" if row.project_id is None else "project", **values)


class ApplyOut(BaseModel):
    added: int
    changed: int
    unchanged: int
    recost_queued: bool = Field(description="Affected calls are recosted by the next recost job run")
    skipped: list[str] = []


class MissingModelOut(BaseModel):
    provider: str | None
    model: str | None
    calls: int
    input_tokens: int
    output_tokens: int
    first_seen: datetime
    last_seen: datetime


class CostDifferenceOut(BaseModel):
    model: str | None
    calls: int
    reported: Decimal = Field(description="Sum of the cost the instrumentation reported")
    computed: Decimal = Field(description="Sum of finops' cost for the same calls")
    difference: Decimal = Field(description="reported - computed")


class RecostIn(BaseModel):
    start: datetime = Field(alias="from")
    end: datetime | None = Field(default=None, alias="to")
    model: str | None = None
