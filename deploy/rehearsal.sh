#!/usr/bin/env bash
# A two-server Sanshe on this machine, loopback only, driven by a browser while one app server
# is killed: PostgreSQL, Redis (shared cache + RQ task queue), an S3-compatible store (moto's
# server), two gunicorn app servers behind nginx (TLS, throw-away certificate), an RQ worker.
# Sanshe is installed as production installs it (a wheel in a venv outside the checkout) and
# run from another directory. Everything it starts is stopped at the end.
#
#   bash deploy/rehearsal.sh        (needs: nginx, openssl, chromium, PostgreSQL and Redis on
#                                    127.0.0.1 — see docs/operations.md "Rehearsal")
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
R=${SANSHE_REHEARSAL_DIR:-/tmp/sanshe-rehearsal}
PG=${SANSHE_REHEARSAL_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${SANSHE_REHEARSAL_REDIS:-redis://127.0.0.1:6379}
S3_PORT=9310 APP1=8311 APP2=8312 PROXY=8443
pids=()
cleanup() {  # every process group it started, and nginx; returns once they are all gone
  set +e
  local pid alive
  [ -f "$R/nginx.pid" ] && pids+=("$(cat "$R/nginx.pid")")
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  return 0
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*"; }
start() {  # start NAME CMD…: in its own session (so its workers die with it), log to logs/NAME
  local name=$1; shift
  setsid "$@" >"$R/logs/$name.log" 2>&1 &
  pids+=($!)
  echo "$!" >"$R/$name.pid"
}
wait_for() {  # wait_for URL: until it answers at all (a 503 from /health/ is an answer)
  for _ in $(seq 1 60); do
    [ "$(curl -ks -o /dev/null -w '%{http_code}' "$1")" != 000 ] && return 0; sleep 1
  done
  echo "no answer from $1"; return 1
}

say "install: Sanshe wheel + moto server (pinned) + Playwright into $R/venv"
if [ "${SANSHE_REHEARSAL_KEEP_VENV:-}" = 1 ] && [ -x "$R/venv/bin/sanshe" ]; then
  # Repeating the rehearsal: keep the dependencies, reinstall only Sanshe itself.
  find "$R" -mindepth 1 -maxdepth 1 ! -name venv -exec rm -rf {} +
  "$R/venv/bin/pip" install -q --no-deps --force-reinstall "$SRC"
else
  rm -rf "$R" && python3 -m venv "$R/venv"
  "$R/venv/bin/pip" install -q "$SRC" "moto[server]==5.2.5" "playwright==1.65.2"
fi
mkdir -p "$R"/{run,static,logs,nginx-tmp}
cd "$R/run"  # not the checkout

export DJANGO_SETTINGS_MODULE=config.settings DJANGO_DEBUG=false
DJANGO_SECRET_KEY=$("$R/venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_SECRET_KEY DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$PROXY
export DATABASE_URL=$PG/sanshe_prod_rehearsal SANSHE_STATIC_ROOT=$R/static
export SANSHE_LEDGER_ANCHOR_FILE=$R/anchors/ledger-anchors.jsonl
export SANSHE_S3_BUCKET=sanshe-rehearsal SANSHE_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export SANSHE_S3_ACCESS_KEY=rehearsal SANSHE_S3_SECRET_KEY=rehearsal SANSHE_S3_REGION=us-east-1
export SANSHE_CACHE_URL=$REDIS/13 SANSHE_TASKS_REDIS_URL=$REDIS/14 SANSHE_SEVERAL_SERVERS=true
export SANSHE_TRUSTED_PROXIES=127.0.0.1 SANSHE_DEMO_MODE=true SANSHE_WORKERS=2
# The open-data publication as production names it (check --deploy warns on a loopback address;
# the rehearsal follows no published link).
export SANSHE_OCDS_BASE_URI=https://sanshe.example.gov.cn SANSHE_OCID_PREFIX=ocds-x7q2lm
export SANSHE_OCDS_PUBLISHER_NAME=潜江市民政局 SANSHE_OCDS_PUBLISHER_UID=11429005MB1234567X
bin=$R/venv/bin

say "object store: moto server on 127.0.0.1:$S3_PORT"
start s3 "$bin/moto_server" -H 127.0.0.1 -p "$S3_PORT"
wait_for "http://127.0.0.1:$S3_PORT/"
"$bin/python" -c "import boto3, os; boto3.client('s3', endpoint_url=os.environ['SANSHE_S3_ENDPOINT_URL'], aws_access_key_id='rehearsal', aws_secret_access_key='rehearsal', region_name='us-east-1').create_bucket(Bucket='sanshe-rehearsal')"

say "database: $DATABASE_URL (migrate, demo data), static files"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS sanshe_prod_rehearsal" -qc "CREATE DATABASE sanshe_prod_rehearsal"
redis-cli -u "$REDIS/13" flushdb >/dev/null && redis-cli -u "$REDIS/14" flushdb >/dev/null
"$bin/sanshe" migrate -v0
"$bin/sanshe" load_demo >/dev/null
"$bin/sanshe" collectstatic --noinput -v0
"$bin/sanshe" check --deploy --fail-level WARNING

say "two app servers (gunicorn :$APP1 and :$APP2), an RQ worker, nginx on https://127.0.0.1:$PROXY"
SANSHE_BIND=127.0.0.1:$APP1 start app1 "$bin/gunicorn" -c "$SRC/deploy/gunicorn.conf.py" config.wsgi
SANSHE_BIND=127.0.0.1:$APP2 start app2 "$bin/gunicorn" -c "$SRC/deploy/gunicorn.conf.py" config.wsgi
start worker "$bin/sanshe" rqworker default --job-class django_tasks_rq.Job
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$R/key.pem" -out "$R/cert.pem" 2>/dev/null
cat >"$R/nginx.conf" <<NGINX
worker_processes 1;
pid $R/nginx.pid;
error_log $R/logs/nginx-error.log;
events { worker_connections 256; }
http {
  access_log $R/logs/nginx-access.log;
  client_body_temp_path $R/nginx-tmp/body; proxy_temp_path $R/nginx-tmp/proxy;
  fastcgi_temp_path $R/nginx-tmp/fcgi; uwsgi_temp_path $R/nginx-tmp/uwsgi; scgi_temp_path $R/nginx-tmp/scgi;
  types { text/css css; application/javascript js; image/svg+xml svg; }
  upstream sanshe_app {
    server 127.0.0.1:$APP1 max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$APP2 max_fails=1 fail_timeout=10s;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$PROXY ssl;
    ssl_certificate $R/cert.pem; ssl_certificate_key $R/key.pem;
    client_max_body_size 60m;
    location /static/ { alias $R/static/; }
    location / { proxy_pass http://sanshe_app; include $SRC/deploy/nginx/sanshe_proxy.conf; }
  }
}
NGINX
nginx -t -p "$R" -c "$R/nginx.conf" 2>/dev/null
nginx -p "$R" -c "$R/nginx.conf"
wait_for "http://127.0.0.1:$APP1/health/" ; wait_for "http://127.0.0.1:$APP2/health/"

say "tick queues the worker heartbeat; /health/ through the proxy"
"$bin/sanshe" tick >/dev/null
for _ in $(seq 1 30); do
  code=$(curl -ks -o "$R/health.json" -w '%{http_code}' "https://127.0.0.1:$PROXY/health/")
  [ "$code" = 200 ] && break; sleep 1
done
cat "$R/health.json"; echo
[ "$code" = 200 ]

say "browser journey through nginx; app server 1 is killed half-way"
"$bin/python" "$SRC/deploy/rehearsal_journey.py" "https://127.0.0.1:$PROXY" "$(cat "$R/app1.pid")" "$R/logs"

say "afterwards: nothing lost, ledger verifies, health still green on the survivor"
"$bin/sanshe" verify_ledger
code=$(curl -ks -o "$R/health.json" -w '%{http_code}' "https://127.0.0.1:$PROXY/health/")
cat "$R/health.json"; echo
[ "$code" = 200 ]
echo "requests through nginx: $(wc -l <"$R/logs/nginx-access.log"), of which 5xx: $(awk '$9 ~ /^5/' "$R/logs/nginx-access.log" | wc -l)"
say "rehearsal passed"
