"""Measure live notifications: 1,000 members with one topic open, on the Redis channel layer.

    DATABASE_URL=postgres://comity:comity@127.0.0.1:55432/comity_bench_notify \\
    REDIS_URL=redis://127.0.0.1:56379/9 python -m bench.notify [--clients 1000] [--replies 10] [--notify-runs 5]

PostgreSQL and Redis only, on a scratch database of its own: DATABASE_URL must name a
database whose name contains "bench" (create it first: `CREATE DATABASE comity_bench_notify;`).
Give it a Redis database of its own too (the /9 above): a test run clears its cache with
FLUSHDB, which would wipe the benchmark's group memberships mid-run.
The benchmark migrates it and seeds, once, a members-only category of a benchmark
association, a topic in it, and --clients members who follow the topic (bulk rows, as
bench/forum.py does; reused by later runs). Its channel-layer and cache keys carry prefixes
of their own, so a shared Redis is safe to use.

Three processes, as in production: uvicorn serving config.asgi:application on 127.0.0.1 (one
worker), one asyncio client process holding --clients WebSocket connections (the
`websockets` package), each signed in with a real session cookie and watching the topic
(watch_topic), and this process, which posts --replies replies through forum.services.reply
as a member would. For each reply it measures, from the commit, the time until the LAST
client received the topic's "reply" event and the time until the last one received its own
"notification" payload: median and 95th percentile over the replies (aim: p95 <= 1 s; with
ten replies the p95 is the slowest one). Clocks: CLOCK_MONOTONIC, shared by the processes.

It also measures notify() for all the followers at once (--notify-runs times, median): its
SQL queries and milliseconds, of which how many went on the after-commit push to the channel
layer. Progress goes to stderr; one JSON object to stdout, with the machine's load.
"""

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid

from bench import measuring

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
# Persistent database connections, as a production server would keep: otherwise each
# WebSocket's session lookup and checks open a new PostgreSQL connection.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
# Keys of their own in a Redis that other runs may share (the cache reads this variable;
# the channel-layer prefix is set below, in both the server and this process).
os.environ["CACHE_KEY_PREFIX"] = "comity-bench-notify"
CHANNEL_PREFIX = "comity-bench-notify:asgi"

ASSOCIATION_SLUG = "bench-notify"
CATEGORY_SLUG = "bench-notify-members"
USER_PREFIX = "bench-notify-"
TOPIC_TITLE = "Benchmark: enforcing a Tennessee order against an employer in Missouri"
REPLY_BODY = ("We register the order under UIFSA and send the income withholding order straight to the "
              "employer; the e-IWO portal confirms receipt within a day. (benchmark reply {n})")
ORIGIN_HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"bench.notify: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    measuring.fail("notify", message)


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        soft = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def use_bench_channel_prefix() -> None:
    from django.conf import settings

    settings.CHANNEL_LAYERS["default"].setdefault("CONFIG", {})["prefix"] = CHANNEL_PREFIX


# --- The server process ---------------------------------------------------------------------------------


