"""Read one span's attributes in any common GenAI telemetry dialect and normalise them (no I/O).

Dialects: OTel GenAI semantic conventions (current and deprecated names), OpenInference, Traceloop /
OpenLLMetry, OpenLIT, Langfuse, and our own `finops.*` attributes. Each has its own module; the
conventions and precedence are documented in `classify.py` (span kinds), `tokens.py` (token buckets),
`calls.py` (the other call fields), `attribution.py` and `providers.py`.
"""

from finops.ingest.dialects.attribution import read_attribution
from finops.ingest.dialects.calls import read_call
from finops.ingest.dialects.classify import classify_span
from finops.ingest.dialects.content import output_chars
from finops.ingest.dialects.providers import normalise_provider
from finops.ingest.dialects.values import MAX_TOKENS_PER_CALL

__all__ = [
    "MAX_TOKENS_PER_CALL",
    "classify_span",
    "normalise_provider",
    "output_chars",
    "read_attribution",
    "read_call",
]
