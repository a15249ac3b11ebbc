"""A Saturday morning in Brackenford, for locust: residents browsing and searching the
board and signing up to shifts, newcomers joining, and residents paying at the shops'
tills while their notification socket is open.

`python -m load` writes the plan (load/data.py: who logs in, which ids, the till keys)
and names it in LOAD_PLAN. Users are spread over the plan's web processes in turn, and
a resident paying at a till uses one while the till (another device, another network)
uses the other: the sale reaching the resident's socket proves the channel layer, the
session and the till's brake live in Redis and PostgreSQL, not in a process.

Requests are named by their URL pattern, so that locust's figures are per endpoint.
Every request must succeed on a correct product. Where the product rightly says no
(a shift clashing with one the resident already has), the refusal is the expected
answer and counts as a success; each such place says so."""

import itertools
import json
import os
import re
import time
import uuid
from functools import cache
from secrets import choice  # random's would do; the linter asks for this one
from typing import Any
from urllib.parse import urlencode, urlparse

import websocket
from locust import HttpUser, between, task
from locust.clients import HttpSession
from locust.env import Environment

SEARCHES = [
    ("garden", "environment"),
    ("food", "food"),
    ("reading", "children"),
    ("litter", "environment"),
    ("café", "refugees"),
    ("dog", "animals"),
    ("", "older_people"),
]
SIGN_UP_FORM = re.compile(r'action="/shifts/(\d+)/sign-up/"')
SOCKET_WAIT_S = 10.0
ERRORS = re.compile(r'class="errorlist[^"]*">(.*?)</ul>', re.S)
TAGS = re.compile(r"<[^>]+>")
_turn = itertools.count()  # which web process: every other user on the other
_logins: "dict[str, itertools.count[int]]" = {}  # which login: one each within a class


@cache
def plan() -> dict[str, Any]:
    path = os.environ.get("LOAD_PLAN", "")
    if not path:
        raise RuntimeError("LOAD_PLAN is not set: run the load with `python -m load`")
    loaded: dict[str, Any] = json.loads(open(path).read())  # noqa: SIM115
    return loaded


def take(people: list[str], n: int) -> str:
    return people[n % len(people)]


def said(page: str) -> str:
    """What a form page says is wrong, for a failure's message."""
    errors = ERRORS.findall(page)
    return " ".join(TAGS.sub("", e).strip() for e in errors)[:300] or "(no form errors)"


