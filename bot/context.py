"""The bot's dependencies, kept in `application.bot_data` (never in module globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.collecting import Collecting, FeedChecker
from bot.cpu import CpuRunner, ThreadRunner
from bot.delivery import DeliveryWorker
from bot.scheduler import SlotScheduler
from bot.settings import Settings
from storage.db import Database
from storage.leader import LeaderLock
from storage.notify import DeliveryListener

BOT_DATA_KEY = "newsbrief"


@dataclass
class BotServices:
    """Everything handlers and jobs need: database, settings, clock, queue worker, and what
    `cli` wires in from outside the bot (collector, feed checker, CPU runner)."""

    db: Database
    settings: Settings
    clock: Callable[[], datetime]
    scheduler: SlotScheduler
    worker: DeliveryWorker
    leader: LeaderLock  # the tick lock: slot tick and housekeeping run where it is held
    listener: DeliveryListener  # wakes the worker when another process queues deliveries
    collector: Collecting | None = None
    feed_checker: FeedChecker | None = None
    cpu: CpuRunner = field(default_factory=ThreadRunner)
    role: str = "all"  # see bot.app: all, updates, collector or delivery

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may run admin commands."""
        return user_id is not None and user_id in self.settings.admin_ids


def services(
    source: CallbackContext[Any, Any, Any, Any] | Application[Any, Any, Any, Any, Any, Any],
) -> BotServices:
    """The BotServices of a handler's context or of the application."""
    return source.bot_data[BOT_DATA_KEY]  # type: ignore[no-any-return]
