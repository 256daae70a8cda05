import pytest

from documents import registry


@pytest.fixture
def sample_kind(tmp_path):
    """A registered document kind used only by these tests."""
    path = tmp_path / "sample_notice.html"
    path.write_text(
        "<html><head><style>{{ base_css }}</style></head><body>"
        "<h1>{{ bureau }}采购公告</h1><p>预算金额：{{ amount|cny }}（{{ amount|daxie }}）</p>"
        "</body></html>",
        encoding="utf-8",
    )
    from decimal import Decimal

    kind = registry.register(
        "sample_notice",
        label="示例公告",
        default_path=path,
        sample_context=lambda: {"bureau": "潜江市民政局", "amount": Decimal("500000.00")},
    )
    yield kind
    registry._kinds.pop("sample_notice", None)
