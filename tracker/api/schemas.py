"""The base of every API schema (Vietnamese messages), the problem document, plans and agencies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

#: marshmallow's messages, in Vietnamese, per error key of any field
FIELD_MESSAGES = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để trống.",
    "invalid": "Giá trị không hợp lệ.",
    "format": "Giá trị không đúng định dạng.",
    "too_large": "Số quá lớn.",
    "invalid_utf8": "Chuỗi ký tự không hợp lệ.",
    "validator_failed": "Giá trị không hợp lệ.",
}
FIELD_MESSAGES_BY_TYPE = {
    fields.Date: {"invalid": "Ngày không hợp lệ (định dạng YYYY-MM-DD)."},
    fields.Integer: {"invalid": "Vui lòng nhập một số nguyên."},
    fields.List: {"invalid": "Vui lòng gửi một danh sách."},
    fields.Nested: {"type": "Dữ liệu không hợp lệ."},
}


class BaseSchema(Schema):
    """A schema whose error messages speak Vietnamese."""

    error_messages = {"unknown": "Trường không được hỗ trợ.", "type": "Dữ liệu gửi lên không hợp lệ."}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        messages = dict(FIELD_MESSAGES)
        for kind, extra in FIELD_MESSAGES_BY_TYPE.items():
            if isinstance(field_obj, kind):
                messages.update(extra)
        field_obj.error_messages = {**field_obj.error_messages, **messages}


class ProblemSchema(BaseSchema):
    """An error (RFC 9457), with the messages per field for a 422."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class AgencyRefSchema(BaseSchema):
    code = fields.String()
    name = fields.String()


class AgencySchema(AgencyRefSchema):
    short_name = fields.String()
    kind = fields.String()


class AgencyListSchema(BaseSchema):
    agencies = fields.List(fields.Nested(AgencySchema))


class PlanSchema(BaseSchema):
    id = fields.Integer()
    reference = fields.String(metadata={"description": "“Kế hoạch số 1839/KH-UBND”"})
    doc_kind = fields.String()
    doc_number = fields.String()
    issued_on = fields.Date(allow_none=True)
    title = fields.String()
    issuer = fields.String()
    signer = fields.String()
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    status = fields.String()
    #: Lead items per status class, as of today
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class PlanListSchema(BaseSchema):
    plans = fields.List(fields.Nested(PlanSchema))


# --- reports ---------------------------------------------------------------------------------------------

COUNTS = {
    "description": "Số nhiệm vụ theo tình trạng: done_on_time, done_late, open_on_time, open_overdue, no_due_date"
}


class SummaryQuerySchema(BaseSchema):
    as_of = fields.Date(metadata={"description": "Tính đến ngày (YYYY-MM-DD); mặc định hôm nay"})
    plan = fields.Integer(
        strict=False,
        validate=validate.Range(min=1, max=2**31 - 1, error="Mã kế hoạch không hợp lệ."),
        metadata={"description": "Chỉ một kế hoạch"},
    )


class AgencyCountsSchema(AgencyRefSchema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata=COUNTS)


class PlanCountsSchema(BaseSchema):
    id = fields.Integer()
    reference = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata=COUNTS)


class MonthRateSchema(BaseSchema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    due = fields.Integer(metadata={"description": "Nhiệm vụ đến hạn trong tháng (đến ngày as_of)"})
    on_time = fields.Integer(metadata={"description": "Trong số đó, đã hoàn thành đúng hạn"})
    rate = fields.Float(allow_none=True, metadata={"description": "on_time / due; null khi không có nhiệm vụ đến hạn"})


class SummarySchema(BaseSchema):
    as_of = fields.Date()
    plan = fields.Integer(allow_none=True)
    scope = fields.String(metadata={"description": "lead: chỉ nhiệm vụ chủ trì (không tính đơn vị phối hợp)"})
    scope_label = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata=COUNTS)
    by_agency = fields.List(fields.Nested(AgencyCountsSchema), metadata={"description": "Nhiều quá hạn nhất trước"})
    by_plan = fields.List(fields.Nested(PlanCountsSchema))
    ageing = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Nhiệm vụ quá hạn theo số ngày quá hạn: 1_30, 31_90, 91_180, over_180"},
    )
    monthly_on_time_rate = fields.List(fields.Nested(MonthRateSchema))
    waiting_review = fields.Integer()
    extensions_pending = fields.Integer()
