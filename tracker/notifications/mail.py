"""Email: queue in the outbox (inside the caller's transaction), deliver after commit, retry with backoff."""

from __future__ import annotations

import base64
import contextlib
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import insert, select, update

from tracker.extensions import db
from tracker.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

#: Attempts before a message is given up as failed (about a day with the backoff below)
MAX_ATTEMPTS = 8
#: How long a worker's claim on a message lasts
CLAIM_TIME = timedelta(minutes=15)


def queue_email(
    *,
    kind: str,
    recipients: list[str],
    template: str,
    context: dict[str, Any],
    now: datetime,
    attachments: list[dict[str, Any]] | None = None,
) -> OutboxMessage:
    """Render ``templates/emails/<template>.txt`` and ``.html`` (subject from the text's first line) and queue."""
    message = OutboxMessage(**render_email(kind, recipients, template, context, now, attachments))
    db.session.add(message)
    db.session.flush()
    return message


def queue_emails(messages: list[dict[str, Any]]) -> None:
    """Queue many rendered messages (``render_email``'s) in one executemany statement: a job's hundreds of mails
    without an object or a returned id each."""
    if messages:
        db.session.execute(insert(OutboxMessage), messages)


def render_email(
    kind: str,
    recipients: list[str],
    template: str,
    context: dict[str, Any],
    now: datetime,
    attachments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An outbox row's values: the text (its first line the subject) and the HTML, rendered from the template."""
    text = render_template(f"emails/{template}.txt", **context)
    subject, _, body = text.partition("\n")
    return {
        "created_at": now,
        "kind": kind,
        "recipients": sorted(set(recipients)),
        "subject": subject.strip(),
        "text_body": body.lstrip("\n"),
        "html_body": render_template(f"emails/{template}.html", **context),
        "attachments": [
            {**a, "data": base64.b64encode(a["data"]).decode("ascii")} if isinstance(a.get("data"), bytes) else a
            for a in (attachments or [])
        ],
        "status": "queued",
        "attempts": 0,
        "last_error": "",
        "next_attempt_at": now,
    }


def message_id_of(message: OutboxMessage) -> str:
    """The same Message-ID each time the message is sent (a retry, a re-send after a crash), so a mail client shows
    it once: its outbox id and creation time, at the site's host."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"<tracker.{message.id}.{int(message.created_at.timestamp())}@{host}>"


def to_mime(message: OutboxMessage, sender: str) -> MIMEMultipart:
    """The message as MIME: text and HTML alternatives, then the attachments; UTF-8 throughout.

    Built with the compat32 classes and ``Header``: the modern policy's folding drops the space between two
    encoded words of a long Vietnamese subject ("dựng: 1" came out as "dựng:1").
    """
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(message.text_body, "plain", "utf-8"))
    if message.html_body:
        body.attach(MIMEText(message.html_body, "html", "utf-8"))
    if message.attachments:
        mime = MIMEMultipart("mixed")
        mime.attach(body)
        for attachment in message.attachments:
            _maintype, _, subtype = attachment["content_type"].partition("/")
            part = MIMEApplication(base64.b64decode(attachment["data"]), _subtype=subtype)
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", attachment["filename"]))
            mime.attach(part)
    else:
        mime = body
    mime["From"] = sender
    mime["To"] = ", ".join(message.recipients)
    mime["Subject"] = Header(message.subject, "utf-8")
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = message_id_of(message)
    return mime


def permanent(error: Exception) -> bool:
    """A rejection the server says is final (a 5xx reply: no such mailbox, refused): retrying changes nothing.
    A connection that failed, a timeout or a 4xx reply is temporary."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, security = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"]
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=30)
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USER"):
        smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    return smtp


def claim_message(message_id: int, now: datetime) -> bool:
    """Take a message for sending (committed at once); False if it is not queued or not due: another worker took
    it, or tried it a moment ago and it waits for its backoff, whatever list of ids the caller read before."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + CLAIM_TIME)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def deliver_outbox(now: datetime, *, limit: int = 500) -> dict[str, int]:
    """Send what is due in the outbox; each message is claimed first, so two workers never send one twice.

    With no SMTP configured, messages stay queued (the administrator reads them in "Hộp thư đi").
    """
    counts = {"sent": 0, "failed": 0, "retry": 0}
    if not smtp_configured():
        return counts
    # A worker that died while sending leaves its claim behind: after the claim's time, try again
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at < now)
        .values(status="queued")
    )
    db.session.commit()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not ids:
        return counts
    sender = current_app.config["MAIL_FROM"]
    smtp = None
    for message_id in ids:
        if not claim_message(message_id, now):
            continue  # another worker took it, or tried it a moment ago and it waits for its backoff
        message = db.session.get(OutboxMessage, message_id)
        try:
            if smtp is None:
                smtp = _connect()
            smtp.send_message(to_mime(message, sender))
        except (OSError, smtplib.SMTPException) as error:
            if smtp is not None:  # the next message opens a fresh connection; this one is closed, not leaked
                smtp.close()
            smtp = None
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS or permanent(error):
                message.status = "failed"
                counts["failed"] += 1
            else:
                message.status = "queued"
                message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
                counts["retry"] += 1
            log.warning("mail %s not sent (attempt %s): %s", message.id, message.attempts, message.last_error)
        else:
            message.status = "sent"
            message.sent_at = now
            message.last_error = ""
            counts["sent"] += 1
        db.session.commit()
    if smtp is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return counts


#: Messages per batch when the outbox is drained
DRAIN_BATCH = 200


def drain_outbox(now: datetime, *, batch: int = DRAIN_BATCH) -> dict[str, int]:
    """Deliver batch after batch until nothing due is left (a message that fails waits for its backoff, past
    ``now``, so the loop ends): the job that queued 600 mails sends them all, not the first 500."""
    total = {"sent": 0, "failed": 0, "retry": 0}
    while True:
        counts = deliver_outbox(now, limit=batch)
        for key, value in counts.items():
            total[key] += value
        if sum(counts.values()) < batch:
            return total
