"""The one django-ninja API at /api/v1/: every app's router, its errors in one shape
(Problem), and the 4xx answers each operation documents."""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from accounts.http import AuthedHttpRequest
from backend.roles import roles_for
from backend.schemas import MembershipOut, MeOut
from coins.api import router as wallet_router
from impact.api import router as impact_router
from marketplace.board.api import router as board_router
from marketplace.board.organise_api import router as organiser_router
from marketplace.rewards.api import pos_router
from marketplace.rewards.api import router as rewards_router

# What the API itself may answer before an endpoint's own code runs, in the one `Problem`
# shape. Published for every endpoint it can happen to, so that the document lists every
# status code a caller can meet (schemathesis checks it: tests/backend/test_api_schema.py).
PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
REFUSED_BEFORE = {
    400: "The body is not JSON.",
    401: "Not logged in, or the till's key is missing or no longer works.",
    403: "Not allowed; for a session, also an unsafe method sent without its CSRF token.",
    404: "Nothing has that id.",
    422: "Not valid: `errors` names each field and what is wrong with it.",
}
UNSAFE = {"post", "put", "patch", "delete"}


class CitizenCoinAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                for code in _refused_before(method, operation):
                    answer = {"description": REFUSED_BEFORE[code], "content": PROBLEM}
                    operation["responses"].setdefault(code, answer)
        return schema


def _refused_before(method: str, operation: dict[str, Any]) -> Iterator[int]:
    security = {name for requirement in operation.get("security", []) for name in requirement}
    parameters = operation.get("parameters", [])
    if security:
        yield 401
    if "SessionAuth" in security and method in UNSAFE:
        yield 403
    if "requestBody" in operation:
        yield 400
    if any(p["in"] == "path" for p in parameters):
        yield 404
    if parameters or "requestBody" in operation:
        yield 422


# Session auth for the browser; django_auth checks the CSRF token on unsafe methods.
api = CitizenCoinAPI(
    title="Citizen Coin API",
    version="1",
    description="Volunteering opportunities, Citizen-Coin wallets and rewards.",
    auth=django_auth,
    urls_namespace="api",
)


api.add_router("/", board_router)
api.add_router("/", organiser_router)
api.add_router("/", wallet_router)
api.add_router("/", rewards_router)
api.add_router("/", pos_router)
api.add_router("/", impact_router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Log in to use this."}, status=401)


# ninja's words for a session request without its CSRF token, and ours.
NINJA_CSRF = "CSRF check Failed"
CSRF_MISSING = (
    "This request from a signed-in browser lacks its security token: send the csrftoken "
    "cookie's value in an X-CSRFToken header, or use a till key instead of the session."
)


@api.exception_handler(HttpError)
def refused(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals, as it answers them ({"detail": ...}), its CSRF one in words
    that say what to send."""
    detail = CSRF_MISSING if exc.message == NINJA_CSRF else exc.message
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """What the schemas refuse, in the shape of what the forms refuse (the one `Problem`):
    messages by field, a nested field named like `shifts.day`, the whole body `__all__`."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field(error["loc"]), []).append(_message(error))
    return api.create_response(
        request, {"detail": "Some of what was sent is not valid.", "errors": errors}, status=422
    )


def _field(loc: tuple[str | int, ...]) -> str:
    # ("body", "body", "shifts", "day"): where it came from, then a body's parameter name.
    path = loc[2:] if loc[0] == "body" else loc[1:]
    return ".".join(str(part) for part in path) or NON_FIELD_ERRORS


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "value_error":  # our own validator's words, without "Value error, "
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(error["msg"])


@api.get("/me", response=MeOut, tags=["accounts"], summary="Who am I, and what may I do")
def me(request: AuthedHttpRequest) -> MeOut:
    user = request.user
    roles = roles_for(user)
    return MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        postcode=user.postcode,
        under_18=user.is_under_18(),
        share_name=user.share_name,
        share_location=user.share_location,
        public_name=user.public_name,
        public_area=user.public_area,
        roles=roles.names,
        groups=[MembershipOut(id=g.pk, name=g.name) for g in roles.groups],
        retailers=[MembershipOut(id=r.pk, name=r.name) for r in roles.retailers],
        schemes=[MembershipOut(id=s.pk, name=s.name) for s in roles.schemes],
    )
