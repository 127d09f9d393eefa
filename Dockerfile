# syntax=docker/dockerfile:1
#
# Comity production image: Django + Wagtail + Channels served by uvicorn (ASGI).
#
#   docker build -t comity .
#   docker compose up --build        (PostgreSQL, Redis, Elasticsearch, migrate, web, worker)
#
# Stages: `assets` (npm ci, copy USWDS/htmx into static/vendor), `python-deps` (uv sync of
# the locked runtime dependencies into /opt/venv), and the final runtime image.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# --- Stage 1: front-end assets -------------------------------------------------------------
FROM ${NODE_IMAGE} AS assets
WORKDIR /src
COPY package.json package-lock.json ./
# Runtime assets only: devDependencies (axe-core) serve the browser tests, not the site.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund
COPY scripts/build_assets.sh scripts/build_assets.sh
# build_assets.sh only writes static/vendor, so the rest of static/ is not needed here
# (the final stage copies it with the app source).
RUN bash scripts/build_assets.sh

# --- Stage 2: Python dependencies ----------------------------------------------------------
FROM ${PYTHON_IMAGE} AS python-deps
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install "uv==0.13.8"
WORKDIR /src
# Only the lock and the project metadata: this layer is rebuilt when dependencies change,
# not when the code does.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# --- Stage 3: runtime ----------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH="/opt/venv/bin:${PATH}" \
    VIRTUAL_ENV=/opt/venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production \
    COMITY_DATA_DIR=/app/var

# A fixed uid/gid so volume ownership and orchestrators' runAsUser are predictable.
RUN groupadd --system --gid 10001 comity \
    && useradd --system --uid 10001 --gid comity --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin comity

WORKDIR /app
COPY --from=python-deps /opt/venv /opt/venv
# The code stays owned by root: the app user can read it but not change it.
COPY . .
COPY --from=assets /src/static/vendor static/vendor

# Collect static files into /app/var/staticfiles (hashed and compressed; the app serves them).
# Production settings refuse to load without a secret key and allowed hosts, so throwaway
# values are given to this one command only and are not kept in the image.
# Only /app/var itself and media/ belong to the app user; staticfiles/ stays read-only.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && install -d -o comity -g comity -m 0755 /app/var/media \
    && chown comity:comity /app/var

# The container health check: GET /healthz over loopback (python, as slim has no curl).
# /healthz is exempt from the SSL redirect, but the Host header must still be allowed, so
# it sends the first entry of DJANGO_ALLOWED_HOSTS. The view runs five checks of up to 3 s
# each, one after the other, hence the 18 s client timeout. A 503 or no answer fails.
COPY <<EOF /usr/local/bin/comity-healthcheck
import os
import sys
import urllib.request

hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
host = hosts[0].strip().lstrip(".")  # ".example.org" allows example.org and its subdomains
if host in ("", "*"):
    host = "localhost"
request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=18) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # HTTPError for 503, URLError when nothing listens
    print(f"healthz failed: {error}", file=sys.stderr)
    sys.exit(1)
EOF

USER 10001:10001

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=20s --start-period=30s --retries=3 \
    CMD ["python", "/usr/local/bin/comity-healthcheck"]

# --proxy-headers with --forwarded-allow-ips=*: in production the container is reached only
# through the TLS-terminating reverse proxy (or load balancer), whose address on the
# container network is not fixed, so uvicorn takes the client address and scheme from the
# X-Forwarded-For/-Proto headers of any peer. That is only safe because port 8000 is never
# exposed directly to the internet (compose publishes it on 127.0.0.1 only).
CMD ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--forwarded-allow-ips=*"]
