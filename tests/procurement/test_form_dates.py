"""Date pickers get ISO values: <input type="date"> shows nothing for the zh-hans 2027/01/31."""

import datetime as dt

from django.utils import translation

from procurement.forms import AmendForm, ContractForm, MilestoneForm


def test_prefilled_dates_reach_the_browser_date_picker():
    """Regression: the contract form's prefilled term showed empty in the browser."""
    day = dt.date(2027, 1, 31)
    with translation.override("zh-hans"):
        contract = ContractForm(initial={"start_date": day, "end_date": day})
        milestone = MilestoneForm(initial={"due_date": day})
        amend = AmendForm(initial={"end_date": day})
        rendered = [
            str(contract["start_date"]),
            str(contract["end_date"]),
            str(milestone["due_date"]),
            str(amend["end_date"]),
        ]
    for html in rendered:
        assert 'type="date"' in html and 'value="2027-01-31"' in html, html
