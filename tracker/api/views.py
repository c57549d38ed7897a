"""The API's endpoints: the web views' operations and queries, with schemas in and out."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import current_app, jsonify, render_template
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from tracker.accounts.models import AGENCY_ROLES, ALL_ROLES, Role
from tracker.accounts.security import public
from tracker.agencies.models import Agency
from tracker.api import PREFIX, api_roles, authenticate, if_match, problem
from tracker.api.schemas import AgencyListSchema, PlanListSchema, PlanSchema, SummaryQuerySchema, SummarySchema
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.plans.items import items_query, visible_item, visible_task
from tracker.plans.models import Assignment, DueItem, Plan
from tracker.plans.queries import plan_counts, visible_plans_query
from tracker.workflow import files as file_store
from tracker.workflow.history import task_history
from tracker.workflow.models import Comment, ExtensionRequest
from tracker.workflow.operations import (
    STALE_MESSAGE,
    CompletionData,
    LateReasonData,
    StaleVersion,
    WorkflowError,
    add_comment,
    attach_file,
    decide_extension,
    report_completion,
    request_extension,
    review_completion,
    update_progress,
)
from tracker.workflow.queries import ItemFilter, item_list_conditions, item_order, review_queue_query, task_comments
from tracker.workflow.schemas import (
    CommentInputSchema,
    CommentListSchema,
    CommentSchema,
    CompletionSchema,
    DecisionSchema,
    ExtensionInputSchema,
    ExtensionSchema,
    FileSchema,
    FileUploadSchema,
    HistorySchema,
    ItemPageSchema,
    ItemQuerySchema,
    ItemSchema,
    ProgressSchema,
    QueueQuerySchema,
    ReviewSchema,
)

OFFICE = (Role.MONITOR, Role.ADMIN)
AGENCY = tuple(AGENCY_ROLES)
READ = (401, 403, 404)
WRITE = (401, 403, 404, 409, 422)


def _blueprint(name: str, prefix: str, description: str) -> Blueprint:
    blueprint = Blueprint(name, __name__, description=description)
    blueprint.url_prefix_within = prefix
    return blueprint


items_bp = _blueprint("api-items", "", "Nhiệm vụ của các đơn vị: xem, cập nhật tiến độ, báo cáo hoàn thành, gia hạn")
review_bp = _blueprint("api-review", "", "Văn phòng UBND tỉnh: xác nhận, trả lại, quyết định gia hạn")
tasks_bp = _blueprint("api-tasks", "/tasks", "Trao đổi và lịch sử của nhiệm vụ")
plans_bp = _blueprint("api-plans", "", "Kế hoạch và cơ quan, đơn vị")
reports_bp = _blueprint("api-reports", "/reports", "Số liệu tổng quan cho lãnh đạo và Văn phòng")
BLUEPRINTS = [items_bp, review_bp, tasks_bp, plans_bp, reports_bp]
for _blueprint_ in BLUEPRINTS:
    _blueprint_.before_request(authenticate)


def errors(blueprint: Blueprint, *codes: int):
    """Document the error answers an endpoint may give (problem documents)."""
    import http

    def decorator(view):
        for code in codes:
            view = blueprint.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorator


# --- items as the API shows them -------------------------------------------------------------------


def _serialize(rows) -> list[dict]:
    """Rows of ``items_query`` as ITEM dicts; the late-reason agencies' codes in one query."""
    reason_agency_ids = {row[0].late_reason_agency_id for row in rows if row[0].late_reason_agency_id}
    codes = dict(db.session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(reason_agency_ids))).all())
    out = []
    for item, assignment, task, plan, agency, status, late in rows:
        out.append(
            {
                "id": item.id,
                "task_id": task.id,
                "plan_id": plan.id,
                "agency": {"code": agency.code, "name": agency.name},
                "role": assignment.role,
                "period_label": item.period_label,
                "due_date": item.due_date,
                "original_due_date": item.original_due_date,
                "status": status,
                "days_late": late,
                "state": item.state,
                "progress": item.progress,
                "completed_on": item.completed_on,
                "late_reason": (
                    {
                        "category": item.late_reason,
                        "agency": codes.get(item.late_reason_agency_id),
                        "text": item.late_reason_text,
                    }
                    if item.late_reason
                    else None
                ),
                "version": item.version,
            }
        )
    return out


def _item_row(item_id: int):
    tz = current_app.config["TIMEZONE"]
    return db.session.execute(items_query(current_user, clock.today(), tz).where(DueItem.id == item_id)).first()


def _item_json(item_id: int) -> dict:
    row = _item_row(item_id)
    return _serialize([row])[0]


def _item_or_problem(item_id: int):
    """The item if the caller may read it; another agency's id is not found."""
    return visible_item(current_user, item_id)


