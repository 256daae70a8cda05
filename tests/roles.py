"""One user per role, around one bureau tree, for permission-matrix tests."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from tests.factories.accounts import (
    AdminFactory,
    AssessorFactory,
    AuditorFactory,
    BureauFactory,
    BureauFinanceFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)

ROLES = [
    "anonymous",
    "bureau_staff",
    "bureau_finance",
    "parent_bureau_staff",
    "other_bureau_staff",
    "ngo",
    "expert",
    "assessor",
    "auditor",
    "admin",
]


@dataclass
class World:
    city: object
    county: object
    other: object
    users: dict[str, User | None]


def build_world() -> World:
    """A city bureau with one county below it, an unrelated bureau, and a user per role."""
    city = BureauFactory(name="测试市民政局", level="city")
    county = BureauFactory(name="测试县民政局", parent=city)
    other = BureauFactory(name="别处县民政局")
    users: dict[str, User | None] = {
        "anonymous": None,
        "bureau_staff": BureauStaffFactory(organization=county),
        "bureau_finance": BureauFinanceFactory(organization=county),
        "parent_bureau_staff": BureauStaffFactory(organization=city),
        "other_bureau_staff": BureauStaffFactory(organization=other),
        "ngo": NgoUserFactory(),
        "expert": ExpertFactory(),
        "assessor": AssessorFactory(),
        "auditor": AuditorFactory(),
        "admin": AdminFactory(),
    }
    return World(city=city, county=county, other=other, users=users)
