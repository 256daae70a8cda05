"""A trial-balance request whose scope does not parse shows what is wrong, in Chinese, and
neither offers nor shows the whole book's background job in its place."""

import pytest
from django.urls import reverse

from core.models import ExportJob
from tests.factories.accounts import AuditorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"bureau": "abc"}, "民政局ID：输入整数。"),
        ({"contract": "0"}, "合同ID：确保该值大于或等于1。"),
        ({"contract": "3", "project": "4"}, "请只选择一个范围：合同、项目或民政局。"),
        ({"as_of": "2026-13-01"}, "截至日期：输入一个有效的日期。"),
    ],
)
def test_an_invalid_scope_shows_its_errors_and_no_whole_book_job(login, query, error):
    client = login(AuditorFactory())
    # The reader has a whole-book job already: an invalid request must not pass for it.
    client.post(reverse("export_request"), {"kind": "trial_balance", "query": ""})
    assert ExportJob.objects.filter(kind="trial_balance", params={}).exists()
    url = reverse("funds:trial_balance")
    assert "生成试算平衡表" in client.get(url).content.decode()

    response = client.get(url, query)
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    assert 'name="kind" value="trial_balance"' not in page and "生成试算平衡表" not in page
    assert "最近一次试算平衡表" not in page and "全部台账" not in page


def test_a_scope_that_does_not_exist_is_not_found(login):
    # A well-formed id of no contract, project or bureau (or of one the reader may not see) is
    # a 404, as before: never the whole book.
    client = login(AuditorFactory())
    url = reverse("funds:trial_balance")
    for query in ({"contract": "987654"}, {"project": "987654"}, {"bureau": "987654"}):
        assert client.get(url, query).status_code == 404
