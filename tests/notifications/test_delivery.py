"""Delivery through the outbox (issue 11, defect 6): a final rejection fails at once, a temporary one waits for its
backoff, a message tried a moment ago is not taken again by a worker that listed it before, and a message sent
twice (a crash between sending and marking it sent) keeps one Message-ID, so a mail client shows it once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tracker.notifications.mail import claim_message, deliver_outbox
from tracker.notifications.models import OutboxMessage


def _queue(db, clock, to: str) -> int:
    message = OutboxMessage(
        created_at=clock.now(),
        kind="workflow-comment",
        recipients=[to],
        subject="Ý kiến của Văn phòng",
        text_body="Ý kiến",
        next_attempt_at=clock.now(),
    )
    db.session.add(message)
    db.session.commit()
    return message.id


def test_a_final_rejection_fails_at_once_and_a_temporary_one_waits(db, clock, smtp):
    smtp.refuse = {"khongco@example.org": "550 5.1.1 Mailbox unavailable", "day@example.org": "451 4.2.1 Try later"}
    gone, full = _queue(db, clock, "khongco@example.org"), _queue(db, clock, "day@example.org")
    counts = deliver_outbox(clock.now())
    assert counts == {"sent": 0, "failed": 1, "retry": 1}
    db.session.expire_all()
    final, later = db.session.get(OutboxMessage, gone), db.session.get(OutboxMessage, full)
    assert (final.status, final.attempts) == ("failed", 1) and "550" in final.last_error
    assert (later.status, later.attempts) == ("queued", 1)
    assert later.next_attempt_at == clock.now() + timedelta(minutes=2)


def test_a_message_tried_a_moment_ago_is_not_taken_again_by_a_worker_that_listed_it(db, clock):
    message_id = _queue(db, clock, "snv@example.org")
    # another worker tried it and put it back with its backoff after this one read the list of due ids
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=1, next_attempt_at=clock.now() + timedelta(minutes=2))
    )
    db.session.commit()
    assert not claim_message(message_id, clock.now())
    assert claim_message(message_id, clock.now() + timedelta(minutes=2))


def test_a_message_sent_again_after_a_crash_keeps_its_message_id(db, clock, smtp):
    message_id = _queue(db, clock, "snv@example.org")
    assert deliver_outbox(clock.now())["sent"] == 1
    # the process died after the server took it, before the row said "sent": once its claim runs out, it is sent again
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(status="sending"))
    db.session.commit()
    assert deliver_outbox(clock.now() + timedelta(minutes=16))["sent"] == 1
    first, second = (message for _, message in smtp.messages)
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].startswith(f"<tracker.{message_id}.")
