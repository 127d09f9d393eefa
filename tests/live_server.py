"""A real ASGI server (uvicorn, in a thread of the test process) for browser tests,
Playwright driving Debian's Chromium, and an axe-core accessibility check."""

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM_PATH = "/usr/bin/chromium"
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# Flags that keep Chromium from reaching for the network this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}


class ThreadedAsgiServer:
    def __init__(self):
        import uvicorn

        from config.asgi import application

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(application, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test ASGI server did not start")
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        close_connections_opened_by_server_threads()


def close_connections_opened_by_server_threads() -> None:
    """The server ran Django code in worker threads whose database sessions outlive the
    server; end them so the test database can be dropped at the end of the run."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    server = ThreadedAsgiServer()
    server.start()
    yield server
    with django_db_blocker.unblock():
        server.stop()


@pytest.fixture
def live_url(asgi_server, transactional_db):
    """Base URL of the real site. Data written by the test is committed, so the server's
    own database connections see it."""
    return asgi_server.url


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright's sync API, for one test module at a time.

    The sync API keeps an asyncio loop running in the main thread while it is alive. Django
    then treats the test's own ORM calls as "async context", and pytest-asyncio cannot start
    its loops; so the browser lives only as long as the module's browser tests, and Django's
    async-safety check is relaxed only for that span (the documented Playwright workaround).
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"{CHROMIUM_PATH} is missing: run scripts/services.sh up (it installs chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page, context: str = "") -> None:
    """Run axe-core in the page; fail on any serious or critical violation."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` (make install does)")
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) {context}on {page.url}:"]
        for violation in blocking:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} at {targets}")
        pytest.fail("\n".join(lines))


__all__ = ["asgi_server", "live_url", "chromium", "page", "assert_accessible"]


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real allauth form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        pytest.fail(f"could not sign in as {email}: {page.locator('main').inner_text()[:500]}")


def session_key_for(user) -> str:
    """A saved Django session in which `user` is signed in (as the login view would do)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def sign_in_with_session(page, base_url: str, user) -> None:
    """Sign `user` in by giving the browser a Django session cookie (no login form)."""
    from urllib.parse import urlsplit

    from django.conf import settings

    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "value": session_key_for(user),
        "domain": urlsplit(base_url).hostname, "path": "/", "httpOnly": True, "sameSite": "Lax",
    }])


def verified_account(email: str, password: str, name: str = ""):
    """A user whose email counts as verified, so allauth lets them sign in."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=password, display_name=name
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


__all__ += ["sign_in", "sign_in_with_session", "session_key_for", "verified_account"]
