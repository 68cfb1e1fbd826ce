"""The Telegram edge: PTB Application, handlers, views, briefings, delivery, ticks, settings."""