def _page(query, page: int, per_page: int) -> dict:
    result = paginate(query, page, per_page, scalars=False)
    return {"items": _serialize(result.items), "page": result.number, "per_page": per_page, "total": result.total}


def _commit_or_problem(change):
    """Run an operation: commit on success; a problem document (422, 409) and nothing changed on bad input."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        result = change()
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        return None, problem(409, STALE_MESSAGE, {"version": [STALE_MESSAGE]})
    except StaleVersion as error:
        db.session.rollback()
        return None, problem(409, error.errors["version"][0], error.errors)
    except WorkflowError as error:
        db.session.rollback()
        return None, problem(422, "Vui lòng kiểm tra lại các trường được nêu.", error.errors)
    db.session.commit()
    from tracker.notifications.mail import deliver_outbox

    deliver_outbox(clock.now(), limit=20)
    return result, None


@items_bp.route("/items")
@items_bp.arguments(ItemQuerySchema, location="query")
@items_bp.response(200, ItemPageSchema)
@errors(items_bp, 401)
@api_roles(*ALL_ROLES)
def list_items(args):
    """Nhiệm vụ người gọi được xem, với tình trạng tính đến hôm nay"""
    tz = current_app.config["TIMEZONE"]
    today = clock.today()
    flt = ItemFilter(
        plan_id=args.get("plan"),
        agency_code=args.get("agency"),
        status=args.get("status"),
        state=args.get("state"),
        due_from=args.get("due_from"),
        due_to=args.get("due_to"),
        q=args.get("q", ""),
    )
    query = items_query(current_user, today, tz).where(*item_list_conditions(current_user, flt, today, tz))
    query = query.order_by(*item_order(args.get("sort"), today, tz))
    return _page(query, args["page"], args["per_page"])


@items_bp.route("/items/<int:item_id>")
@items_bp.response(200, ItemSchema)
@errors(items_bp, *READ)
@api_roles(*ALL_ROLES)
def get_item(item_id: int):
    """Một nhiệm vụ của một đơn vị"""
    if _item_or_problem(item_id) is None:
        return problem(404)
    return _item_json(item_id)


@items_bp.route("/items/<int:item_id>/progress", methods=["POST"])
@items_bp.arguments(ProgressSchema)
@items_bp.response(200, ItemSchema)
@errors(items_bp, *WRITE)
@api_roles(*AGENCY)
def post_progress(data, item_id: int):
    """Cập nhật tiến độ (phần trăm, ghi chú) nhiệm vụ của đơn vị; If-Match: phiên bản của nhiệm vụ"""
    item = _item_or_problem(item_id)
    if item is None:
        return problem(404)
    version = if_match()
    _, failed = _commit_or_problem(
        lambda: update_progress(
            item, progress=data["progress"], note=data["note"], by=current_user, now=clock.now(), version=version
        )
    )
    return failed or _item_json(item_id)


@items_bp.route("/items/<int:item_id>/completion", methods=["POST"])
@items_bp.arguments(CompletionSchema)
@items_bp.response(200, ItemSchema)
@errors(items_bp, *WRITE)
@api_roles(*AGENCY)
def post_completion(data, item_id: int):
    """Cơ quan chủ trì báo cáo hoàn thành; nhiệm vụ chờ Văn phòng xác nhận (state "reported")"""
    item = _item_or_problem(item_id)
    if item is None:
        return problem(404)
    version = if_match()
    reason = data.get("late_reason") or {}
    completion = CompletionData(
        completed_on=data["completed_on"],
        result=data["result"],
        evidence=list(data["evidence"]),
        late_reason=LateReasonData(
            category=reason.get("category", ""), agency_code=reason.get("agency"), text=reason.get("text", "")
        ),
    )
    _, failed = _commit_or_problem(
        lambda: report_completion(item, completion, by=current_user, now=clock.now(), version=version)
    )
    return failed or _item_json(item_id)


@items_bp.route("/items/<int:item_id>/files", methods=["POST"])
@items_bp.arguments(FileUploadSchema, location="files")
@items_bp.response(201, FileSchema)
@errors(items_bp, 401, 403, 404, 413, 422)
@api_roles(*AGENCY)
def post_file(data, item_id: int):
    """Đính kèm tệp (trường multipart "file"): PDF, Word, Excel, JPEG, PNG; kiểu tệp đọc từ nội dung"""
    item = _item_or_problem(item_id)
    if item is None:
        return problem(404)
    upload = data["file"]
    if not getattr(upload, "filename", None):
        return problem(422, None, {"file": ["Vui lòng chọn tệp để tải lên."]})
    stored: list[str] = []

    def attach():
        attached = attach_file(item, data=upload.read(), name=upload.filename, by=current_user, now=clock.now())
        stored.append(attached.stored_name)
        return attached

    attached, failed = _commit_or_problem(attach)
    if failed:
        file_store.remove_all(stored)
    return failed or attached


@items_bp.route("/files/<int:file_id>")
@items_bp.response(200, content_type="*/*", description="Nội dung tệp")
@errors(items_bp, *READ)
@api_roles(*ALL_ROLES)
def get_file(file_id: int):
    """Tải tệp đính kèm của nhiệm vụ người gọi được xem"""
    from tracker.workflow.queries import visible_file

    return file_store.send(visible_file(current_user, file_id)) or problem(404)


@items_bp.route("/items/<int:item_id>/extension-requests", methods=["POST"])
@items_bp.arguments(ExtensionInputSchema)
@items_bp.response(201, ExtensionSchema)
@errors(items_bp, *WRITE)
@api_roles(*AGENCY)
def post_extension_request(data, item_id: int):
    """Cơ quan chủ trì đề nghị gia hạn (mỗi nhiệm vụ một đề nghị đang chờ)"""
    item = _item_or_problem(item_id)
    if item is None:
        return problem(404)
    version = if_match()
    request_, failed = _commit_or_problem(
        lambda: request_extension(
            item, due_date=data["due_date"], reason=data["reason"], by=current_user, now=clock.now(), version=version
        )
    )
    return failed or request_


# --- the office ------------------------------------------------------------------------------------


@review_bp.route("/review-queue")
@review_bp.arguments(QueueQuerySchema, location="query")
@review_bp.response(200, ItemPageSchema)
@errors(review_bp, 401, 403)
@api_roles(*OFFICE)
def get_review_queue(args):
    """Báo cáo hoàn thành chờ xác nhận, cũ nhất trước"""
    agency_id = None
    if args.get("agency"):
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == args["agency"])) or -1
    query = review_queue_query(
        current_user,
        clock.today(),
        current_app.config["TIMEZONE"],
        plan_id=args.get("plan"),
        agency_id=agency_id,
        q=args.get("q", ""),
    )
    return _page(query, args["page"], args["per_page"])


@review_bp.route("/items/<int:item_id>/review", methods=["POST"])
@review_bp.arguments(ReviewSchema)
@review_bp.response(200, ItemSchema)
@errors(review_bp, *WRITE)
@api_roles(*OFFICE)
def post_review(data, item_id: int):
    """Xác nhận hoàn thành (tính vào ngày đơn vị báo cáo) hoặc trả lại kèm ý kiến"""
    item = _item_or_problem(item_id)
    if item is None:
        return problem(404)
    version = if_match()
    _, failed = _commit_or_problem(
        lambda: review_completion(
            item, decision=data["decision"], comment=data["comment"], by=current_user, now=clock.now(), version=version
        )
    )
    return failed or _item_json(item_id)


@review_bp.route("/extension-requests/<int:request_id>/decision", methods=["POST"])
@review_bp.arguments(DecisionSchema)
@review_bp.response(200, ExtensionSchema)
@errors(review_bp, 401, 403, 404, 422)
@api_roles(*OFFICE)
def post_extension_decision(data, request_id: int):
    """Đồng ý gia hạn (hạn chuyển sang hạn mới) hoặc không đồng ý kèm ý kiến"""
    extension = db.session.get(ExtensionRequest, request_id)
    if extension is None:
        return problem(404)
    _, failed = _commit_or_problem(
        lambda: decide_extension(
            extension, decision=data["decision"], comment=data["comment"], by=current_user, now=clock.now()
        )
    )
    return failed or extension


# --- tasks: comments and history ---------------------------------------------------------------------


def _comment_json(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "kind": comment.kind,
        "text": comment.text,
        "author": comment.author.full_name if comment.author else None,
        "agency": {"code": comment.agency.code, "name": comment.agency.name} if comment.agency else None,
        "created_at": comment.created_at,
    }


@tasks_bp.route("/<int:task_id>/comments")
@tasks_bp.response(200, CommentListSchema)
@errors(tasks_bp, *READ)
@api_roles(*ALL_ROLES)
def get_comments(task_id: int):
    """Ý kiến của Văn phòng, các đơn vị và ghi nhận phần phối hợp"""
    task = visible_task(current_user, task_id)
    if task is None:
        return problem(404)
    comments = task_comments(task.id)
    return {"comments": [_comment_json(c) for c in comments]}


@tasks_bp.route("/<int:task_id>/comments", methods=["POST"])
@tasks_bp.arguments(CommentInputSchema)
@tasks_bp.response(201, CommentSchema)
@errors(tasks_bp, 401, 403, 404, 422)
@api_roles(Role.MONITOR, Role.ADMIN, Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def post_comment(data, task_id: int):
    """Gửi ý kiến (Văn phòng, cơ quan chủ trì) hoặc ghi nhận phần phối hợp (cơ quan phối hợp)"""
    task = visible_task(current_user, task_id)
    if task is None:
        return problem(404)
    comment, failed = _commit_or_problem(lambda: add_comment(task, text=data["text"], by=current_user, now=clock.now()))
    return failed or _comment_json(comment)


@tasks_bp.route("/<int:task_id>/history")
@tasks_bp.response(200, HistorySchema)
@errors(tasks_bp, *READ)
@api_roles(*ALL_ROLES)
def get_history(task_id: int):
    """Lịch sử thay đổi của nhiệm vụ, mới nhất trước"""
    task = visible_task(current_user, task_id)
    if task is None:
        return problem(404)
    item_ids = None
    if current_user.is_agency_user:
        from tracker.plans.items import item_scope

        item_ids = list(
            db.session.scalars(
                select(DueItem.id)
                .join(Assignment, DueItem.assignment_id == Assignment.id)
                .where(Assignment.task_id == task.id, item_scope(current_user))
            )
        )
    lines = task_history(task.id, item_ids)
    return {"history": [line.__dict__ for line in lines]}


# --- plans and agencies ----------------------------------------------------------------------------------


def _plan_json(plan: Plan, counts: dict) -> dict:
    return {
        "id": plan.id,
        "reference": plan.reference,
        "doc_kind": plan.doc_kind,
        "doc_number": plan.doc_number,
        "issued_on": plan.issued_on,
        "title": plan.title,
        "issuer": plan.issuer,
        "signer": plan.signer,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "status": plan.status,
        "counts": counts.get(plan.id, {}),
    }


def _plans_query():
    return visible_plans_query(current_user)


@plans_bp.route("/plans")
@plans_bp.response(200, PlanListSchema)
@errors(plans_bp, 401)
@api_roles(*ALL_ROLES)
def get_plans():
    """Các kế hoạch người gọi được xem, với số nhiệm vụ theo tình trạng"""
    counts = plan_counts(current_user, clock.today(), current_app.config["TIMEZONE"])
    return {"plans": [_plan_json(p, counts) for p in db.session.scalars(_plans_query())]}


@plans_bp.route("/plans/<int:plan_id>")
@plans_bp.response(200, PlanSchema)
@errors(plans_bp, *READ)
@api_roles(*ALL_ROLES)
def get_plan(plan_id: int):
    """Một kế hoạch"""
    plan = db.session.scalar(_plans_query().where(Plan.id == plan_id))
    if plan is None:
        return problem(404)
    return _plan_json(plan, plan_counts(current_user, clock.today(), current_app.config["TIMEZONE"]))


@plans_bp.route("/agencies")
@plans_bp.response(200, AgencyListSchema)
@errors(plans_bp, 401)
@api_roles(*ALL_ROLES)
def get_agencies():
    """Danh mục cơ quan, đơn vị"""
    agencies = db.session.scalars(select(Agency).order_by(Agency.kind, Agency.name)).all()
    return {
        "agencies": [
            {"code": a.code, "name": a.name, "short_name": a.short_name or "", "kind": a.kind} for a in agencies
        ]
    }


# --- reports ----------------------------------------------------------------------------------------------


@reports_bp.route("/summary")
@reports_bp.arguments(SummaryQuerySchema, location="query")
@reports_bp.response(200, SummarySchema)
@errors(reports_bp, *READ, 422)
@api_roles(Role.ADMIN, Role.MONITOR, Role.LEADER)
def get_summary(args):
    """Số liệu của trang Tổng quan: tình trạng, theo đơn vị, thời gian quá hạn, tỷ lệ đúng hạn theo tháng"""
    from tracker.reports.summary import summary_for

    as_of = args.get("as_of") or clock.today()
    if not 2000 <= as_of.year <= 2100:
        return problem(422, errors={"as_of": ["Ngày phải trong khoảng năm 2000 đến 2100."]})
    plan_id = args.get("plan")
    if plan_id is not None and db.session.scalar(_plans_query().where(Plan.id == plan_id)) is None:
        return problem(404)
    return summary_for(as_of, current_app.config["TIMEZONE"], plan_id=plan_id).to_json()


# --- the document and its page -------------------------------------------------------------------------

docs = FlaskBlueprint("api-docs", __name__, url_prefix=PREFIX)


@docs.get("/openapi.json")
@public
def openapi_json():
    return jsonify(current_app.extensions["tracker.api"].spec.to_dict())


@docs.get("/docs")
@public
def docs_page():
    return render_template("api/docs.html", spec_url=f"{PREFIX}/openapi.json")
