"""localstripe (the fake Stripe in the dev dependencies) as the tests and the demo run it.

Three things differ from its own `python -m localstripe`, each on purpose:

- it listens on 127.0.0.1 only, not on every interface, and keeps its store in memory
  instead of writing /tmp/localstripe.pickle after each change;
- its Stripe.js stand-in gets the one behaviour of the real Stripe.js our sponsor page
  uses that it lacks: `stripe.confirmCardPayment(secret, {payment_method: {card}})` takes
  the card typed into the card element, attaches it to the PaymentIntent and confirms it
  (then asks for 3-D Secure when the card needs it). localstripe's own only completes
  3-D Secure on a PaymentIntent the server already confirmed with a card, so a card typed
  in the page could never pay. Our pages and services are the same code as production;
  only the fake is made more faithful;
- `localstripe_webhook_register` points its webhook at ours (it takes the event names as
  `events[0]=...`, and sends everything when given none).

Nothing here is imported by the site itself: `python -m coins.localstripe_launch PORT`
(or `localstripe_serve`) in the process that hosts the fake."""

import json
import re
import sys
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The events our webhook acts on (coins.funding.HANDLERS; a test keeps the two alike).
# localstripe itself never sends payment_intent.canceled or charge.refunded.
STRIPE_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
)

_CONFIRM_CARD = re.compile(r"^/v1/payment_intents/(pi_\w+)/_confirm_card$")

# Appended to localstripe's Stripe.js: a card element given to confirmCardPayment is
# attached and confirmed first, as Stripe.js does; anything else goes to localstripe's own.
_CONFIRM_CARD_JS = """
// Added by coins/localstripe_launch.py: confirmCardPayment with a card element.
(function () {
  const fakeStripe = Stripe;
  Stripe = (apiKey) => {
    const stripe = fakeStripe(apiKey);
    const authenticate = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async (clientSecret, data) => {
      const card = data && data.payment_method && data.payment_method.card;
      if (!(card instanceof Element)) return authenticate(clientSecret, data);
      if (!card.value || !card.value.card.number) {
        return {error: {type: 'validation_error', message: 'Your card number is incomplete.'}};
      }
      const pi = clientSecret.match(/^(pi_\\w+)_secret_/)[1];
      let response, body;
      try {
        response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_intents/${pi}/_confirm_card`, {
          method: 'POST',
          body: JSON.stringify({key: apiKey, client_secret: clientSecret, card: card.value}),
        });
        body = await response.json().catch(() => ({}));
      } catch (err) {
        return {error: {type: 'api_connection_error', message: String(err)}};
      }
      if (response.status !== 200 || body.error) return {error: body.error || {}};
      if (body.status === 'requires_action') return authenticate(clientSecret, data);
      return {paymentIntent: body};
    };
    return stripe;
  };
})();
"""


def _confirm_card(intent_id: str, data: dict[str, Any]) -> Any:
    """Attach the typed card to the PaymentIntent and confirm it, as Stripe does when
    Stripe.js confirms with a card element. Raises localstripe's UserError as Stripe
    would answer: 401 for a wrong client secret, 400 for a finished PaymentIntent or an
    incomplete card, 402 for a declined one."""
    from localstripe.errors import UserError
    from localstripe.resources import PaymentIntent, PaymentMethod

    if not str(data.get("key", "")).startswith("pk_"):
        raise UserError(401, "Unauthorized")
    intent = PaymentIntent._api_retrieve(intent_id)
    if data.get("client_secret") != intent.client_secret:
        raise UserError(401, "Unauthorized")
    if intent.status not in ("requires_payment_method", "requires_confirmation"):
        raise UserError(
            400,
            f"This PaymentIntent's payment_method could not be updated because it has a "
            f"status of {intent.status}.",
            {"code": "payment_intent_unexpected_state"},
        )
    value: dict[str, Any] = data["card"] if isinstance(data.get("card"), dict) else {}
    try:
        method = PaymentMethod(
            type="card",
            card=dict(value.get("card") or {}),
            billing_details={"address": {"postal_code": value.get("postal_code") or None}},
        )
    except UserError as refused:
        raise UserError(
            400, "Your card details are incomplete or wrong.", {"code": "incorrect_number"}
        ) from refused
    intent.payment_method = method.id
    intent.latest_charge = None  # a new attempt after a declined card, as Stripe makes one
    intent._confirm(on_failure_now=intent._report_failure)
    return intent


def _app() -> Any:
    """localstripe's aiohttp app, in memory, with the card element confirmed as above."""
    from aiohttp import web
    from localstripe import resources, server
    from localstripe.errors import UserError

    resources.Store.dump_to_disk = lambda self: None
    script = (Path(server.__file__).parent / "localstripe-v3.js").read_text() + _CONFIRM_CARD_JS

    @web.middleware
    async def card_element(request: Any, handler: Any) -> Any:
        if request.path == "/js.stripe.com/v3/":
            return web.Response(text=script, content_type="application/javascript")
        match = _CONFIRM_CARD.match(request.path)
        if match is None or request.method != "POST":
            return await handler(request)
        try:
            data = json.loads(await request.text() or "{}")
            intent = _confirm_card(match[1], data if isinstance(data, dict) else {})
        except json.JSONDecodeError:
            return server.json_response({"error": {"message": "Bad request"}}, status=400)
        except UserError as refused:
            return refused.to_response()
        return server.json_response(intent._export())

    server.app.middlewares.insert(0, card_element)  # before localstripe's own auth check
    return server.app


def localstripe_serve(port: int, host: str = "127.0.0.1") -> None:
    """Run localstripe here until the process is stopped (blocks)."""
    from aiohttp import web

    web.run_app(_app(), host=host, port=port, print=None)


def localstripe_webhook_register(
    base: str, url: str, secret: str, events: Sequence[str] = STRIPE_EVENTS
) -> None:
    """Point localstripe's webhook at `url`, signed with `secret`, for these events
    (none: it sends nothing to it)."""
    fields = [("url", url), ("secret", secret)]
    fields += [(f"events[{i}]", name) for i, name in enumerate(events or ("none.at.all",))]
    request = urllib.request.Request(  # noqa: S310 (localstripe on 127.0.0.1)
        f"{base}/_config/webhooks/citizencoin", data=urllib.parse.urlencode(fields).encode()
    )
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass


if __name__ == "__main__":
    localstripe_serve(int(sys.argv[1]))