def serve(port: int) -> None:
    """uvicorn with config.asgi:application, as `uvicorn config.asgi:application` would run
    it, but with the benchmark's channel-layer prefix."""
    raise_fd_limit(8192)
    import django

    django.setup()
    use_bench_channel_prefix()
    import uvicorn

    from config.asgi import application

    uvicorn.run(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off", backlog=4096)


# --- The client process ---------------------------------------------------------------------------------


async def run_clients(config: dict) -> None:
    """Hold one WebSocket per session key; answer the benchmark's commands on stdin/stdout:
    "arm" (forget earlier arrivals), "collect <seconds>" (wait until every client has both
    messages of the armed reply, then report arrival times), "quit"."""
    import asyncio

    from websockets.asyncio.client import connect

    raise_fd_limit(len(config["keys"]) + 512)
    loop = asyncio.get_running_loop()
    clients = len(config["keys"])
    arrivals: dict[str, list[float | None]] = {}
    complete = asyncio.Event()
    remaining = [0]
    ready = asyncio.Semaphore(50)  # connection handshakes in flight at once
    sockets = []
    errors: list[str] = []

    def arm():
        arrivals.clear()
        arrivals.update(reply=[None] * clients, notification=[None] * clients)
        remaining[0] = 2 * clients
        complete.clear()

    async def hold(index: int, key: str):
        headers = {"Cookie": f"{config['cookie_name']}={key}"}
        async with ready:
            socket_ = await connect(config["url"], origin=config["origin"], additional_headers=headers,
                                    compression=None, ping_interval=None, max_queue=None, open_timeout=60)
            hello = json.loads(await socket_.recv())
            assert hello["type"] == "hello", hello
            await socket_.send(json.dumps({"type": "watch_topic", "topic": config["topic"]}))
            watching = json.loads(await socket_.recv())
            assert watching == {"type": "watching", "topic": config["topic"]}, watching
        sockets.append(socket_)
        return socket_

    async def listen(index: int, socket_):
        async for frame in socket_:
            at = time.monotonic()
            kind = json.loads(frame).get("type")
            times = arrivals.get(kind)
            if times is not None and times[index] is None:
                times[index] = at
                remaining[0] -= 1
                if remaining[0] == 0:
                    complete.set()

    started = time.monotonic()
    opened = await asyncio.gather(*(hold(index, key) for index, key in enumerate(config["keys"])),
                                  return_exceptions=True)
    listeners = []
    for index, result in enumerate(opened):
        if isinstance(result, BaseException):
            errors.append(repr(result))
        else:
            listeners.append(asyncio.create_task(listen(index, result)))
    say({"ready": len(listeners), "connect_seconds": round(time.monotonic() - started, 2),
         "errors": len(errors), "first_errors": errors[:3]})

    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        command, _, argument = line.partition(" ")
        if command == "arm":
            arm()
            say({"armed": True})
        elif command == "collect":
            try:
                await asyncio.wait_for(complete.wait(), float(argument or 30))
            except TimeoutError:
                pass
            report = {kind: {"received": sum(t is not None for t in times),
                             "first": min((t for t in times if t is not None), default=None),
                             "last": max((t for t in times if t is not None), default=None)}
                      for kind, times in arrivals.items()}
            closed = [socket_.close_code for socket_ in sockets if socket_.close_code is not None]
            say({**report, "closed": len(closed), "close_codes": sorted(set(closed))})
        elif command == "quit":
            break
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(socket_.close() for socket_ in sockets), return_exceptions=True)
    say({"closed": len(sockets)})


def say(message: dict) -> None:
    print(json.dumps(message), flush=True)


def client_main() -> None:
    import asyncio

    config = json.loads(sys.stdin.readline())
    asyncio.run(run_clients(config))


