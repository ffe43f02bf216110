#!/usr/bin/env bash
# Run nnviz as K `streamlit run app.py` processes behind nginx, all on loopback ports.
#
#   deploy/start.sh start     start the backends, wait until each is healthy, start nginx
#   deploy/start.sh stop      stop nginx and every backend this run dir started
#   deploy/start.sh status    what is running (exit 1 if something is missing)
#   deploy/start.sh restart
#   deploy/start.sh run       start, stay in the foreground, stop everything on Ctrl-C /
#                             SIGTERM or when a process dies (for a terminal, systemd, a container)
#
# Settings (environment):
#   NNVIZ_PORT           nginx's port on 127.0.0.1                      (default 8500)
#   NNVIZ_BACKENDS       how many streamlit processes                   (default 2)
#   NNVIZ_BACKEND_PORTS  their ports, space-separated       (default 8501 .. 8500+K)
#   NNVIZ_RUN_DIR        config, pid and log files        (default /tmp/nnviz-deploy)
#   NNVIZ_STATIC_DIR     optional: a directory of exported HTML walk-throughs, served
#                        at /walkthrough/ by nginx itself (no Python per viewer)
#   NNVIZ_BIND           the address everything listens on              (default 127.0.0.1)
#   PYTHON               the Python that runs streamlit                  (default python3)
# Limits per client address (a classroom behind one NAT is one address: raise them):
#   NNVIZ_RATE / NNVIZ_BURST                pages, API calls and new sessions per second
#                                           and the burst allowed at once  (default 20 / 200)
#   NNVIZ_STATIC_RATE / NNVIZ_STATIC_BURST  Streamlit's static files (default 200 / 2000)
#   NNVIZ_CONN                              open connections at once        (default 200)
#   NNVIZ_CSP                               the Content-Security-Policy (default: below)
#
# Nothing global is read or written: nginx runs as
#   nginx -c $NNVIZ_RUN_DIR/nginx.conf -p $NNVIZ_RUN_DIR/ -e $NNVIZ_RUN_DIR/error.log
# (deploy/nginx.conf copied there, with listen.conf, backends.conf and static.conf
# written beside it).  See deploy/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
run_dir="${NNVIZ_RUN_DIR:-/tmp/nnviz-deploy}"
port="${NNVIZ_PORT:-8500}"
bind="${NNVIZ_BIND:-127.0.0.1}"
k="${NNVIZ_BACKENDS:-2}"
rate="${NNVIZ_RATE:-20}"; burst="${NNVIZ_BURST:-200}"; conn="${NNVIZ_CONN:-200}"
static_rate="${NNVIZ_STATIC_RATE:-200}"; static_burst="${NNVIZ_STATIC_BURST:-2000}"
# What Streamlit's page needs (tested in Chromium through nginx: tests/test_deploy_nginx.py):
# its inline script by hash, WebAssembly (its protobuf decoder) and blob: scripts (custom
# components, as the explorer's player, are loaded as blob: URLs made by Streamlit's own
# code) — no JavaScript eval, no inline scripts.
csp="${NNVIZ_CSP:-default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob: @STREAMLIT_SCRIPT_HASHES@; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; frame-src 'self' blob: data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'}"
python="${PYTHON:-python3}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
if [ -n "${NNVIZ_BACKEND_PORTS:-}" ]; then
    read -r -a ports <<<"$NNVIZ_BACKEND_PORTS"
else
    ports=()
    for ((i = 1; i <= k; i++)); do ports+=($((port + i))); done
fi

log() { echo "[nnviz-deploy] $*" >&2; }

healthy() {  # healthy URL -> 0 when /_stcore/health answers "ok"
    "$python" - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/_stcore/health", timeout=2) as r:
    sys.exit(0 if r.read().strip() == b"ok" else 1)
PY
}

