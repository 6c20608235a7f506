"""Strike records: merging many articles' reports into one canonical strike with a history.

``merge`` decides (pure), ``store`` writes rows, ``approval`` applies an operator's decision.
"""

from __future__ import annotations

from feeds.strikes.approval import (
    ApprovalError,
    ChangeAlreadyDecided,
    ChangeNotFound,
    StaleChange,
    approve_change,
    pending_changes,
    reject_change,
)
from feeds.strikes.authority import Authority, authority_for
from feeds.strikes.merge import ChangePlan, Decision, merge_article, merge_report
from feeds.strikes.state import Report, ReportError, StrikeState, report_from_event

__all__ = [
    "ApprovalError",
    "Authority",
    "ChangeAlreadyDecided",
    "ChangeNotFound",
    "ChangePlan",
    "Decision",
    "Report",
    "ReportError",
    "StaleChange",
    "StrikeState",
    "approve_change",
    "authority_for",
    "merge_article",
    "merge_report",
    "pending_changes",
    "reject_change",
    "report_from_event",
]
