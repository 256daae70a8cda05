from __future__ import annotations

import pytest

from accounts.models import AdminLevel
from tests.factories.accounts import BureauFactory, BureauFinanceFactory, BureauStaffFactory
from tests.procurement.conftest import world  # noqa: F401  (the published-tender world)


@pytest.fixture
def tree(db):
    """湖北省民政厅 → 荆州市民政局 → 江陵县民政局, 监利县民政局, each with a staff officer."""
    province = BureauFactory(name="湖北省民政厅", level=AdminLevel.PROVINCE)
    city = BureauFactory(name="荆州市民政局", level=AdminLevel.CITY, parent=province)
    jiangling = BureauFactory(name="江陵县民政局", parent=city)
    jianli = BureauFactory(name="监利县民政局", parent=city)
    staff = {
        b: BureauStaffFactory(organization=b, username=f"staff-{b.pk}")
        for b in (province, city, jiangling, jianli)
    }
    finance = BureauFinanceFactory(organization=jiangling, username="finance-jl")
    return {
        "province": province,
        "city": city,
        "jiangling": jiangling,
        "jianli": jianli,
        "staff": staff,
        "finance": finance,
    }
