"""History cannot be rewritten: the transition log refuses updates and deletes."""

import pytest

from core.models import AppendOnlyError, TransitionLog
from projects import services
from tests.factories.accounts import BureauStaffFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    project = ServiceProjectFactory()
    staff = BureauStaffFactory(organization=project.bureau)
    services.project_approve(project=project, actor=staff)
    return TransitionLog.for_object(project).get()


def test_a_saved_entry_cannot_be_changed(entry):
    entry.note = "改写历史"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert TransitionLog.objects.get(pk=entry.pk).note == ""


def test_entries_cannot_be_deleted_one_by_one_or_in_bulk(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        TransitionLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        TransitionLog.objects.update(note="x")
    assert TransitionLog.objects.filter(pk=entry.pk).exists()


def test_timeline_is_shown_on_the_project_page(entry, login):
    staff = entry.actor
    response = login(staff).get(entry.subject.get_absolute_url())
    body = response.content.decode()
    assert "办理记录" in body
    assert "草稿" in body and "已立项" in body


@pytest.mark.parametrize(
    ("event", "words"),
    [("commission", "委托评价"), ("assign", "指派评估人员"), ("replace_tree", "替换指标")],
)
def test_events_without_a_state_change_are_named_in_chinese(event, words):
    """Regression: an evaluation's history read “commission · 已委托” with the code name."""
    from django.utils import translation

    from core.fsm import log_event
    from core.templatetags.sanshe import timeline

    project = ServiceProjectFactory()
    log_event(project, event, actor=None, created=True)
    with translation.override("zh-hans"):
        [row] = timeline(project)["entries"]
        assert str(row["event"]) == words