class Visitor(HttpUser):
    """Someone on the site: a turn (which host, which login), and the site's forms."""

    abstract = True
    wait_time = between(2, 6)

    def __init__(self, environment: Environment) -> None:
        self.turn = next(_turn)
        self.login_turn = next(_logins.setdefault(type(self).__name__, itertools.count()))
        hosts: list[str] = plan()["hosts"]
        self.base = hosts[self.turn % len(hosts)]
        self.host = self.base  # this user's web process, whatever --host said
        super().__init__(environment)

    def csrf(self, client: HttpSession | None = None) -> str:
        return str((client or self.client).cookies.get("csrftoken", ""))

    def log_in(self, email: str) -> None:
        """allauth's form, as a phone sends it: the page (which sets the CSRF cookie),
        then the post, answered by a redirect home."""
        self.client.get("/accounts/login/", name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={
                "login": email,
                "password": plan()["password"],
                "csrfmiddlewaretoken": self.csrf(),
            },
            name="/accounts/login/ (post)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "sessionid" not in self.client.cookies:
                answer.failure(f"login of {email}: {answer.status_code} {said(answer.text)}")


class Resident(Visitor):
    """Opens the board, searches (words, a cause, near a postcode), opens an
    opportunity and signs up to one of its shifts; looks at their shifts and coins."""

    weight = 6

    def on_start(self) -> None:
        self.log_in(take(plan()["residents"], self.login_turn))

    def search(self) -> dict[str, str]:
        words, cause = choice(SEARCHES)
        postcode = choice(plan()["postcodes"])
        return {"q": words, "cause": cause, "postcode": postcode, "miles": "5"}

    @task(3)
    def board(self) -> None:
        self.client.get("/opportunities/", name="/opportunities/")

    @task(4)
    def board_search(self) -> None:
        self.client.get(f"/opportunities/?{urlencode(self.search())}", name="/opportunities/?q")

    @task(3)
    def api_search(self) -> None:
        query = urlencode(self.search())
        self.client.get(f"/api/v1/opportunities?{query}", name="/api/v1/opportunities?q")

    @task(2)
    def api_opportunity(self) -> None:
        pk = choice(plan()["opportunities"])
        self.client.get(f"/api/v1/opportunities/{pk}", name="/api/v1/opportunities/[id]")

    @task(3)
    def sign_up(self) -> None:
        pk = choice(plan()["opportunities"])
        page = self.client.get(f"/opportunities/{pk}/", name="/opportunities/[id]/")
        shifts = SIGN_UP_FORM.findall(page.text)
        if not shifts:
            return  # signed up (or waiting) on every shift of it already
        shift = choice(shifts)
        with self.client.post(
            f"/shifts/{shift}/sign-up/",
            data={"csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": f"{self.base}/opportunities/{pk}/"},
            name="/shifts/[id]/sign-up/",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            where = urlparse(answer.headers.get("Location", "")).path
            # A place or a waiting-list place: My shifts. A shift at the same time as one
            # they already have is refused, back on the opportunity with the reason:
            # expected on a busy morning, so a success too.
            if answer.status_code != 302 or where not in ("/my-shifts/", f"/opportunities/{pk}/"):
                answer.failure(f"sign-up to shift {shift}: {answer.status_code} to {where!r}")
        self.client.get(where or "/my-shifts/", name=where.replace(str(pk), "[id]") or "?")

    @task(1)
    def my_shifts(self) -> None:
        self.client.get("/my-shifts/", name="/my-shifts/")
        self.client.get("/api/v1/me/signups", name="/api/v1/me/signups")

    @task(1)
    def wallet(self) -> None:
        self.client.get("/wallet/", name="/wallet/")
        self.client.get("/rewards/", name="/rewards/")


class Newcomer(Visitor):
    """Someone joining this morning: the sign-up form, answered by 'check your e-mail'
    (addresses must be verified before logging in, so they stop there)."""

    weight = 1
    wait_time = between(8, 15)

    @task
    def join(self) -> None:
        self.client.cookies.clear()  # a new phone each time
        self.client.get("/accounts/signup/", name="/accounts/signup/")
        email = f"newcomer-{uuid.uuid4().hex[:12]}@load.citizencoin.localhost"
        form = {
            "csrfmiddlewaretoken": self.csrf(),
            "display_name": "Newcomer",
            "email": email,
            "password1": "a-long-newcomer-password-7",
            "password2": "a-long-newcomer-password-7",
            "postcode": choice(plan()["postcodes"]),
            "age_group": "18+",
        }
        with self.client.post(
            "/accounts/signup/",
            data=form,
            name="/accounts/signup/ (post)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            where = urlparse(answer.headers.get("Location", "")).path
            if answer.status_code != 302 or not where.startswith("/accounts/confirm-email/"):
                said_ = said(answer.text)
                answer.failure(f"sign-up of {email}: {answer.status_code} to {where!r} {said_}")


class Shopper(Visitor):
    """A resident paying at a shop with the notification socket open: the resident
    asks for a code (on one web process), the till types it and confirms with the
    shop's key (on the other), the resident's code page sees it used and the sale
    arrives on the socket."""

    weight = 3
    wait_time = between(3, 7)
    socket: websocket.WebSocket | None = None

    def on_start(self) -> None:
        self.log_in(take(plan()["shoppers"], self.login_turn))
        hosts: list[str] = plan()["hosts"]
        self.till = HttpSession(
            base_url=hosts[(self.turn + 1) % len(hosts)],
            request_event=self.environment.events.request,
            user=self,
        )
        self.socket_open()

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()

    def socket_open(self) -> None:
        """The page's socket, on the session cookie: hello, then resume from now."""
        url = self.base.replace("http://", "ws://", 1) + "/ws/notifications/"
        cookie = f"sessionid={self.client.cookies.get('sessionid', '')}"
        started = time.perf_counter()
        error: Exception | None = None
        try:
            self.socket = websocket.create_connection(url, cookie=cookie, timeout=SOCKET_WAIT_S)
            hello = json.loads(self.socket.recv())
            if hello.get("type") != "hello":
                raise RuntimeError(f"the socket said {hello!r} first, not hello")
            # From the start: what it missed (the coins it earned) comes first, and is passed by.
            self.socket.send(json.dumps({"type": "resume", "after": 0}))
        except Exception as failed:  # reported to locust as a failure
            error, self.socket = failed, None
        self.socket_event("/ws/notifications/ (open)", started, error)

    def socket_event(self, name: str, started: float, error: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

    @task
    def pay(self) -> None:
        till = choice(plan()["tills"])
        offer = choice(till["offers"])
        headers = {"X-CSRFToken": self.csrf()}
        code = self.client.post(
            f"/api/v1/rewards/offers/{offer}/code",
            headers=headers,
            name="/api/v1/rewards/offers/[id]/code",
        )
        if code.status_code != 201:
            return  # counted as a failure by locust already
        made = code.json()
        key = {"Authorization": f"Bearer {till['key']}"}
        typed = {"code": made["code"]}
        found = self.till.post(
            "/api/v1/pos/lookup", json=typed, headers=key, name="/api/v1/pos/lookup"
        )
        if found.status_code != 200:
            return
        confirmed = self.till.post(
            f"/api/v1/pos/redemptions/{found.json()['id']}/confirm",
            json=typed,
            headers=key,
            name="/api/v1/pos/redemptions/[id]/confirm",
        )
        if confirmed.status_code != 200:
            return
        paid_at = time.perf_counter()
        with self.client.get(
            f"/rewards/codes/{made['id']}/status.json",
            name="/rewards/codes/[id]/status.json",
            catch_response=True,
        ) as status:
            if status.ok and status.json().get("status") != "redeemed":
                status.failure(f"code {made['id']} is {status.json()!r} after the till took it")
        self.sale_heard(made["id"], paid_at)

    def sale_heard(self, code_id: int, since: float) -> None:
        """The 'you paid' notification reaches the socket opened on the other process."""
        if self.socket is None:
            self.socket_open()
            return
        wanted = f"/rewards/codes/{code_id}/"
        error: Exception | None = None
        deadline = since + SOCKET_WAIT_S
        try:
            while True:
                self.socket.settimeout(max(deadline - time.perf_counter(), 0.01))
                message = json.loads(self.socket.recv())
                if message.get("type") == "notification" and message.get("url") == wanted:
                    break
        except Exception as failed:  # reported to locust as a failure
            error = RuntimeError(f"no notification for code {code_id} on the socket: {failed!r}")
            self.socket.close()
            self.socket = None
        self.socket_event("/ws/notifications/ (sale heard)", since, error)

    @task
    def ping(self) -> None:
        if self.socket is None:
            self.socket_open()
            return
        started = time.perf_counter()
        error: Exception | None = None
        try:
            self.socket.settimeout(SOCKET_WAIT_S)
            self.socket.send(json.dumps({"type": "ping"}))
            while json.loads(self.socket.recv()).get("type") != "pong":
                pass  # a refresh or a notification meanwhile
        except Exception as failed:  # reported to locust as a failure
            error, self.socket = failed, None
        self.socket_event("/ws/notifications/ (ping)", started, error)


# The scripted journey of each user class that tests/load runs once (load/once.py).
JOURNEYS: dict[type[Visitor], list[str]] = {
    Resident: [
        "board",
        "board_search",
        "api_search",
        "api_opportunity",
        "sign_up",
        "my_shifts",
        "wallet",
    ],
    Newcomer: ["join"],
    Shopper: ["pay", "ping"],
}
