"""Token counts of every dialect, normalised into the exclusive buckets of `TokenBuckets`.

Each figure is taken from the first attribute present, top to bottom (dialect precedence: OTel GenAI
current names > OpenInference > Traceloop legacy > Langfuse usage_details). "incl." marks an inclusive
figure (OTel style), "excl." a figure that already is an exclusive bucket.

| figure      | dialect       | attribute                                     | convention                |
|-------------|---------------|-----------------------------------------------|---------------------------|
| input       | genai         | gen_ai.usage.input_tokens                     | incl. cache read + write  |
|             | genai (depr.) | gen_ai.usage.prompt_tokens                    | incl. cache read + write  |
|             | openinference | llm.token_count.prompt                        | incl. cache read + write  |
|             | traceloop     | llm.usage.prompt_tokens                       | incl. cache read + write  |
|             | langfuse      | usage_details input*, prompt* (summed)        | excl.                     |
| output      | genai         | gen_ai.usage.output_tokens                    | incl. reasoning           |
|             | genai (depr.) | gen_ai.usage.completion_tokens                | incl. reasoning           |
|             | openinference | llm.token_count.completion                    | incl. reasoning           |
|             | traceloop     | llm.usage.completion_tokens                   | incl. reasoning           |
|             | langfuse      | usage_details output*, completion* (summed)   | excl.                     |
| cache read  | genai         | gen_ai.usage.cache_read.input_tokens          | a count, in any dialect   |
|             | openinference | llm.token_count.prompt_details.cache_read     |                           |
|             | traceloop     | gen_ai.usage.cache_read_input_tokens          |                           |
|             | langfuse      | usage_details *cache_read*, *cached*          |                           |
| cache write | genai         | gen_ai.usage.cache_creation.input_tokens      | a count, incl. 1h writes  |
|             | openinference | llm.token_count.prompt_details.cache_write    |                           |
|             | traceloop     | gen_ai.usage.cache_creation_input_tokens      |                           |
|             | langfuse      | usage_details *cache_creation*, *cache_write* | excl. of its "1h" keys    |
| 1h write    | finops        | finops.usage.cache_write_1h_tokens            | subset of cache write     |
|             | langfuse      | usage_details cache write keys with "1h"      | excl.                     |
| reasoning   | genai         | gen_ai.usage.reasoning.output_tokens          | a count                   |
|             | openinference | llm.token_count.completion_details.reasoning  |                           |
|             | traceloop     | gen_ai.usage.reasoning_tokens (also OpenLIT)  |                           |
|             | langfuse      | usage_details *reasoning*                     |                           |
| (raw only)  | all           | *total_tokens, llm.token_count.total, total   | never split into buckets  |

Buckets: input = input figure - cache read - cache write (all TTLs) when inclusive, as sent when
exclusive; output = output figure - reasoning when inclusive, as sent when exclusive. OpenLIT is read
through the genai names, except that for provider anthropic OpenLIT reports Anthropic's own
usage.input_tokens, which EXCLUDES the cache: there the input figure is the uncached bucket as sent.

Guards: an inclusive input figure SMALLER than cache read + cache write cannot contain them, so the
instrumentation evidently reported it exclusive (old Anthropic instrumentations do): it is taken as
the uncached bucket as sent. Same for an output figure smaller than reasoning. An inclusive figure
that happens to be at least as large as the cache counts is indistinguishable, and is subtracted.

1-hour cache writes (`finops.usage.cache_write_1h_tokens`) are a subset of the cache write figure and
are moved out of it. When the 1h count exceeds the cache write figure, or both came from Langfuse's
exclusive keys, they were evidently reported apart and are added to the cache creation total.

A cache/reasoning count is the same number whatever the convention, so those quantities may come
from a different dialect than the input figure; only the input and output figures carry a convention.
Every candidate attribute present is validated, not only the winning one: a span whose dialects
disagree on validity is broken either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from finops.ingest.dialects import finops_attrs, genai, langfuse, openinference, traceloop
from finops.ingest.dialects.values import Attributes, token_count
from finops.ingest.records import TokenBuckets

_KEYED_DIALECTS: tuple[tuple[str, dict[str, tuple[str, ...]]], ...] = (
    ("genai", genai.TOKEN_KEYS),
    ("openinference", openinference.TOKEN_KEYS),
    ("traceloop", traceloop.TOKEN_KEYS),
)
TOKEN_ATTRIBUTE_KEYS = frozenset(key for _, table in _KEYED_DIALECTS for keys in table.values() for key in keys)
# Every key of each dialect's table: a span usually speaks one dialect, so the tables whose keys it
# does not carry at all are skipped with one set check instead of a lookup per key.
_DIALECT_KEYS = tuple(frozenset(key for keys in table.values() for key in keys) for _, table in _KEYED_DIALECTS)


class Figure(NamedTuple):
    # Immutable like a frozen dataclass, but several times cheaper to build (one per count per call).
    value: int
    source: str  # attribute key, or key path inside a JSON attribute
    dialect: str
    exclusive: bool  # already an exclusive bucket (Langfuse) rather than an inclusive OTel-style figure


@dataclass(slots=True)
class TokenReading:
    buckets: TokenBuckets
    sources: dict[str, str] = field(default_factory=dict)
    # Dialect of the input figure, else of the output figure; None when the span has no counts.
    dialect: str | None = None


def read_figures(attributes: Attributes, limit: int) -> dict[str, Figure]:
    """Quantity -> the figure that wins for it on this span."""
    figures: dict[str, Figure] = {}
    one_hour = finops_attrs.cache_write_1h(attributes, limit)
    if one_hour is not None:
        figures["cache_write_1h"] = Figure(one_hour[0], one_hour[1], "finops", exclusive=False)
    for (dialect, table), dialect_keys in zip(_KEYED_DIALECTS, _DIALECT_KEYS, strict=True):
        if attributes.keys().isdisjoint(dialect_keys):
            continue
        for quantity, keys in table.items():
            for key in keys:
                value = attributes.get(key)
                if value is None:
                    continue
                count = token_count(value, key, limit)  # validated even when an earlier key won
                if quantity not in figures:
                    figures[quantity] = Figure(count, key, dialect, exclusive=False)
    for quantity, (count, source) in langfuse.usage(attributes, limit).items():
        figures.setdefault(quantity, Figure(count, source, "langfuse", exclusive=True))
    return figures


def to_buckets(figures: dict[str, Figure], *, input_excludes_cache: bool = False) -> TokenReading:
    """Exclusive buckets from the winning figures; `input_excludes_cache` marks OpenLIT+Anthropic."""
    reading = TokenReading(buckets=TokenBuckets())
    buckets, sources = reading.buckets, reading.sources

    cache_read = figures.get("cache_read")
    write = figures.get("cache_write")
    one_hour = figures.get("cache_write_1h")
    buckets.cache_read = cache_read.value if cache_read else 0
    write_figure = write.value if write else 0
    one_hour_count = one_hour.value if one_hour else 0
    reported_apart = one_hour is not None and (
        one_hour_count > write_figure or (one_hour.exclusive and (write is None or write.exclusive))
    )
    creation = write_figure + one_hour_count if reported_apart else write_figure
    buckets.cache_write = creation - one_hour_count
    buckets.cache_write_1h = one_hour_count
    for name, figure in (("cache_read", cache_read), ("cache_write", write), ("cache_write_1h", one_hour)):
        if figure is not None:
            sources[name] = figure.source

    cached = buckets.cache_read + creation
    input_figure = figures.get("input")
    if input_figure is not None:
        as_sent = input_figure.exclusive or (input_excludes_cache and input_figure.dialect == "genai")
        buckets.input, convention = _split(input_figure.value, cached, as_sent, "cache")
        sources["input"] = input_figure.source
        if cached:
            sources["input_convention"] = convention

    reasoning = figures.get("reasoning")
    buckets.reasoning = reasoning.value if reasoning else 0
    if reasoning is not None:
        sources["reasoning"] = reasoning.source
    output_figure = figures.get("output")
    if output_figure is not None:
        buckets.output, convention = _split(
            output_figure.value, buckets.reasoning, output_figure.exclusive, "reasoning"
        )
        sources["output"] = output_figure.source
        if buckets.reasoning:
            sources["output_convention"] = convention

    main = input_figure or output_figure
    reading.dialect = main.dialect if main is not None else None
    return reading


def _split(figure: int, inner: int, as_sent: bool, what: str) -> tuple[int, str]:
    """(bucket, convention) for a figure that may include `inner` tokens counted elsewhere."""
    if as_sent:
        return figure, f"excludes_{what}"
    if figure < inner:
        # Cannot contain what it is smaller than: the sender reported it exclusive.
        return figure, f"excludes_{what}_inferred"
    return figure - inner, f"includes_{what}"


def read_tokens(attributes: Attributes, limit: int, *, input_excludes_cache: bool = False) -> TokenReading:
    return to_buckets(read_figures(attributes, limit), input_excludes_cache=input_excludes_cache)
