"""Operations: Prometheus metrics, the health and metrics HTTP server, structured logs.

Imports nothing of ours, so every other package may import it (`bot/`, `collector/`, `cli/`).
"""
