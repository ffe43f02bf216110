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
location /walkthrough/ {
    alias $static/;
    autoindex on;
    expires 1h;
}
EOF
    else
        : >"$run_dir/static.conf"
    fi
    cp "$here/nginx.conf" "$run_dir/nginx.conf"
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
