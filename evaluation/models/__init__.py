"""Performance evaluation: indicator systems, commissions, assessors, score sheets, results.

The Evaluation fields project, contract, milestone, assessor_org, state, total_score, grade and
confirmed_at are the seam the funds app reads; keep their names and the state values
commissioned, confirmed, appealed and published.

- `indicator_systems`: 绩效评价指标体系 and their indicators
- `evaluations`: an evaluation with its assignments, score sheets, result and appeals (one
  aggregate: its transitions read their states)
- `evaluation.records`: evidence, history and survey models, registered from here

Every name stays importable from evaluation.models (migrations name them there).
"""

from evaluation.models.evaluations import (
    GRADE_FLOORS,
    NGO_RESULT_STATES,
    RESULT_CONFIRMED_STATES,
    RESULT_STATES,
    SHEETS_OPEN_STATES,
    Appeal,
    AssessorAssignment,
    AssignmentState,
    ConsolidationMethod,
    Evaluation,
    EvaluationKind,
    EvaluationResult,
    EvaluationState,
    Grade,
    LeafResult,
    ScoreEntry,
    ScoreSheet,
    SheetState,
    evidence_path,
    grade_for,
)
from evaluation.models.indicator_systems import (
    Indicator,
    IndicatorSystem,
    ScoringMethod,
    SystemState,
)

__all__ = [
    "GRADE_FLOORS",
    "NGO_RESULT_STATES",
    "RESULT_CONFIRMED_STATES",
    "RESULT_STATES",
    "SHEETS_OPEN_STATES",
    "Appeal",
    "AssessorAssignment",
    "AssignmentState",
    "ConsolidationMethod",
    "Evaluation",
    "EvaluationKind",
    "EvaluationResult",
    "EvaluationState",
    "Grade",
    "Indicator",
    "IndicatorSystem",
    "LeafResult",
    "ScoreEntry",
    "ScoreSheet",
    "ScoringMethod",
    "SheetState",
    "SystemState",
    "evidence_path",
    "grade_for",
]

# Registered with the app from here (records.py holds the evidence, history and survey models).
from evaluation.records import *  # noqa: F403