class ClientProcess:
    def __init__(self, config: dict):
        self.process = subprocess.Popen([sys.executable, "-m", "bench.notify", "--client"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)
        self.send(json.dumps(config))

    def send(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            fail(f"the client process ended (exit status {self.process.wait()})")
        return json.loads(line)

    def ask(self, line: str) -> dict:
        self.send(line)
        return self.answer()

    def close(self) -> None:
        try:
            self.ask("quit")
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            self.process.kill()


# --- Seeding -------------------------------------------------------------------------------------------------


def seed(followers: int):
    """The benchmark association, its members-only category, one topic and `followers`
    members following it. Bulk rows (a benchmark seed needs a thousand members in a second,
    not a thousand applications); role groups and memberships look exactly as
    members.services leaves them for active members."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from forum import services as forum_services
    from forum.models import Category, Follow, Topic
    from members import services as member_services
    from members.models import Association, EligibilityCategory, Jurisdiction, Membership, Role, RoleGroup, User

    with transaction.atomic():
        association, _ = Association.objects.get_or_create(
            slug=ASSOCIATION_SLUG, defaults={"name": "Benchmark Notification Association", "short_name": "BENCHN"},
        )
        member_services.ensure_role_groups(association)
        members_group = RoleGroup.objects.get(association=association, role=Role.MEMBER).group
        eligibility, _ = EligibilityCategory.objects.get_or_create(association=association, code="A",
                                                                   defaults={"name": "IV-D staff"})
        jurisdiction = Jurisdiction.objects.filter(kind="state").order_by("code").first()
        if jurisdiction is None:
            fail("no reference jurisdictions in the database (migrations load them)")
        category, _ = Category.objects.update_or_create(
            slug=CATEGORY_SLUG,
            defaults={"name": "Benchmark members' forum", "association": association, "position": 900,
                      "visibility": Category.Visibility.MEMBERS},
        )

        wanted = [f"{USER_PREFIX}{n:04d}" for n in range(followers + 1)]  # the first is the author
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        password = make_password(None)  # unusable: these accounts sign in by session only
        User.objects.bulk_create([
            User(username=name, email=f"{name}@bench.comity.test", display_name=f"Benchmark member {name[-4:]}",
                 password=password)
            for name in wanted if name not in existing
        ])
        users = {user.username: user for user in User.objects.filter(username__in=wanted)}
        have = set(Membership.objects.filter(association=association).values_list("user_id", flat=True))
        Membership.objects.bulk_create([
            Membership(user=user, association=association, status=Membership.Status.ACTIVE,
                       eligibility_category=eligibility, agency="Division of Child Support", jurisdiction=jurisdiction,
                       job_title="Caseworker")
            for user in users.values() if user.pk not in have
        ])
        Groups = User.groups.through
        Groups.objects.bulk_create([Groups(user_id=user.pk, group_id=members_group.pk) for user in users.values()],
                                   ignore_conflicts=True)

        author = users[wanted[0]]
        topic = Topic.objects.filter(category=category, title=TOPIC_TITLE).first()
        if topic is None:
            topic = forum_services.create_topic(author, category, kind="question", title=TOPIC_TITLE,
                                                body="Which documents does the employer need from us?")
        follower_ids = [users[name].pk for name in wanted[1:]]
        following = set(Follow.objects.filter(topic=topic).values_list("user_id", flat=True))
        Follow.objects.bulk_create([Follow(user_id=user_id, topic=topic) for user_id in follower_ids
                                    if user_id not in following])
    return author, topic, follower_ids


def sessions_for(user_ids: list[int]) -> list[str]:
    """A saved Django session per member, as the login view (or tests/live_server.py
    session_key_for) would leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from members.models import User

    keys = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        keys.append(session.session_key)
    return keys


# --- Measuring -----------------------------------------------------------------------------------------------


def post_reply(author, topic, n: int):
    """Post a reply as a member would; returns (commit time, time the after-commit work
    (handlers, notify, pushes) finished, post id)."""
    from django.db import transaction

    from forum import services as forum_services

    stamps = {}
    with transaction.atomic():
        # Registered first, so it runs first: right after COMMIT, before the event handlers.
        transaction.on_commit(lambda: stamps.setdefault("commit", time.monotonic()))
        post = forum_services.reply(author, topic, body=REPLY_BODY.format(n=n))
    return stamps["commit"], time.monotonic(), post


def summary(samples: list[float]) -> dict:
    return {"median": round(statistics.median(samples), 1), "p95": round(measuring.percentile(samples, 0.95), 1),
            "max": round(max(samples), 1)}


def measure_replies(client: ClientProcess, author, topic, replies: int, clients: int, server_pid: int) -> dict:
    from forum.models import Visibility

    reply_ms, notification_ms, after_commit_ms, first_reply_ms, incomplete = [], [], [], [], []
    server_cpu = cpu_seconds(server_pid)
    started = time.monotonic()
    for n in range(replies + 1):  # the first one warms connections and code paths; not counted
        assert client.ask("arm") == {"armed": True}
        committed, handled, post = post_reply(author, topic, n)
        if post.status != Visibility.PUBLISHED:
            fail(f"the benchmark reply was {post.status}, not published (the guard held it?)")
        arrivals = client.ask("collect 30")
        if n == 0:
            log(f"warm-up reply: {arrivals}")
            continue
        for kind in ("reply", "notification"):
            if arrivals[kind]["received"] != clients:
                incomplete.append(f"reply {n}: {arrivals[kind]['received']}/{clients} {kind}")
        if arrivals["reply"]["last"] is not None:
            reply_ms.append((arrivals["reply"]["last"] - committed) * 1000)
            first_reply_ms.append((arrivals["reply"]["first"] - committed) * 1000)
        if arrivals["notification"]["last"] is not None:
            notification_ms.append((arrivals["notification"]["last"] - committed) * 1000)
        after_commit_ms.append((handled - committed) * 1000)
        log(f"reply {n}: {arrivals['reply']['received']} reply events, the last "
            f"{(arrivals['reply']['last'] or float('nan')) - committed:.3f} s after commit; "
            f"{arrivals['notification']['received']} notifications, the last "
            f"{(arrivals['notification']['last'] or float('nan')) - committed:.3f} s after")
        time.sleep(0.3)
    elapsed = time.monotonic() - started
    return {
        "replies": replies,
        "last_client_reply_event_ms": summary(reply_ms),
        "last_client_notification_ms": summary(notification_ms),
        "first_client_reply_event_ms": summary(first_reply_ms),
        # In the posting process: event handlers (recipients, notify(), both pushes) after COMMIT.
        "after_commit_work_ms": summary(after_commit_ms),
        "incomplete": incomplete,
        "server_cpu_share": round((cpu_seconds(server_pid) - server_cpu) / elapsed, 2),
    }


def measure_notify(author, topic, follower_ids: list[int], runs: int) -> dict:
    """notify() for every follower at once (fresh dedupe keys, so each run writes all rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import services
    from notifications.models import Kind

    push_seconds = []
    real_push = services.push

    def timed_push(notifications):
        started = time.perf_counter()
        try:
            return real_push(notifications)
        finally:
            push_seconds.append(time.perf_counter() - started)

    target = services.Target(title=f"Benchmark replied in “{topic.title}”", url=topic.get_absolute_url(),
                             summary="A benchmark notification.", topic_id=topic.pk,
                             association_id=topic.category.association_id)
    totals, queries, pushes, rows = [], [], [], 0
    services.push = timed_push
    try:
        for _ in range(runs + 1):  # the first run warms up; not counted
            push_seconds.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                created = services.notify(Kind.REPLY, follower_ids, target, actor_id=author.pk,
                                          dedupe_key=f"bench:{uuid.uuid4().hex}")
                totals.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured))
            pushes.append(sum(push_seconds) * 1000)
            rows = len(created)
    finally:
        services.push = real_push
    return {
        "recipients": rows,
        "runs": runs,
        "queries": queries[-1],
        "median_ms": round(statistics.median(totals[1:]), 1),
        "p95_ms": round(measuring.percentile(totals[1:], 0.95), 1),
        # Of which the after-commit push (unread counts query + one group_send per recipient).
        "push_median_ms": round(statistics.median(pushes[1:]), 1),
    }


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"the server exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    fail(f"the server did not answer on port {port} within {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=10)
    parser.add_argument("--notify-runs", type=int, default=5)
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        return client_main()
    if args.serve:
        return serve(args.serve)

    if not os.environ.get("REDIS_URL"):
        fail("set REDIS_URL: this benchmark measures the Redis channel layer (a database of its own, e.g. redis://127.0.0.1:56379/9)")
    import django

    django.setup()
    measuring.check_scratch_database("notify", "comity_bench_notify")
    use_bench_channel_prefix()
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection

    from notifications.models import Notification

    load_before = os.getloadavg()
    log("migrating and seeding")
    call_command("migrate", verbosity=0)
    author, topic, follower_ids = seed(args.clients)
    # Earlier runs' notifications would only slow the unread counts down over time.
    Notification.objects.filter(recipient__username__startswith=USER_PREFIX).delete()
    log(f"creating {len(follower_ids)} sessions")
    keys = sessions_for(follower_ids)

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.notify", "--serve", str(port)], stdin=subprocess.DEVNULL)
    client = None
    try:
        wait_for_port(port, server)
        log(f"uvicorn on 127.0.0.1:{port} (pid {server.pid}); opening {len(keys)} WebSockets")
        client = ClientProcess({
            "url": f"ws://127.0.0.1:{port}/ws/notifications/", "origin": f"http://{ORIGIN_HOST}:{port}",
            "cookie_name": settings.SESSION_COOKIE_NAME, "keys": keys, "topic": topic.pk,
        })
        ready = client.answer()
        log(f"{ready['ready']} clients connected and watching in {ready['connect_seconds']} s"
            f" ({ready['errors']} errors)")
        if ready["ready"] != len(keys):
            fail(f"only {ready['ready']} of {len(keys)} clients connected: {ready['first_errors']}")
        replies = measure_replies(client, author, topic, args.replies, len(keys), server.pid)
        log(f"measuring notify() for {len(follower_ids)} followers")
        notify_cost = measure_notify(author, topic, follower_ids, args.notify_runs)
    finally:
        if client is not None:
            client.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        Session.objects.filter(session_key__in=keys).delete()

    print(json.dumps({
        "benchmark": "notify",
        "database": connection.vendor,
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
        "server": "uvicorn, 1 worker, 127.0.0.1",
        "debug": settings.DEBUG,
        "clients": len(keys),
        "connect_seconds": ready["connect_seconds"],
        **replies,
        "notify": notify_cost,
        "machine": {"cpus": os.cpu_count(), "load_before": [round(x, 2) for x in load_before],
                    "load_after": [round(x, 2) for x in os.getloadavg()]},
        "aim": "last_client_*_ms p95 <= 1000",
    }))


if __name__ == "__main__":
    main()
