"""Alerts to people: a Slack-compatible webhook and email over SMTP.

Configuration comes from the environment at the edge (`AlertSettings.from_env`) and
is passed in; the webhook URL and SMTP password are secrets and never logged.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Literal

from pydantic import BaseModel, Field

from storage.health import ORDER

log = logging.getLogger(__name__)
Level = Literal["warning", "failing"]


class AlertSettings(BaseModel):
    webhook_url: str | None = None
    """TOOLWATCH_ALERT_WEBHOOK: Slack (or compatible) incoming-webhook URL."""
    email_to: list[str] = Field(default_factory=list)
    """TOOLWATCH_ALERT_EMAIL: comma-separated recipients."""
    email_from: str = "toolwatch@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    min_level: Level = "failing"
    """TOOLWATCH_ALERT_LEVEL: alert on `failing` only (default) or on `warning` too."""
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> AlertSettings:
        env = dict(os.environ if env is None else env)
        to = [a.strip() for a in env.get("TOOLWATCH_ALERT_EMAIL", "").split(",") if a.strip()]
        return cls(
            webhook_url=env.get("TOOLWATCH_ALERT_WEBHOOK") or None,
            email_to=to,
            email_from=env.get("TOOLWATCH_ALERT_FROM", "toolwatch@localhost"),
            smtp_host=env.get("TOOLWATCH_SMTP_HOST", "localhost"),
            smtp_port=int(env.get("TOOLWATCH_SMTP_PORT", "25")),
            smtp_user=env.get("TOOLWATCH_SMTP_USER") or None,
            smtp_password=env.get("TOOLWATCH_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("TOOLWATCH_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
            min_level=env.get("TOOLWATCH_ALERT_LEVEL", "failing"),  # type: ignore[arg-type]
        )

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url or self.email_to)

    def wants(self, status: str) -> bool:
        return ORDER.get(status, 0) >= ORDER[self.min_level]


class Alert(BaseModel):
    status: str
    title: str
    lines: list[str]

    def text(self) -> str:
        return "\n".join([f"[{self.status.upper()}] {self.title}", *self.lines])


def send(alert: Alert, settings: AlertSettings) -> list[str]:
    """Deliver to every configured channel; returns the channels that failed (each
    failure is logged, never raised: an alert must not break a crawl)."""
    if not settings.wants(alert.status):
        return []
    failed: list[str] = []
    if settings.webhook_url:
        try:
            post_webhook(alert, settings.webhook_url, settings.timeout_s)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            log.error("alert webhook failed: %s", type(exc).__name__)
            failed.append("webhook")
    if settings.email_to:
        try:
            send_email(alert, settings)
        except Exception as exc:  # noqa: BLE001
            log.error("alert email failed: %s", exc)
            failed.append("email")
    return failed


def post_webhook(alert: Alert, url: str, timeout: float = 10.0) -> None:
    """Slack's incoming-webhook JSON: `text` with a mrkdwn section block."""
    body = {
        "text": alert.text(),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{alert.title}*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(alert.lines)}},
        ],
    }
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "toolwatch-alerts"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - operator's URL
        response.read()


def send_email(alert: Alert, settings: AlertSettings) -> None:
    message = EmailMessage()
    message["Subject"] = f"[toolwatch {alert.status}] {alert.title}"
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    message.set_content(alert.text())
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
