"""The mixed load of scripts/soak, for locust.

Agents take complaints in (with an Idempotency-Key) and move each through the lifecycle to its
close, oldest first, so that the open complaints stay about as many as the run goes on; some are
received long enough ago that their first tier falls due a minute or three later, and those wait
until it has fired before they are moved. Agents also list and read complaints; department heads
(Billing's and the complaint office's) read their work queue and department lists, follow their
page stream and acknowledge what it brings; the branch manager reads reports, the work queue and
escalations; the bot follows its stream and confirms each page's delivery. Every request is
written to SOAK_LOG (epoch seconds, name, status, milliseconds) for scripts/soak-report.py; a
page stream's request is recorded when the stream closes, and a stream that breaks is recorded
as `/v1/pages/stream [broken]` with status 0. Every request gives up after 30 s (status 0).

Settings (environment): SOAK_API (base URLs of the API instances, space-separated), SOAK_BRANCH,
SOAK_PASSWORD, SOAK_BOT_KEY, SOAK_MINUTES (the run's length), SOAK_LOG.
"""

import json
import os
import random
import time
import uuid

import gevent
from locust import HttpUser, constant_throughput, events, task

APIS = os.environ["SOAK_API"].split()
BRANCH = os.environ.get("SOAK_BRANCH", "north")
PASSWORD = os.environ["SOAK_PASSWORD"]
BOT_KEY = os.environ["SOAK_BOT_KEY"]
ENDS_AT = time.time() + float(os.environ["SOAK_MINUTES"]) * 60
LOG = open(os.environ["SOAK_LOG"], "a", buffering=1)


@events.request.add_listener
def record(request_type, name, response_time, response_length, response=None, exception=None, **_):
    status = getattr(response, "status_code", 0) or 0
    LOG.write(f"{time.time():.3f},{name},{status},{response_time:.2f}\n")


class Signed(HttpUser):
    """A person signed in on one of the API instances, chosen at random as a load balancer would."""

    abstract = True
    login = ""

    def on_start(self):
        self.connect()
        answer = self.client.post("/v1/auth/sign-in", name="sign-in",
                                  json={"branch": BRANCH, "login": self.login, "password": PASSWORD})
        self.client.headers["Authorization"] = "Bearer " + answer.json()["token"]

    def connect(self):
        """Picks an instance, and makes every request give up after 30 s unless it says otherwise."""
        self.client.base_url = random.choice(APIS)
        request = self.client.request
        self.client.request = lambda method, url, **options: request(method, url, **{"timeout": 30, **options})

    def follow_pages(self):
        """Holds the page stream open, acknowledging each page it brings (a bot's acknowledgement
        confirms delivery), and opens it again after the `retry` it asked for."""
        retry = 3.0
        while True:
            started = time.time()
            try:
                with self.client.get("/v1/pages/stream", name="/v1/pages/stream", stream=True,
                                     catch_response=True, timeout=(10, 60)) as response:
                    response.success()
                    event = {}
                    for line in response.iter_lines(decode_unicode=True):
                        if line:
                            key, _, value = line.partition(": ")
                            if key == "retry":
                                retry = int(value) / 1000
                            event[key] = value
                            continue
                        if event.get("event") == "page":
                            self.client.post(f"/v1/pages/{event['id']}/acknowledge", name="/v1/pages/{id}/acknowledge",
                                             json={})
                        event = {}
            except Exception as error:
                events.request.fire(request_type="GET", name="/v1/pages/stream [broken]", response_time=(time.time() - started) * 1000,
                                    response_length=0, response=None, exception=error, context={})
            gevent.sleep(retry)


