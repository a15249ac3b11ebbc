"""Stripe's webhook: verify, store once, answer. The work happens in Celery afterwards."""

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coins import stripe_gateway
from coins.funding import stripe_event_receive

log = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs the body instead; there is no session to forge
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not stripe_gateway.configured():
        return HttpResponse("Stripe is not set up here.", status=400, content_type="text/plain")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        stored = stripe_event_receive(request.body, signature)
    except stripe_gateway.WebhookRefused as refused:
        log.warning("Stripe webhook refused: %s", refused)
        return HttpResponse("Bad signature or payload.", status=400, content_type="text/plain")
    # 200 for a repeat too: Stripe stops sending an event only once it hears 2xx.
    return HttpResponse("stored" if stored else "already stored", content_type="text/plain")
