"""The workflow's API schemas: an item as the API shows it, and what clients send to change one."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.api.schemas import AgencyRefSchema, BaseSchema
from tracker.plans.models import ITEM_STATE_LABELS, LATE_REASON_LABELS
from tracker.plans.status import STATUS_LABELS
from tracker.workflow.queries import SORTS

LONG = validate.Length(max=4000, error="Tối đa 4.000 ký tự.")


class LateReasonSchema(BaseSchema):
    category = fields.String(
        required=True,
        validate=validate.OneOf(list(LATE_REASON_LABELS), error="Nguyên nhân chậm không hợp lệ."),
        metadata={"enum": list(LATE_REASON_LABELS)},
    )
    agency = fields.String(allow_none=True, load_default=None, metadata={"description": "code of a coordinator"})
    text = fields.String(load_default="", validate=LONG)


class ItemSchema(BaseSchema):
    id = fields.Integer()
    task_id = fields.Integer()
    plan_id = fields.Integer()
    agency = fields.Nested(AgencyRefSchema)
    role = fields.String(metadata={"enum": ["lead", "coordinator"]})
    period_label = fields.String()
    due_date = fields.Date(allow_none=True)
    original_due_date = fields.Date(allow_none=True)
    status = fields.String(metadata={"enum": [str(s) for s in STATUS_LABELS]})
    days_late = fields.Integer(allow_none=True)
    state = fields.String(metadata={"enum": list(ITEM_STATE_LABELS)})
    progress = fields.Integer()
    completed_on = fields.Date(allow_none=True)
    late_reason = fields.Nested(LateReasonSchema, allow_none=True)
    version = fields.Integer()


class ItemPageSchema(BaseSchema):
    items = fields.List(fields.Nested(ItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class QueueQuerySchema(BaseSchema):
    agency = fields.String(validate=validate.Length(max=40, error="Mã đơn vị quá dài."))
    plan = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1, error="Mã kế hoạch không hợp lệ."))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000, error="Số trang không hợp lệ."))
    per_page = fields.Integer(
        load_default=50, validate=validate.Range(min=1, max=200, error="Mỗi trang từ 1 đến 200 dòng.")
    )
    q = fields.String(
        validate=validate.Length(max=200, error="Tối đa 200 ký tự."),
        metadata={"description": "Tìm trong số và nội dung nhiệm vụ, không phân biệt dấu và chữ hoa"},
    )


class ItemQuerySchema(QueueQuerySchema):
    status = fields.String(
        validate=validate.OneOf([str(s) for s in STATUS_LABELS], error="Tình trạng không hợp lệ."),
        metadata={"enum": [str(s) for s in STATUS_LABELS]},
    )
    state = fields.String(
        validate=validate.OneOf(list(ITEM_STATE_LABELS), error="Trạng thái không hợp lệ."),
        metadata={"enum": list(ITEM_STATE_LABELS)},
    )
    due_from = fields.Date()
    due_to = fields.Date()
    sort = fields.String(
        validate=validate.OneOf(SORTS, error="Cách sắp xếp không hợp lệ."),
        metadata={"enum": list(SORTS), "description": "due (mặc định), -due, late, agency, plan"},
    )


class ProgressSchema(BaseSchema):
    progress = fields.Integer(
        required=True, validate=validate.Range(min=0, max=100, error="Tiến độ phải từ 0 đến 100%.")
    )
    note = fields.String(load_default="", validate=LONG)


class CompletionSchema(BaseSchema):
    completed_on = fields.Date(required=True)
    result = fields.String(required=True, validate=LONG)
    evidence = fields.List(
        fields.String(validate=validate.Length(max=500, error="Mỗi văn bản tối đa 500 ký tự.")),
        load_default=list,
        validate=validate.Length(max=20, error="Tối đa 20 văn bản."),
    )
    late_reason = fields.Nested(LateReasonSchema, allow_none=True, load_default=None)


class ReviewSchema(BaseSchema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(["accept", "return"], error="Vui lòng chọn accept hoặc return."),
        metadata={"enum": ["accept", "return"]},
    )
    comment = fields.String(load_default="", validate=LONG)


class ExtensionInputSchema(BaseSchema):
    due_date = fields.Date(required=True)
    reason = fields.String(required=True, validate=LONG)


class ExtensionSchema(BaseSchema):
    id = fields.Integer()
    item_id = fields.Integer(attribute="due_item_id")
    state = fields.String(metadata={"enum": ["pending", "approved", "refused"]})
    due_date = fields.Date()
    reason = fields.String()
    comment = fields.String(attribute="decision_comment")


class DecisionSchema(BaseSchema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(["approve", "refuse"], error="Vui lòng chọn approve hoặc refuse."),
        metadata={"enum": ["approve", "refuse"]},
    )
    comment = fields.String(load_default="", validate=LONG)


class FileSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String(attribute="original_name")
    size = fields.Integer()
    content_type = fields.String()


class FileUploadSchema(BaseSchema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class CommentInputSchema(BaseSchema):
    text = fields.String(required=True, validate=LONG)


class CommentSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["comment", "contribution"]})
    text = fields.String()
    author = fields.String(allow_none=True)
    agency = fields.Nested(AgencyRefSchema, allow_none=True)
    created_at = fields.DateTime()


class CommentListSchema(BaseSchema):
    comments = fields.List(fields.Nested(CommentSchema))


class HistoryLineSchema(BaseSchema):
    at = fields.DateTime()
    actor = fields.String()
    subject = fields.String()
    text = fields.String()
    action = fields.String()


class HistorySchema(BaseSchema):
    history = fields.List(fields.Nested(HistoryLineSchema))
