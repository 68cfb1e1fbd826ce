"""Storage: SQLAlchemy models, Alembic migrations and the queries every other package needs."""
