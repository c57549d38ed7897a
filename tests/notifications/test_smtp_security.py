"""STARTTLS and SSL to a real SMTP server on loopback, with a certificate the test makes and trusts."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.mailbox import Mailbox, free_port
from tracker.notifications.mail import deliver_outbox, queue_email

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_goes_over_tls(app, db, certificate, monkeypatch, security):
    from aiosmtpd.controller import Controller

    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    mailbox, port = Mailbox(), free_port()
    if security == "ssl":
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, ssl_context=context)
    else:
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # the client trusts the test's certificate
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY=security, MAIL_FROM="tracker@example.org")
    try:
        now = datetime(2024, 3, 1, 8, 0, tzinfo=VN)
        queue_email(
            kind="test",
            recipients=["vp@example.org"],
            template="reports/digest",
            now=now,
            context={"digest": _empty_digest(), "leader": _Leader(), "base_url": "http://x"},
        )
        db.session.commit()
        assert deliver_outbox(now)["sent"] == 1
    finally:
        controller.stop()
        app.config.update(SMTP_HOST=None, SMTP_PORT=25, SMTP_SECURITY="none")
    assert mailbox.to("vp@example.org")[0]["Subject"].startswith("[Theo dõi nhiệm vụ] Tình hình")


class _Leader:
    full_name = "Phó Chủ tịch"


def _empty_digest():
    from datetime import date

    from tracker.reports.digest import Digest

    return Digest(day=date(2024, 3, 1), since=None)
