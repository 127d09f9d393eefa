"""Private instances of the real services that a test starts and stops for real.

Tests that need a service to go away (Elasticsearch stopped while writes go on, Redis
stopped under the notifications) must not stop the shared instance other test runs use.
They get their own, through the same scripts/services.sh, on ports of their own:

    with PrivateElasticsearch() as node:        # started on free ports
        settings.COMITY_SEARCH = {..., "URL": node.url}
        node.stop()                             # process gone, port closed
        node.start()                            # same ports, same data directory
    # leaving the block stops it and removes .services/elasticsearch-<name>/

Each instance lives in .services/<service>-<name>/ (data, logs, pid, started-by-us marker;
Elasticsearch runs the one unpacked distribution) with an `owner.json` naming the test
process and ports. An instance whose owner died without cleaning up (a killed run) is
stopped and removed by the next start of one of its kind.

Starting needs root (services.sh switches users) and the service installed, as for the
shared instances; anything wrong raises ServiceControlError with services.sh's own output,
so the test fails with the reason (it never skips).
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES_SH = ROOT / "scripts" / "services.sh"
SERVICES_DIR = ROOT / ".services"


class ServiceControlError(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel's pick of an ephemeral port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PrivateService:
    """One named instance of a service run by scripts/services.sh. Subclasses say which
    service, which variables name the instance and its ports, and its URL."""

    service = ""  # the services.sh service name
    instance_variable = ""  # e.g. ES_INSTANCE
    start_timeout = 180  # seconds for `services.sh up`
    stop_timeout = 90

    def __init__(self, name: str | None = None, *, port: int | None = None):
        self.name = name or f"test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.port = port or free_port()
        self.started = False

    # --- what subclasses provide -------------------------------------------------------------

    @property
    def url(self) -> str:
        raise NotImplementedError

    def variables(self) -> dict[str, str]:
        """The services.sh variables that place this instance (its ports)."""
        raise NotImplementedError

    def ports(self) -> list[int]:
        return [self.port]

    def arguments(self) -> dict:
        """What rebuilds this instance (its name and ports), kept in owner.json."""
        return {"name": self.name, "port": self.port}

    # --- control -----------------------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        return SERVICES_DIR / f"{self.service}-{self.name}"

    @property
    def marker(self) -> Path:
        return self.directory / "started-by-us"

    def start(self) -> "PrivateService":
        """Start the instance (again, after stop(): same ports and data) and wait until it
        answers. Refuses if another process holds one of its ports."""
        if not self.started:
            reap_orphans(type(self))
        busy = [port for port in self.ports() if port_open(port)]
        if busy and not self.marker.exists():
            raise ServiceControlError(
                f"{self.service} {self.name}: port(s) {busy} already in use by something else; "
                "pick other ports (or let the instance pick free ones)"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "owner.json").write_text(
            json.dumps({"pid": os.getpid(), "class": type(self).__name__, "arguments": self.arguments()})
        )
        self.started = True
        self._services("up", timeout=self.start_timeout)
        if not port_open(self.port):
            raise ServiceControlError(f"{self.service} {self.name}: started, but nothing answers on {self.port}")
        return self

    def stop(self) -> None:
        """Stop the instance for real: when this returns its process is gone and its ports
        are closed."""
        self._services("down", timeout=self.stop_timeout)
        deadline = time.monotonic() + 10
        while any(port_open(port) for port in self.ports()):
            if time.monotonic() > deadline:
                raise ServiceControlError(f"{self.service} {self.name}: still answering after `down`")
            time.sleep(0.2)

    def is_up(self) -> bool:
        return port_open(self.port)

    def close(self) -> None:
        """Stop it (if it runs) and remove its directory."""
        if not self.started:
            return
        try:
            if self.marker.exists() or self.is_up():
                self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.started = False

    def __enter__(self) -> "PrivateService":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _services(self, command: str, *, timeout: float) -> str:
        env = {**os.environ, **self.variables(), self.instance_variable: self.name}
        with tempfile.TemporaryFile("w+") as output:  # a file, not a pipe: daemons never hold it open
            try:
                completed = subprocess.run(
                    [str(SERVICES_SH), command, self.service], env=env, stdin=subprocess.DEVNULL,
                    stdout=output, stderr=subprocess.STDOUT, timeout=timeout, check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise ServiceControlError(
                    f"services.sh {command} {self.service} ({self.name}) took over {timeout}s"
                ) from error
            output.seek(0)
            text = output.read()
        if completed.returncode != 0:
            raise ServiceControlError(
                f"services.sh {command} {self.service} ({self.name}) failed with {completed.returncode}:\n{text}"
            )
        return text

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.url}>"


class PrivateElasticsearch(PrivateService):
    """A single-node Elasticsearch of its own: `.services/elasticsearch-<name>/`, the shared
    unpacked distribution, a small heap."""

    service = "elasticsearch"
    instance_variable = "ES_INSTANCE"

    def __init__(self, name: str | None = None, *, port: int | None = None, transport_port: int | None = None,
                 heap: str = "256m"):
        super().__init__(name, port=port)
        self.transport_port = transport_port or free_port()
        self.heap = heap

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def variables(self) -> dict[str, str]:
        return {
            "ELASTICSEARCH_PORT": str(self.port), "ELASTICSEARCH_TRANSPORT_PORT": str(self.transport_port),
            "ES_HEAP": self.heap,
        }

    def ports(self) -> list[int]:
        return [self.port, self.transport_port]

    def arguments(self) -> dict:
        return {**super().arguments(), "transport_port": self.transport_port}


class PrivateRedis(PrivateService):
    """A Redis of its own (no persistence): `.services/redis-<name>/`."""

    service = "redis"
    instance_variable = "REDIS_INSTANCE"
    start_timeout = 60
    stop_timeout = 60

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def variables(self) -> dict[str, str]:
        return {"REDIS_PORT": str(self.port)}


def reap_orphans(kind: type[PrivateService]) -> list[str]:
    """Stop and remove instances of `kind` whose owning test process is gone (a run that was
    killed before it could clean up). Instances of live processes are left alone."""
    reaped = []
    for owner_file in SERVICES_DIR.glob(f"{kind.service}-*/owner.json"):
        try:
            owner = json.loads(owner_file.read_text())
            if owner["class"] != kind.__name__ or _pid_alive(int(owner["pid"])):
                continue
            orphan = kind(**owner["arguments"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not one of ours, or unreadable: leave it alone
        orphan.started = True
        try:
            orphan._services("down", timeout=kind.stop_timeout)
        except ServiceControlError:
            continue  # leave it for a look by hand rather than guess
        shutil.rmtree(orphan.directory, ignore_errors=True)
        reaped.append(orphan.name)
    return reaped
