"""`{{ project|link_for:user }}`: the project's title, linked only for a viewer allowed to open it.

Pages of other apps (a public tender, a signed contract) name their project to readers who may
not open the project itself (another bureau, a bidder); they get the title without a link that
would answer 404.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from projects.permissions import can_view_project

register = template.Library()


@register.filter
def link_for(project: Any, user: Any) -> str:
    if can_view_project(user, project):
        return format_html('<a href="{}">{}</a>', project.get_absolute_url(), project.title)
    return format_html("{}", project.title)
