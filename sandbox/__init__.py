"""Stand-ins for the demo, tests and benchmarks: a fake Telegram Bot API, a local feed server,
the demo's sample feeds (package data) and evaluation helpers. No production package imports it."""
