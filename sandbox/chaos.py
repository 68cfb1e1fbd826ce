"""The chaos run: a whole deployment on one PostgreSQL database, broken on purpose while it works.

Roles run as separate `newsbrief run --role …` processes (sandbox/roles.py): updates, collectors
and delivery workers, against the fake Bot API enforcing Telegram's limits and the local feed
server. Subscribers in several timezones have briefings due in consecutive minutes ("waves")
while the feeds change. Meanwhile, at random moments from a seeded generator:

- kill -9 of any process, the tick lock's holder included, restarted a few seconds later as a
  supervisor would;
- every database connection of the deployment cut (`pg_terminate_backend`);
- bursts of 429 and 5xx answers from the Bot API;
- readers asking for `/briefing`.

Then it checks, from the database and from what each chat received: every due briefing reached
its chat exactly once and nothing else arrived, no 429 was caused by our own rate, the send rate
stayed within 10% of the budget, every feed's newest items were collected, and no process died
by itself or needed a hand. A second copy is reported apart, not failed, only when its first
copy was accepted just before its sender's kill -9 (the window docs/bot.md names).
`benchmarks/chaos.py` runs it at full size (5,000 subscribers); `tests/scaleout/test_chaos.py`
runs a small one in CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from sandbox.fake_bot_api import FakeBotAPI
from sandbox.fake_bot_api_support import SentMessage
from sandbox.feed_server import LocalFeedServer
from sandbox.polling import wait_until
from sandbox.processes import cli_environment
from sandbox.roles import Deployment, RoleProcess
from storage.clock import utcnow
from storage.db import Database, sync_url
from storage.feeds import add_feed
from storage.models import Article, Delivery, DeliveryTime, Subscriber, Subscription
from storage.topics import add_topic

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Kolkata",  # +05:30
    "America/St_Johns",  # -03:30 (or -02:30)
    "Australia/Eucla",  # +08:45
)
# Faults go on until the queue is empty after the last wave, or this long after it.
FAULTS_AFTER_LAST_WAVE = timedelta(seconds=60)
# A due wave is queued by the scheduler's next tick (every 2 s here): give it three.
WAVE_QUEUED = timedelta(seconds=6)
# A sender records a message's id within milliseconds of Telegram's answer; on two loaded cores
# a commit can take a few hundred. A second copy is the documented window only when its first
# copy was accepted at most this long before a sender's kill -9.
UNRECORDED_WINDOW_SECONDS = 1.0
TOPICS = ("World", "Business", "Science", "Sport", "Culture", "Health")
# fmt: off
_WORDS = (
    "council", "harbour", "river", "bridge", "market", "school", "hospital", "station", "village",
    "valley", "minister", "mayor", "residents", "workers", "farmers", "engineers", "court",
    "survey", "budget", "plan", "contract", "vote", "inquiry", "storm", "flood", "harvest",
    "forecast", "factory", "trade", "price", "wage", "export", "bank", "grid", "ferry", "airport",
    "cargo", "clinic", "research", "trial", "museum", "festival", "league", "coach",
)
# fmt: on


@dataclass(frozen=True)
class ChaosPlan:
    """How big the run is and how hard it is hit."""

    subscribers: int = 5000
    waves: int = 3  # consecutive minutes in which briefings fall due
    feeds_per_topic: int = 3
    items_per_feed: int = 3
    collectors: int = 2
    deliveries: int = 3
    rate: float = 28.0  # NEWSBRIEF_RATE_LIMIT_PER_SECOND: the budget
    fault_every: float = 12.0  # mean seconds between faults
    asks: int = 60  # readers who send /briefing during the run
    seed: int = 1
    within: float = 1800.0  # give up after this long


@dataclass
class ChaosResult:
    """What the run saw; `failures()` names every pass criterion it broke."""

    plan: ChaosPlan
    seconds: float = 0.0
    deliveries: Counter[str] = field(default_factory=Counter)  # by status
    due_rows_missing: int = 0  # (subscriber, slot) pairs the ticks never queued
    not_final: int = 0  # rows still pending or sending at the end
    parts_expected: int = 0
    parts_missing: list[int] = field(default_factory=list)  # chats
    parts_extra: list[int] = field(default_factory=list)  # chats that got something twice/unasked
    # Second copies whose first copy Telegram accepted just before its sender was killed: the
    # window docs/bot.md names (Telegram has no idempotency key), counted, not a failure.
    resent_after_kill: int = 0
    sender_kills: list[float] = field(default_factory=list)  # monotonic times of kill -9
    examples: list[str] = field(default_factory=list)  # what went wrong, a few chats' worth
    rejected_by_limits: int = 0  # 429s caused by our own rate
    injected: Counter[str] = field(default_factory=Counter)  # faults by kind
    max_rate_1s: float = 0.0
    busy_rate: float = 0.0  # median messages/s over full seconds while sending
    busy_seconds: int = 0
    feeds: int = 0
    feeds_behind: list[str] = field(default_factory=list)  # newest item never stored
    handovers: list[float] = field(default_factory=list)  # seconds after killing the leader
    died: list[str] = field(default_factory=list)  # processes that exited by themselves
    tracebacks: int = 0

    def failures(self) -> list[str]:
        """The pass criteria this run broke (empty: it passed)."""
        broken = []
        if self.due_rows_missing:
            broken.append(f"{self.due_rows_missing} due briefings were never queued")
        if self.not_final:
            broken.append(f"{self.not_final} deliveries never finished")
        if self.deliveries.get("failed"):
            broken.append(f"{self.deliveries['failed']} deliveries failed")
        if self.parts_missing:
            broken.append(f"{len(self.parts_missing)} chats miss a message")
        if self.parts_extra:
            broken.append(f"{len(self.parts_extra)} chats got a message twice or unasked")
        if self.rejected_by_limits:
            broken.append(f"{self.rejected_by_limits} 429s caused by our own rate")
        if self.max_rate_1s > self.plan.rate * 1.1:
            broken.append(f"{self.max_rate_1s:.0f} messages in one second")
        if self.busy_seconds >= 10 and abs(self.busy_rate - self.plan.rate) > self.plan.rate * 0.1:
            broken.append(f"busy send rate {self.busy_rate:.1f}/s, budget {self.plan.rate}/s")
        if self.feeds_behind:
            broken.append(f"feeds not collected: {self.feeds_behind}")
        if self.died:
            broken.append(f"processes died by themselves: {self.died}")
        return broken

    def summary(self) -> str:
        """The figures, one per line."""
        handovers = (
            f"{statistics.median(self.handovers):.2f} s median, {max(self.handovers):.2f} s max "
            f"over {len(self.handovers)}"
            if self.handovers
            else "no leader was killed"
        )
        return "\n".join(
            [
                f"subscribers {self.plan.subscribers}, waves {self.plan.waves}, "
                f"{self.plan.collectors} collectors, {self.plan.deliveries} delivery workers, "
                f"budget {self.plan.rate}/s; ran {self.seconds:.0f} s",
                f"deliveries by status: {dict(self.deliveries)}",
                f"messages expected {self.parts_expected}; chats missing one "
                f"{len(self.parts_missing)}; chats with one twice or unasked "
                f"{len(self.parts_extra)}; resent after a kill -9 in the unrecorded window "
                f"{self.resent_after_kill}",
                f"faults injected: {dict(self.injected)}",
                f"429s from our own rate: {self.rejected_by_limits}",
                f"send rate: busiest second {self.max_rate_1s:.0f} messages, median busy "
                f"second {self.busy_rate:.1f}/s over {self.busy_seconds} s",
                f"feeds {self.feeds}, behind {len(self.feeds_behind)}",
                f"tick lock handover after killing its holder: {handovers}",
                f"processes that died by themselves: {len(self.died)}; tracebacks logged: "
                f"{self.tracebacks}",
                *self.examples,
            ]
        )


def _sentence(rng: random.Random, name: str) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 16))]
    words.insert(rng.randint(0, 3), name)
    return " ".join(words).capitalize() + "."


@dataclass(frozen=True)
class ChaosItem:
    """One news item of a chaos feed, about its own named subject (stories stay apart)."""

    feed: int
    number: int

    @property
    def path(self) -> str:
        """Where its article page is served."""
        return f"/articles/{self.feed}/{self.number}"

    def _rng(self) -> random.Random:
        return random.Random(self.feed * 10_007 + self.number)

    @property
    def title(self) -> str:
        """Its headline."""
        rng = self._rng()
        return f"Project {rng.choice(_WORDS).title()}-{self.feed}-{self.number} update"

    def sentences(self) -> list[str]:
        """Six sentences of its text."""
        rng = self._rng()
        name = self.title.removesuffix(" update")
        return [_sentence(rng, name) for _ in range(6)]

    def page(self) -> str:
        """Its article page."""
        body = "".join(f"<p>{sentence}</p>" for sentence in self.sentences())
        return (
            f"<html><head><title>{self.title}</title></head><body><nav><a href='/'>Home</a>"
            f"</nav><article><h1>{self.title}</h1>{body}</article></body></html>"
        )


def feed_items(feed: int, version: int, per_version: int) -> list[ChaosItem]:
    """The items of feed `feed` at `version`, newest first: `per_version` more each version."""
    return [ChaosItem(feed, n) for n in range((version + 1) * per_version - 1, -1, -1)]


def feed_xml(items: list[ChaosItem], base_url: str) -> str:
    """An RSS feed of `items`, dated minutes ago (the feed server fills the dates in)."""
    entries = "".join(
        f"<item><title>{item.title}</title><link>{base_url}{item.path}</link>"
        f"<guid>chaos-{item.feed}-{item.number}</guid>"
        f"<pubDate>{{ago:{5 + age}:rfc822}}</pubDate>"
        f"<description>{' '.join(item.sentences()[:2])}</description></item>"
        for age, item in enumerate(items)
    )
    feed = items[0].feed if items else 0
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>Chaos feed {feed}</title><link>{base_url}/</link>"
        f"<description>Feed {feed}</description>{entries}</channel></rss>"
    )


def _tagged_url(url: str, tag: str) -> str:
    """The database URL with an application_name, so the run can cut its own connections."""
    return (
        make_url(url)
        .update_query_dict({"application_name": tag})
        .render_as_string(hide_password=False)
    )


def rate_figures(times: list[float]) -> tuple[float, float, int]:
    """(most messages in any one-second window, median messages per busy second, busy seconds)
    from the send times. Busy seconds are those inside a stretch of consecutive seconds with
    sends, its first and last (partial) seconds left out: the time a backlog was being sent."""
    if not times:
        return 0.0, 0.0, 0
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    per_second = Counter(int(at - times[0]) for at in times)
    busy = [
        per_second[second]
        for second in per_second
        if per_second.get(second - 1) and per_second.get(second + 1)
    ]
    return float(most), (statistics.median(busy) if busy else 0.0), len(busy)


class ChaosRun:
    """One chaos run against a migrated PostgreSQL database URL (its schema is the run's)."""

    def __init__(
        self,
        plan: ChaosPlan,
        database_url: str,
        workdir: Path,
        report: Callable[[str], None] = lambda _line: None,
        logs: Path | None = None,
    ) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.tag = f"newsbrief-chaos-{plan.seed}-{int(time.time())}"
        self.url = _tagged_url(database_url, self.tag)
        self.workdir = workdir
        self.report = report
        self.logs = logs  # a directory for each process's log
        self.result = ChaosResult(plan)
        self.feed_urls: list[str] = []
        self.chats: dict[int, int] = {}  # subscriber id -> chat id
        self.zones: dict[int, str] = {}  # subscriber id -> timezone
        self.wave_slots: list[datetime] = []
        self.version = 0  # of the feeds being served
        self._started = time.monotonic()

    async def run(self) -> ChaosResult:
        """Set up, break things while the waves go out, check; the result says what happened."""
        started = self._started = time.monotonic()
        db = Database(self.url)
        async with (
            FakeBotAPI(enforce_limits=True) as api,
            LocalFeedServer() as server,
        ):
            await self._seed(db, server)
            base = server.url("").rstrip("/")
            env = self._environment(api)
            async with Deployment(env, self.workdir, logs=self.logs) as deployment:
                await deployment.start("updates")
                await deployment.start("collector", self.plan.collectors)
                await deployment.start("delivery", self.plan.deliveries)
                leader = await deployment.wait_for_leader(within=60)
                self.report(f"{len(deployment.processes)} processes up; {leader.name} leads")
                await self._wait_for_articles(db, base, within=180)
                self.report(f"the {len(self.feed_urls)} feeds are collected")
                await self._set_times(db)
                await self._break_things(api, server, deployment, db)
                self.report("the last wave is out; no more faults")
                await self._settle(db, base)
                self.report("settled")
                self.result.died = deployment.died_by_themselves()
                self.result.tracebacks = deployment.output().count("Traceback")
                if self.result.died or self.result.tracebacks:
                    self.report(deployment.output()[-6000:])
            await self._check(db, api, base)
        await db.dispose()
        self.result.seconds = time.monotonic() - started
        return self.result

    def _environment(self, api: FakeBotAPI) -> dict[str, str]:
        return cli_environment(
            self.workdir,
            NEWSBRIEF_BOT_TOKEN=api.token,
            NEWSBRIEF_TELEGRAM_API_URL=api.base_url,
            NEWSBRIEF_DATABASE_URL=self.url,
            NEWSBRIEF_ALLOW_PRIVATE_NETWORKS="true",
            NEWSBRIEF_RATE_LIMIT_PER_SECOND=str(self.plan.rate),
            NEWSBRIEF_POLLING_TIMEOUT_SECONDS="1",
            NEWSBRIEF_DELIVERY_TICK_SECONDS="2",
            NEWSBRIEF_DELIVERY_POLL_SECONDS="2",
            NEWSBRIEF_DELIVERY_LEASE_SECONDS="10",
            NEWSBRIEF_COLLECT_INTERVAL_SECONDS="10",
            NEWSBRIEF_FEED_CHECK_INTERVAL_SECONDS="60",
            NEWSBRIEF_SUMMARY_SENTENCES="2",
        )

    # -- setting up ----------------------------------------------------------------------------

    def _publish(self, server: LocalFeedServer, version: int) -> None:
        """Every feed at `version`, with its items' pages."""
        base = server.url("").rstrip("/")
        for number in range(self._feed_count()):
            items = feed_items(number, version, self.plan.items_per_feed)
            for item in items[: self.plan.items_per_feed]:  # the version's new ones
                server.add(item.path, item.page(), "text/html; charset=utf-8")
            server.add(f"/feeds/{number}.xml", feed_xml(items, base))
        self.version = version

    def _feed_count(self) -> int:
        return self._topic_count() * self.plan.feeds_per_topic

    def _topic_count(self) -> int:
        return max(1, min(len(TOPICS), self.plan.subscribers // 50))

    def _expected_urls(self, server_base: str) -> set[str]:
        """The article URLs of every feed's current version."""
        return {
            f"{server_base}{item.path}"
            for number in range(len(self.feed_urls))
            for item in feed_items(number, self.version, self.plan.items_per_feed)
        }

    async def _seed(self, db: Database, server: LocalFeedServer) -> None:
        plan = self.plan
        self._publish(server, 0)
        topic_ids = []
        async with db.session() as session:
            for t, name in enumerate(TOPICS[: self._topic_count()]):
                topic_ids.append((await add_topic(session, name)).id)
                for f in range(plan.feeds_per_topic):
                    url = server.url(f"/feeds/{t * plan.feeds_per_topic + f}.xml")
                    await add_feed(session, name, url)
                    self.feed_urls.append(url)
        self.result.feeds = len(self.feed_urls)
        async with db.session() as session:
            now = utcnow()
            subscribers = [
                Subscriber(
                    chat_id=1_000_000 + n,
                    chat_type="private",
                    timezone=ZONES[n % len(ZONES)],
                    status="active",
                    created_at=now,
                )
                for n in range(plan.subscribers)
            ]
            session.add_all(subscribers)
            await session.flush()
            for n, subscriber in enumerate(subscribers):
                self.chats[subscriber.id] = subscriber.chat_id
                self.zones[subscriber.id] = subscriber.timezone
                first = n % len(topic_ids)
                followed = {topic_ids[first]}
                if n % 3 == 0:  # a third follow two topics
                    followed.add(topic_ids[(first + 1) % len(topic_ids)])
                session.add_all(
                    Subscription(subscriber_id=subscriber.id, topic_id=topic) for topic in followed
                )

    async def _stored_urls(self, db: Database) -> set[str]:
        async with db.session() as session:
            return set(await session.scalars(select(Article.url)))

    async def _wait_for_articles(self, db: Database, base: str, within: float) -> None:
        """Until every feed's current items are stored (briefings then have news to show)."""
        wanted = self._expected_urls(base)

        async def all_stored() -> bool:
            return not wanted - await self._stored_urls(db)

        await wait_until(all_stored, every=0.5, within=within)

    async def _set_times(self, db: Database) -> None:
        """Wave k falls due at the k-th minute boundary from now (at least 8 s away); every
        subscriber gets the local minute of one wave (a tenth get two waves)."""
        now = datetime.now(UTC)
        first = (now + timedelta(seconds=68)).replace(second=0, microsecond=0)
        self.wave_slots = [first + timedelta(minutes=k) for k in range(self.plan.waves)]
        async with db.session() as session:
            for n, subscriber_id in enumerate(sorted(self.chats)):
                zone = ZoneInfo(self.zones[subscriber_id])
                waves = {n % self.plan.waves}
                if n % 10 == 0 and self.plan.waves > 1:
                    waves.add((n + 1) % self.plan.waves)
                minutes = set()
                for wave in waves:
                    local = self.wave_slots[wave].astimezone(zone)
                    minutes.add(local.hour * 60 + local.minute)
                session.add_all(
                    DeliveryTime(subscriber_id=subscriber_id, minute_of_day=minute)
                    for minute in minutes
                )
        self.report(f"waves due at {[f'{s:%H:%M}' for s in self.wave_slots]} UTC")

    # -- breaking things -----------------------------------------------------------------------

    async def _break_things(
        self, api: FakeBotAPI, server: LocalFeedServer, deployment: Deployment, db: Database
    ) -> None:
        """Faults at random moments from the first wave until the last one has gone out (or
        `FAULTS_AFTER_LAST_WAVE` later); the feeds change as each wave but the last falls due."""
        pending: set[asyncio.Task[None]] = set()
        asked = 0
        last_wave = self.wave_slots[-1]
        try:
            while True:
                now = datetime.now(UTC)
                due_waves = sum(1 for slot in self.wave_slots if slot <= now)
                if self.version < min(due_waves, len(self.wave_slots) - 1):
                    self._publish(server, self.version + 1)
                    self.report(f"feeds changed to version {self.version}")
                if now >= last_wave + WAVE_QUEUED and (
                    now - last_wave > FAULTS_AFTER_LAST_WAVE or await self._queue_empty(db)
                ):
                    break
                await asyncio.sleep(self.rng.expovariate(1.0 / self.plan.fault_every))
                kind = self.rng.choice(("kill", "kill", "cut", "429", "5xx", "ask"))
                if kind == "kill":
                    target = self._victim(deployment)
                    if target is None:
                        continue
                    job = self._kill_and_restart(deployment, target)
                elif kind == "cut":
                    cut = await asyncio.to_thread(self._cut_connections)
                    self.report(f"cut {cut} database connections")
                    job = None
                elif kind in ("429", "5xx"):
                    job = self._outage(api, kind)
                else:
                    if asked >= self.plan.asks:
                        continue
                    asked += 1
                    api.inject_message(self.rng.choice(list(self.chats.values())), "/briefing")
                    job = None
                self.result.injected[kind] += 1
                if job is not None:
                    task = asyncio.create_task(job)
                    pending.add(task)
                    task.add_done_callback(pending.discard)
            await asyncio.gather(*pending)
        finally:
            for task in pending:
                task.cancel()
            api.clear_faults()

    async def _outage(self, api: FakeBotAPI, kind: str) -> None:
        """Telegram answers every message with 429 (flood control) or a 5xx for a few seconds."""
        seconds = self.rng.uniform(1.0, 4.0)
        if kind == "429":
            fault = api.fail(429, retry_after=self.rng.randint(1, 3), times=None)
        else:
            fault = api.fail(self.rng.choice((500, 502, 503)), times=None)
        self.report(f"Telegram answers {fault.status} for {seconds:.1f} s")
        try:
            await asyncio.sleep(seconds)
        finally:
            if fault in api.faults:
                api.faults.remove(fault)

    def _victim(self, deployment: Deployment) -> RoleProcess | None:
        alive = [p for p in deployment.processes if p.alive]
        leader = deployment.leader()
        if leader is not None and self.rng.random() < 0.4:
            return leader
        return self.rng.choice(alive) if alive else None

    async def _kill_and_restart(self, deployment: Deployment, target: RoleProcess) -> None:
        leading = target.leads()
        killed_at = await deployment.kill(target)
        if target.role != "collector":  # the roles that send to Telegram
            self.result.sender_kills.append(killed_at)
        self.report(f"killed {target.name}{' (the tick lock holder)' if leading else ''}")
        if leading:
            with contextlib.suppress(TimeoutError):
                self.result.handovers.append(await deployment.handover(target, killed_at, 30))
        await asyncio.sleep(self.rng.uniform(1.0, 5.0))
        await deployment.restart(target)

    def _cut_connections(self) -> int:
        """pg_terminate_backend on every connection of this run's processes."""
        engine = create_engine(sync_url(self.url))
        try:
            with engine.connect() as connection:
                cut = connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :tag AND pid <> pg_backend_pid()"
                    ),
                    {"tag": self.tag},
                ).scalar()
        finally:
            engine.dispose()
        return int(cut or 0)

    async def _queue_empty(self, db: Database) -> bool:
        """Whether the last wave is queued and nothing is left to send (an empty queue between
        the waves, or before the scheduler's tick queued the last one, is not the end)."""
        async with db.session() as session:
            open_rows = await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status.in_(("pending", "sending")))
            )
            last_wave_rows = await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.slot_at >= self.wave_slots[-1])
            )
        return not open_rows and bool(last_wave_rows)

    async def _settle(self, db: Database, base: str) -> None:
        """No more faults: every process finishes the queue and the feeds' newest items."""
        wanted = self._expected_urls(base)

        async def done() -> bool:
            return await self._queue_empty(db) and not wanted - await self._stored_urls(db)

        try:
            await wait_until(done, every=1.0, within=300)
        except TimeoutError:  # the check says what is left
            self.report("not settled after 300 s")
        await asyncio.sleep(3.0)  # anything sent twice, late, would arrive now

    # -- checking ------------------------------------------------------------------------------

    async def _check(self, db: Database, api: FakeBotAPI, base: str) -> None:
        result = self.result
        async with db.session() as session:
            rows = list(await session.scalars(select(Delivery)))
            times = list(await session.scalars(select(DeliveryTime)))
        result.deliveries = Counter(row.status for row in rows)
        result.not_final = sum(1 for row in rows if row.status in ("pending", "sending"))
        queued = {(row.subscriber_id, row.slot_at) for row in rows if row.kind == "scheduled"}
        wanted = {(t.subscriber_id, slot) for t in times for slot in self._slots_of(t)}
        result.due_rows_missing = len(wanted - queued)
        expected: dict[int, Counter[str]] = {chat: Counter() for chat in self.chats.values()}
        for row in rows:
            if row.status == "sent" and row.payload:
                # The stored messages: a JSON list of parts, each with its text (the bot's
                # formatting.dump_parts; sandbox/ reads it without importing the bot).
                texts = [part["text"] for part in json.loads(row.payload)]
                expected[self.chats[row.subscriber_id]].update(texts)
                result.parts_expected += len(texts)
        for chat, wanted_texts in expected.items():
            got = Counter(message.text for message in api.messages(chat))
            if wanted_texts - got:
                result.parts_missing.append(chat)
                self._example(chat, "missing", wanted_texts - got)
            extra = got - wanted_texts
            explained = self._resent_after_kill(api.messages(chat), extra)
            result.resent_after_kill += explained
            if extra.total() > explained:
                result.parts_extra.append(chat)
                self._example(chat, "extra", extra)
            elif explained:
                self._example(chat, "resent after a kill", extra)
        result.rejected_by_limits = api.rejected_by_limits
        for when, limit in api.limit_refusals()[:5]:
            result.examples.append(f"  429 at {when - self._started:.1f} s: {limit}")
        # The rate where Telegram counts it: when each message arrived (api.calls records
        # the answers, a few milliseconds later and less evenly).
        sends = api.admitted_times()
        result.max_rate_1s, result.busy_rate, result.busy_seconds = rate_figures(sends)
        stored = await self._stored_urls(db)
        for number, url in enumerate(self.feed_urls):
            (newest, *_older) = feed_items(number, self.version, self.plan.items_per_feed)
            if f"{base}{newest.path}" not in stored:
                result.feeds_behind.append(url)

    def _resent_after_kill(self, messages: list[SentMessage], extra: Counter[str]) -> int:
        """How many of `extra` are a second copy whose first copy Telegram accepted at most
        UNRECORDED_WINDOW_SECONDS before a sending process was killed (before it could record
        the message's id, so the row's next sender sent it again)."""
        explained = 0
        for body, count in extra.items():
            copies = sorted(message.at for message in messages if message.text == body)
            if len(copies) != count + 1:
                continue  # unasked, or more copies than one kill can explain
            first = copies[0]
            if any(
                0 <= kill - first <= UNRECORDED_WINDOW_SECONDS for kill in self.result.sender_kills
            ):
                explained += count
        return explained

    def _example(self, chat: int, what: str, texts: Counter[str]) -> None:
        if len(self.result.examples) < 8:
            shown = "; ".join(f"{n} x {text[:70]!r}" for text, n in texts.items())
            self.result.examples.append(f"  chat {chat}, {what}: {shown}")

    def _slots_of(self, time_row: DeliveryTime) -> list[datetime]:
        """The wave instants at which this delivery time fell due."""
        zone = ZoneInfo(self.zones[time_row.subscriber_id])
        return [
            slot
            for slot in self.wave_slots
            if (local := slot.astimezone(zone)).hour * 60 + local.minute == time_row.minute_of_day
        ]
