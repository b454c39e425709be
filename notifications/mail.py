"""Sending a notification mail once: the ``EmailDelivery`` row's unique key is claimed in its own
transaction before the mail goes, so a retried task or a second worker finds it taken and sends
nothing; a failed send releases the claim (and the notifications it carried) for the next try.

A worker that dies between the send and marking it sent leaves a claimed, unsent row: the mail is
then not sent again (at most once), and the delivery log shows it was never confirmed.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .choices import Delivery
from .models import EmailDelivery, Notification

logger = logging.getLogger(__name__)


def claim(recipient, cadence: Delivery, key: str, notification_ids) -> EmailDelivery | None:
    """Take ``key`` and the notifications not yet carried by a mail; None when the key is taken or
    no notification is left to carry."""
    try:
        with transaction.atomic():
            delivery = EmailDelivery._base_manager.create(
                recipient=recipient, cadence=cadence, key=key, to_email=recipient.email
            )
            taken = Notification._base_manager.filter(pk__in=list(notification_ids), email__isnull=True).update(
                email=delivery
            )
            if not taken:
                raise IntegrityError("nothing left to carry")
    except IntegrityError:
        return None
    return delivery


def release(delivery: EmailDelivery) -> None:
    """Give the claim back: the notifications wait for the next try."""
    with transaction.atomic():
        Notification._base_manager.filter(email=delivery).update(email=None)
        EmailDelivery._base_manager.filter(pk=delivery.pk).delete()


def send(delivery: EmailDelivery, template: str, context: dict) -> bool:
    """Render ``template`` (``<template>_subject.txt``, ``.txt``, ``.html``) and mail it for the
    claimed ``delivery``; True when sent, False (claim released, logged) when the mail failed."""
    context = {**context, "recipient": delivery.recipient, "site_url": settings.SITE_URL.rstrip("/")}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    try:
        mail = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.to_email],
        )
        mail.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
        mail.send()
    except Exception as error:  # any mail failure: release the claim, the next try sends it
        logger.warning("Mail %s to %s not sent: %r", delivery.key, delivery.to_email, error)
        release(delivery)
        return False
    EmailDelivery._base_manager.filter(pk=delivery.pk).update(subject=subject[:300], sent_at=timezone.now())
    return True
