from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.todos import todos_for
from projects.models import ProjectState
from projects.selectors import project_state_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: the logged-in user's own pending work and the projects they can see, by state."""
    counts = project_state_counts(user=request.user)
    states = [(state.value, state.label, counts.get(state.value, 0)) for state in ProjectState]
    return render(request, "core/home.html", {"todos": todos_for(request.user), "states": states})
