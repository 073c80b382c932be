"""Settings, read from FINOPS_* environment variables (and a .env file when present)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("finops", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINOPS_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL (postgresql+psycopg://user:pass@host/db). Unset: embedded Postgres.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the embedded Postgres keeps its data when FINOPS_DATABASE_URL is unset.",
    )
    host: str = Field(default="127.0.0.1", description="Address `finops serve` listens on.")
    port: int = Field(default=4318, description="Port `finops serve` listens on (4318 is OTLP/HTTP's).")
    public_url: str | None = Field(
        default=None, description="URL agents use to reach finops, printed in setup hints and links."
    )
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        description="Largest accepted /v1/traces body, checked before and after decompression.",
    )
    max_tokens_per_call: int = Field(default=100_000_000, description="Token counts above this are rejected as absurd.")
    max_attribute_chars: int = Field(
        default=4096,
        description="String attribute values longer than this are truncated in the stored raw attributes.",
    )
    keep_all_spans: bool = Field(
        default=False,
        description="Store spans of traces without GenAI activity too (normally dropped).",
    )
    writer_max_batch_spans: int = Field(default=20_000, description="Most spans one group commit writes.")
    writer_max_pending_spans: int = Field(
        default=100_000,
        description="Spans waiting to be written beyond which /v1/traces answers 503 with Retry-After.",
    )
    retry_after_seconds: int = Field(default=5, description="Retry-After sent with 503 answers.")
    auth_cache_seconds: float = Field(default=30.0, description="How long a verified API key is remembered in memory.")
    price_refresh_seconds: float = Field(
        default=5.0, description="How often each process checks the price catalog for changes."
    )
    admin_token: str | None = Field(
        default=None,
        description="Token for administrative API calls (changing built-in prices); unset: disabled.",
    )
    workflow_idle_seconds: int = Field(
        default=300,
        description="A run closes once its root span arrived and no span came for this long.",
    )
    alerts_file: Path | None = Field(
        default=None, description="YAML file of alert channels, rules and budgets, applied at every start."
    )
    alerts_allow_private_urls: bool = Field(
        default=False,
        description="Allow alert webhooks to loopback/private addresses (off: guards against SSRF).",
    )
    alert_delivery_horizon_hours: float = Field(
        default=24.0, description="How long a notification is retried before it is marked failed."
    )
    chargeback_group_by: str = Field(
        default="team", description="Grouping of the monthly chargeback report the scheduler stores."
    )
    gpu_hourly_cost: float = Field(
        default=2.5, description="Hourly cost of one GPU, for the self-hosting break-even recommendation."
    )
    scheduler_enabled: bool = Field(
        default=True, description="Run scheduled jobs inside `finops serve` (disable when a worker runs)."
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")

    def resolved_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def settings_help() -> str:
    """One line per FINOPS_ variable, for --help texts."""
    lines = []
    for name, info in Settings.model_fields.items():
        lines.append(f"FINOPS_{name.upper()}: {info.description}")
    return "\n".join(lines)
