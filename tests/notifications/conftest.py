"""The 潜江 contract in service (tests/funds/conftest.py)."""

from tests.funds.conftest import money  # noqa: F401
