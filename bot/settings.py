"""Runtime configuration: NEWSBRIEF_* environment variables and an optional newsbrief.toml."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.zones import is_known


class SettingsError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Every knob of newsbrief; environment variables win over newsbrief.toml."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBRIEF_", toml_file="newsbrief.toml", extra="ignore"
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite:///newsbrief.db"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_api_url: str = "https://api.telegram.org"
    allow_private_networks: bool = False

    # Collector
    collect_interval_seconds: int = Field(default=300, ge=10)
    feed_check_interval_seconds: int = Field(default=900, ge=60)
    fetch_timeout_seconds: float = Field(default=15.0, gt=0)
    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_concurrency: int = Field(default=32, ge=1)
    max_per_host: int = Field(default=4, ge=1)
    feed_failures_before_pause: int = Field(default=10, ge=1)
    # One feed check (the feed and every new item's page) stops after this; what did not finish
    # is taken again at the next pass. Well under the 30-minute claim lease.
    feed_check_deadline_seconds: float = Field(default=300.0, gt=0, le=1200)

    # Summaries and briefings
    summary_algorithm: str = "news"
    # Sentences of a story's summary (stored by the collector, shown in briefings).
    summary_sentences: int = Field(default=3, ge=1, le=3)
    briefing_max_items: int = Field(default=8, ge=1, le=50)
    default_timezone: str = "UTC"

    default_delivery_time: str = "08:00"  # local time of a new subscriber's first slot
    # News older than this (by publication time) is never briefed: not when first seen, and
    # not later, when a briefing left it out.
    news_max_age_hours: int = Field(default=48, ge=1, le=24 * 14)
    # Breaking news, for chats that turn it on in /settings: a story that reaches this many
    # independent sources within `breaking_window_minutes` of its first report is sent at
    # once, at most `breaking_max_per_day` times a day per chat.
    breaking_min_sources: int = Field(default=5, ge=2)
    breaking_window_minutes: int = Field(default=60, ge=5, le=24 * 60)
    breaking_max_per_day: int = Field(default=3, ge=1, le=24)

    # Delivery
    delivery_tick_seconds: int = Field(default=60, ge=1)
    missed_slot_max_age_minutes: int = Field(default=120, ge=0)
    # Kept a little under Telegram's 30/s so a strict counter never sees a 31st; 0 lifts it.
    rate_limit_per_second: float = Field(default=28.0, ge=0)
    delivery_concurrency: int = Field(default=16, ge=1, le=1000)
    # Updates of different chats handled at once (each chat's still in order).
    concurrent_updates: int = Field(default=32, ge=1, le=1000)
    delivery_batch_size: int = Field(default=64, ge=1, le=5000)
    delivery_lease_seconds: int = Field(default=300, ge=10)
    # How long a sent message may wait for Telegram's answer; past it, the part counts as sent
    # (it may have been delivered) and is never sent again.
    delivery_send_timeout_seconds: float = Field(default=30.0, gt=0)
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_poll_seconds: float = Field(default=5.0, gt=0)
    delivery_retention_days: int = Field(default=30, ge=1)

    # Telegram's paid broadcast (`allow_paid_broadcast`, paid in Stars): up to 1,000 messages a
    # second for the delivery queue; the shared send budget follows it.
    allow_paid_broadcast: bool = False
    paid_broadcast_per_second: float = Field(default=900.0, gt=0, le=1000)

    # Telegram connection
    http_backend: Literal["aiohttp", "httpx"] = "aiohttp"  # httpx: PTB's stock HTTPXRequest
    polling_timeout_seconds: int = Field(default=30, ge=0, le=50)
    webhook_secret: SecretStr | None = None
    telegram_proxy: str | None = None  # socks5://, socks4:// or http:// for the Bot API

    # Feeds through a proxy (http://, https://, socks5://); the address guard still applies.
    feed_proxy: str | None = None

    # Operations
    http_port: int | None = Field(default=None, ge=1, le=65535)  # /healthz, /readyz, /metrics
    http_host: str = "0.0.0.0"
    log_format: Literal["text", "json"] = "text"
    # What housekeeping keeps: articles (and their stories) for search and follow-ups, feed
    # failures for /feeds; a feed's GUIDs are kept longer so old items are never new again.
    article_retention_days: int = Field(default=30, ge=1)
    feed_entry_retention_days: int = Field(default=365, ge=1)
    feed_failure_retention_days: int = Field(default=30, ge=1)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        """Accept "1, 2,3" from the environment as well as a TOML list."""
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """An IANA timezone name (or a fixed offset such as UTC+02:00)."""
        if not is_known(value):
            raise ValueError(f"unknown timezone {value!r}; use an IANA name such as Europe/Berlin")
        return value

    @field_validator("default_delivery_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        """A time of day written HH:MM."""
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError("expected a time of day as HH:MM, e.g. 08:00")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_chars(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in a secret token."""
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("use 1-256 characters from A-Z, a-z, 0-9, _ and -")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: explicit arguments, environment, newsbrief.toml."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def require_token(self) -> str:
        """Return the bot token or raise SettingsError naming the variable to set."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError(
                "NEWSBRIEF_BOT_TOKEN is not set: get a token from @BotFather and export it"
            )
        return self.bot_token.get_secret_value().strip()

    def require_webhook_secret(self) -> str:
        """Return the webhook secret token or raise SettingsError naming the variable to set."""
        if self.webhook_secret is None:
            raise SettingsError(
                "NEWSBRIEF_WEBHOOK_SECRET is not set: webhook mode needs a secret token "
                "(1-256 characters A-Z, a-z, 0-9, _ and -)"
            )
        return self.webhook_secret.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning a validation error into a one-line SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        # Never echo a secret back into a terminal or a log.
        # Proxy URLs may carry a password.
        hidden = ("bot_token", "webhook_secret", "feed_proxy", "telegram_proxy")
        shown = "" if field in hidden else f" (got {first.get('input')!r})"
        raise SettingsError(
            f"NEWSBRIEF_{field.upper()} is invalid: {first['msg']}{shown}"
        ) from None
    except ValueError as exc:  # e.g. int("abc") inside a validator
        raise SettingsError(f"invalid configuration: {exc}") from None