wait_healthy() {  # wait_healthy URL SECONDS
    local deadline=$((SECONDS + $2))
    until healthy "$1"; do
        if ((SECONDS > deadline)); then return 1; fi
        sleep 0.2
    done
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

nginx_cmd() { "$nginx_bin" -c "$run_dir/nginx.conf" -p "$run_dir/" -e "$run_dir/error.log" "$@"; }

start() {
    [ -x "$nginx_bin" ] || { log "nginx not found: apt-get install -y nginx-light (or nginx)"; exit 1; }
    mkdir -p "$run_dir/tmp"
    : >"$run_dir/backends.conf"
    for p in "${ports[@]}"; do
        if alive "$run_dir/streamlit-$p.pid"; then
            log "backend on port $p already running (pid $(cat "$run_dir/streamlit-$p.pid"))"
        else
            # setsid: each backend in its own process group, stopped as one by `stop`.
            (cd "$repo" && PYTHONPATH="$repo" exec setsid "$python" -m streamlit run app.py \
                --server.headless true --server.address "$bind" --server.port "$p" \
                --browser.gatherUsageStats false --server.fileWatcherType none \
                --server.runOnSave false \
                </dev/null >"$run_dir/streamlit-$p.log" 2>&1) &
            echo $! >"$run_dir/streamlit-$p.pid"
            log "backend on port $p: pid $!"
        fi
        echo "server $bind:$p max_fails=0;" >>"$run_dir/backends.conf"
    done
    echo "listen $bind:$port;" >"$run_dir/listen.conf"
    if [ -n "${NNVIZ_STATIC_DIR:-}" ]; then
        static="$(cd "$NNVIZ_STATIC_DIR" && pwd)"
        cat >"$run_dir/static.conf" <<EOF
# Exported walk-throughs (nnviz.export.walkthrough_html): plain files, no Python.
# Its own headers (add_header here replaces the server's): each file carries its own
# Content-Security-Policy in a <meta> tag (inline scripts, no requests).
location /walkthrough/ {
    alias $static/;
    autoindex on;
    expires 1h;
    limit_req zone=nnviz_static burst=$static_burst nodelay;
    add_header Content-Security-Policy "frame-ancestors 'none'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
    add_header X-Frame-Options DENY always;
}
EOF
    else
        : >"$run_dir/static.conf"
    fi
    for v in "$rate" "$burst" "$conn" "$static_rate" "$static_burst"; do
        [[ "$v" =~ ^[1-9][0-9]{0,6}$ ]] || { log "limits must be whole numbers from 1; got '$v'"; exit 1; }
    done
    [[ "$csp" != *'"'* && "$csp" != *'&'* ]] || { log "NNVIZ_CSP may not contain \" or &"; exit 1; }
    hashes="$("$python" "$here/csp_hashes.py")" || { log "could not read Streamlit's page for its CSP hashes"; exit 1; }
    csp="${csp//@STREAMLIT_SCRIPT_HASHES@/$hashes}"
    conf="$(<"$here/nginx.conf")"
    conf="${conf//@NNVIZ_RATE@/$rate}"; conf="${conf//@NNVIZ_BURST@/$burst}"
    conf="${conf//@NNVIZ_STATIC_RATE@/$static_rate}"; conf="${conf//@NNVIZ_STATIC_BURST@/$static_burst}"
    conf="${conf//@NNVIZ_CONN@/$conn}"; conf="${conf//@NNVIZ_CSP@/$csp}"
    printf '%s\n' "$conf" >"$run_dir/nginx.conf"
    for p in "${ports[@]}"; do
        wait_healthy "http://$bind:$p" 90 || { log "backend $p not healthy; see $run_dir/streamlit-$p.log"; stop; exit 1; }
    done
    nginx_cmd -t -q || { log "nginx config test failed"; stop; exit 1; }
    if alive "$run_dir/nginx.pid"; then
        nginx_cmd -s reload
    else
        nginx_cmd
    fi
    wait_healthy "http://$bind:$port" 30 || { log "nginx not answering on $port; see $run_dir/error.log"; stop; exit 1; }
    log "nnviz on http://$bind:$port/ (${#ports[@]} backends: ${ports[*]}); run dir $run_dir"
}

stop_pid() {  # stop_pid PIDFILE: TERM the process group, KILL after 10 s
    local f="$1" pid
    [ -f "$f" ] || return 0
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$f"
}

stop() {
    if alive "$run_dir/nginx.pid"; then
        nginx_cmd -s quit 2>/dev/null || true
        for _ in $(seq 50); do alive "$run_dir/nginx.pid" || break; sleep 0.2; done
    fi
    stop_pid "$run_dir/nginx.pid"
    shopt -s nullglob
    for f in "$run_dir"/streamlit-*.pid; do stop_pid "$f"; done
    log "stopped (run dir $run_dir)"
}

status() {
    local ok=0
    if alive "$run_dir/nginx.pid"; then log "nginx: pid $(cat "$run_dir/nginx.pid"), port $port"; else log "nginx: not running"; ok=1; fi
    shopt -s nullglob
    for f in "$run_dir"/streamlit-*.pid; do
        p="${f##*/streamlit-}"; p="${p%.pid}"
        if alive "$f" && healthy "http://$bind:$p"; then log "backend $p: healthy (pid $(cat "$f"))"
        else log "backend $p: down"; ok=1; fi
    done
    return $ok
}

run() {
    start
    trap 'log "signal: stopping"; stop; exit 0' INT TERM HUP
    while true; do
        alive "$run_dir/nginx.pid" || { log "nginx exited: stopping"; stop; exit 1; }
        for p in "${ports[@]}"; do
            alive "$run_dir/streamlit-$p.pid" || { log "backend $p exited: stopping"; stop; exit 1; }
        done
        sleep 2 &
        wait $! || true
    done
}

case "${1:-}" in
    start) start ;;
    run) run ;;
    stop) stop ;;
    restart) stop; start ;;
    status) status ;;
    *) echo "usage: $0 start|stop|restart|status|run" >&2; exit 2 ;;
esac
