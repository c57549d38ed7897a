"""Every model, imported so that the metadata (and Alembic's autogenerate) sees the whole schema."""

from tracker.accounts.models import ApiToken, LoginAttempt, User
from tracker.agencies.models import Agency, AgencyAlias, AgencyGroup, agency_group_members
from tracker.core.models import AuditEvent
from tracker.deadlines.models import CalendarOverride
from tracker.importers.models import ImportDraft
from tracker.notifications.models import NoticeLedger, OutboxMessage, ReminderStage
from tracker.plans.models import Assignment, DueItem, Indicator, IndicatorTarget, IndicatorValue, Plan, Section, Task
from tracker.reports.models import Setting
from tracker.scheduler.models import JobLock, JobSchedule
from tracker.workflow.models import Comment, EvidenceDocument, ExtensionRequest, ItemFile, UserNotice

__all__ = [
    "Agency",
    "ApiToken",
    "Comment",
    "EvidenceDocument",
    "ExtensionRequest",
    "ItemFile",
    "UserNotice",
    "AgencyAlias",
    "AgencyGroup",
    "Assignment",
    "AuditEvent",
    "CalendarOverride",
    "DueItem",
    "Indicator",
    "ImportDraft",
    "IndicatorTarget",
    "IndicatorValue",
    "JobLock",
    "JobSchedule",
    "LoginAttempt",
    "NoticeLedger",
    "OutboxMessage",
    "Plan",
    "ReminderStage",
    "Section",
    "Setting",
    "Task",
    "User",
    "agency_group_members",
]
