import pytest
from django.core.exceptions import ValidationError

from accounts.demo import make_credit_code
from accounts.validators import validate_credit_code


def test_published_code_is_valid():
    # A real, published code (GB 32100-2015 worked example family) passes.
    validate_credit_code("91110000600037341L")


def test_generated_demo_codes_are_valid():
    for seed in ["潜江市民政局", "武汉爱心天使社会工作服务中心", "x"]:
        validate_credit_code(make_credit_code("52", "420100", seed))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110000600037341M", "校验位"),
        ("9111000060003734", "18"),
        ("91110000600037341I", "不允许"),
    ],
)
def test_bad_codes_are_refused_with_a_chinese_reason(code, message):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert message in exc.value.messages[0]
