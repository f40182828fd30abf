#!/usr/bin/env bash
# Allocations per request of a release node: runs `gata node` with a malloc counter preloaded,
# once answering nothing and once answering REQUESTS requests of one kind over one kept-alive
# connection, and prints the difference divided by the requests, for each kind.
#
#   Tools/allocations/per-request.sh [REQUESTS]     (after swift build -c release --product gata)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
requests=${1:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -shared -fPIC -o "$work/malloc_count.so" "$root/Tools/allocations/malloc_count.c"
gata="$root/.build/release/gata"
address=$(grep -o '"0x[0-9a-fA-F]\{40\}"' "$root/Genesis/devnet.json" | sed -n 3p | tr -d '"')

# The allocations a node counted after answering `count` requests of `kind`.
run() {
    local kind=$1 count=$2 data="$work/data-$1-$2"
    LD_PRELOAD="$work/malloc_count.so" "$gata" node --genesis "$root/Genesis/devnet.json" --data "$data" --rpc 127.0.0.1:0 \
        --log-level error >"$work/out" 2>"$work/err" &
    local pid=$!
    for _ in $(seq 300); do grep -q listening "$work/out" && break; sleep 0.1; done
    local port; port=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/out" | sed 's/.*://')
    python3 - "$port" "$kind" "$count" "$address" <<'PY'
import http.client, json, sys
port, kind, count, address = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
connection = http.client.HTTPConnection("127.0.0.1", port)
bodies = {"chainId": {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
          "balance": {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": [address, "latest"]}}
for _ in range(count):
    if kind == "health":
        connection.request("GET", "/health")
    else:
        connection.request("POST", "/", json.dumps(bodies[kind]), {"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.read()
    assert response.status == 200 and b'"error"' not in answer, answer
PY
    kill -TERM "$pid"
    wait "$pid" || true
    grep -o 'malloc_count: [0-9]*' "$work/err" | tail -1 | awk '{print $2}'
}

printf '%-10s %12s %12s %12s\n' route idle answered per-request
for kind in health chainId balance; do
    idle=$(run "$kind" 0)
    busy=$(run "$kind" "$requests")
    printf '%-10s %12d %12d %12.1f\n' "$kind" "$idle" "$busy" "$(awk -v b="$busy" -v i="$idle" -v n="$requests" 'BEGIN { print (b - i) / n }')"
done