class Agent(Signed):
    login = "agent"
    weight = 6
    wait_time = constant_throughput(1)

    def on_start(self):
        super().on_start()
        self.categories = [c["id"] for c in self.client.get("/v1/categories", name="/v1/categories").json()["items"]]
        # The agent's open complaints, oldest first: [id, status, when it may be moved].
        self.mine = []

    @task(2)
    def take_in(self):
        body = {"channel": random.choice(["phone", "web", "email", "visit"]),
                "complainant": {"name": "Soak Complainant", "phone": f"+86 138 {random.randint(0, 99999999):08d}"},
                "description": random.choice(["bill charged twice", "network down at night", "rude staff at the counter",
                                              "refund never arrived"]),
                "categoryId": random.choice(self.categories)}
        ready = time.time()
        if random.random() < 0.3 and ENDS_AT - time.time() > 300:
            # Its first tier (a day after receipt) falls due one to three minutes from now; it is
            # left open until then.
            due_in = random.uniform(60, 180)
            body["receivedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 24 * 3600 + due_in))
            ready += due_in + 10
        answer = self.client.post("/v1/complaints", name="/v1/complaints [intake]", json=body,
                                  headers={"Idempotency-Key": str(uuid.uuid4())})
        if answer.status_code in (200, 201):
            self.mine.append([answer.json()["id"], "received", ready])

    @task(3)
    def list_complaints(self):
        query = random.choice(["status=received&status=acknowledged", "sort=due", "overdue=true", "escalated=true", "q=refund"])
        self.client.get(f"/v1/complaints?{query}&limit=20", name="/v1/complaints [list]")

    @task(2)
    def read_one(self):
        if self.mine:
            complaint = random.choice(self.mine)[0]
            self.client.get(f"/v1/complaints/{complaint}", name="/v1/complaints/{id}")
            self.client.get(f"/v1/complaints/{complaint}/timeline", name="/v1/complaints/{id}/timeline")

    @task(6)
    def move_one(self):
        """The next step of the oldest complaint that may be moved: three steps to its close, at
        three times the rate of intake."""
        now = time.time()
        index = next((i for i, (_, _, ready) in enumerate(self.mine) if ready <= now), None)
        if index is None:
            return
        complaint, status, _ = self.mine[index]
        action, body, after = {"received": ("acknowledge", {}, "acknowledged"),
                               "acknowledged": ("resolve_on_the_spot", {"resolution": "explained and refunded"}, "result_fed_back"),
                               "result_fed_back": ("close", {}, "closed")}[status]
        with self.client.post(f"/v1/complaints/{complaint}/actions/{action}", name=f"/v1/complaints/{{id}}/actions/{action}",
                              json=body, catch_response=True) as answer:
            if answer.status_code == 409:
                # Nothing else moves an agent's complaints in this mix, so the report counts this
                # against the run; the complaint is dropped from the agent's list either way.
                answer.success()
                self.mine.pop(index)
            elif answer.ok and after == "closed":
                self.mine.pop(index)
            elif answer.ok:
                self.mine[index][1] = after


class Head(Signed):
    weight = 2
    wait_time = constant_throughput(0.5)

    def on_start(self):
        # Billing's head, or the complaint office's, which pages also reach.
        self.login = random.choice(["head", "office"])
        super().on_start()
        gevent.spawn(self.follow_pages)

    @task(3)
    def work_queue(self):
        self.client.get("/v1/work-queue", name="/v1/work-queue")

    @task(2)
    def my_departments(self):
        self.client.get("/v1/complaints?myDepartments=true&sort=due&limit=20", name="/v1/complaints [department]")

    @task(1)
    def pages(self):
        self.client.get("/v1/pages", name="/v1/pages")


class Manager(Signed):
    login = "manager"
    weight = 1
    wait_time = constant_throughput(0.5)

    @task(2)
    def report(self):
        self.client.get(f"/v1/reports/complaints?period={random.choice(['month', 'week', 'day'])}"
                        f"&groupBy={random.choice(['none', 'department', 'category'])}", name="/v1/reports/complaints")

    @task(1)
    def work_queue(self):
        self.client.get("/v1/work-queue", name="/v1/work-queue")

    @task(1)
    def escalations(self):
        self.client.get("/v1/escalations?unacknowledged=true", name="/v1/escalations")


class Bot(Signed):
    """The branch's escalation bot: one stream for its key, which a newer stream would replace."""

    fixed_count = 1
    wait_time = constant_throughput(0.2)

    def on_start(self):
        self.connect()
        self.client.headers["Authorization"] = "Bearer " + BOT_KEY
        gevent.spawn(self.follow_pages)

    @task
    def own_pages(self):
        self.client.get("/v1/pages", name="/v1/pages [bot]")
