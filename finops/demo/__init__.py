"""`finops demo`: realistic multi-agent traffic sent through the real OpenTelemetry SDK.

- `plan`: which workflow runs happen when (pure, deterministic from the seed);
- `emit`: building one run's spans with explicit past timestamps and GenAI attributes;
- `scenarios`, `scenarios_ops`: the workflows (interactive ones; batch, retries and loops);
- `runner`: SDK wiring (TracerProvider per service, BatchSpanProcessor, OTLP/HTTP exporter) and progress.
"""
