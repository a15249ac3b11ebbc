"""The one place that talks to Stripe: PaymentIntents out, signed webhook events in.

Configured from settings (STRIPE_*); each call builds its own client, so that no global
`stripe.api_key` leaks between schemes, tests or threads. STRIPE_API_BASE points it at
localstripe in the tests and the demo (coins/localstripe_launch.py); the card itself is
typed into Stripe.js in the sponsor's browser and never reaches this site."""

import json
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings


class GatewayError(Exception):
    """Stripe could not be reached or refused the request; the message is for people."""


class WebhookRefused(Exception):
    """A webhook whose signature or payload does not check out: answer 400, store nothing."""


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str
    status: str


def configured() -> bool:
    return bool(
        settings.STRIPE_SECRET_KEY
        and settings.STRIPE_PUBLISHABLE_KEY
        and settings.STRIPE_WEBHOOK_SECRET
    )


def _client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,  # safe: every create carries an idempotency key
    )


def payment_intent_create(*, amount_pence: int, key: str, metadata: dict[str, str]) -> Intent:
    """A one-off card payment in GBP, for the sponsor's browser to confirm with the card
    they type (Stripe.js). Stripe answers a repeated `key` with the first intent."""
    params: dict[str, Any] = {
        "amount": amount_pence,
        "currency": "gbp",
        "payment_method_types": ["card"],
        "metadata": metadata,
    }
    try:
        intent = _client().v1.payment_intents.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": key},
        )
    except stripe.StripeError as error:
        raise GatewayError("The card payment could not be started. Please try again.") from error
    return Intent(intent.id, intent.client_secret or "", intent.status)


def payment_intent_get(intent_id: str) -> Intent:
    try:
        intent = _client().v1.payment_intents.retrieve(intent_id)
    except stripe.StripeError as error:
        raise GatewayError("Stripe could not be reached. Please try again.") from error
    return Intent(intent.id, intent.client_secret or "", intent.status)


def payment_intent_cancel(intent_id: str) -> Intent:
    """Cancel a PaymentIntent nobody has paid, and return it as Stripe now has it. One
    Stripe will not cancel (paid meanwhile, or cancelled already) comes back as it is, so
    the caller decides by its status; GatewayError only when Stripe cannot be reached."""
    try:
        intent = _client().v1.payment_intents.cancel(intent_id)
    except stripe.InvalidRequestError:
        return payment_intent_get(intent_id)
    except stripe.StripeError as error:
        raise GatewayError("Stripe could not be reached. Please try again.") from error
    return Intent(intent.id, intent.client_secret or "", intent.status)


def connect_transfer_create(*, pence: int, destination: str, key: str) -> str:
    """Pay a connected account from the platform's balance; a repeated `key` pays once.
    Returns Stripe's transfer id; GatewayError says why Stripe refused."""
    try:
        transfer = stripe.Transfer.create(
            amount=pence,
            currency="gbp",
            destination=destination,
            transfer_group=key,
            idempotency_key=key,
            api_key=settings.STRIPE_SECRET_KEY or None,
        )
    except stripe.StripeError as refused:
        raise GatewayError(
            refused.user_message or str(refused) or type(refused).__name__
        ) from refused
    return str(transfer.id)


def event_verify(payload: bytes, signature: str) -> dict[str, Any]:
    """The event as Stripe sent it, once its signature checks out against our secret."""
    try:
        stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
        event: dict[str, Any] = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise WebhookRefused(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise WebhookRefused("not an event")
    if not isinstance(event.get("data"), dict) or not isinstance(event["data"].get("object"), dict):
        raise WebhookRefused("an event without an object")
    return event
