"""The Telegram edge: PTB Application, handlers, formatting, delivery, jobs, CLI, settings."""
