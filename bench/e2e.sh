#!/usr/bin/env bash
# e2e.sh: jlvs against kernel nftables DNAT and HAProxy on one bed (bench/bed.sh), in one run.
#
#   client ns ──(bridge)── director ns ──(bridge)── rs1, rs2 (nginx)
#   198.18.0.2       198.18.0.1 | 198.19.0.1        198.19.0.11, .12   VIP 198.18.0.100
#
# The same client, real servers and wrk loads for every mode; only what runs on the director changes:
#   direct     client → rs1 through the director's kernel routing (the floor)
#   nft-nat    kernel nftables DNAT (numgen round robin) + conntrack
#   haproxy    HAProxy, TCP mode (a full proxy)
#   jlvs-dr    bin/jlvs director, ipvsadm -g
#   jlvs-nat   bin/jlvs director, ipvsadm -m
#   jlvs-dr-xdp, jlvs-nat-xdp   the same with --transport af_xdp (copy mode on veth)
# Loads (wrk, 2 threads, from the client): keepalive (64 conns), cps (64 conns, Connection: close),
# bulk (8 conns, 1 MiB object). Prints one line per mode × load. Everything is torn down at exit.
#
# Usage: bench/e2e.sh [-d SECONDS] [MODE...]      (root; installs haproxy if missing)
#        JLVS_ARGS="--workers 2" bench/e2e.sh ...    (extra options for jlvs director)
#        BED_QUEUES=2 JLVS_ARGS="--workers 2" bench/e2e.sh jlvs-nat-xdp   (AF_XDP, two workers, two queues)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=10
[[ ${1:-} == -d ]] && { DUR=$2; shift 2; }
MODES=("$@"); [[ ${#MODES[@]} == 0 ]] && MODES=(direct nft-nat haproxy jlvs-dr jlvs-nat jlvs-dr-xdp jlvs-nat-xdp)
[[ $(id -u) == 0 ]] || { echo "e2e: run as root" >&2; exit 1; }
command -v haproxy >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
"$ROOT/scripts/setup.sh" >/dev/null

source "$ROOT/bench/bed.sh"
bed_up || exit 1

mode_up() {
  case $1 in
    direct) ;;
    nft-nat) vip_on; x $LB nft -f - <<EOF
table ip e2e {
  chain pre { type nat hook prerouting priority dstnat; policy accept;
    ip daddr $VIP tcp dport 80 dnat to numgen inc mod 2 map { 0 : $RS1_IP, 1 : $RS2_IP }
  }
  chain post { type nat hook postrouting priority srcnat; policy accept; }
}
EOF
      ;;
    haproxy) vip_on; cat >"$RUN/haproxy.cfg" <<EOF
global
  maxconn 8000
  nbthread 2
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend fe
  bind $VIP:80
  default_backend be
backend be
  balance roundrobin
  server rs1 $RS1_IP:80
  server rs2 $RS2_IP:80
EOF
      x $LB haproxy -D -p "$RUN/haproxy.pid" -f "$RUN/haproxy.cfg" ;;
    jlvs-dr) vip_on; start_jlvs -g ;;
    jlvs-nat) vip_on; start_jlvs -m ;;
    jlvs-dr-xdp) vip_on; start_jlvs -g --transport af_xdp ;;
    jlvs-nat-xdp) vip_on; start_jlvs -m --transport af_xdp ;;
  esac
}
mode_down() {
  case $1 in
    nft-nat) x $LB nft delete table ip e2e; vip_off ;;
    haproxy) kill "$(cat "$RUN/haproxy.pid")"; sleep 0.5; vip_off ;;
    jlvs-*) stop_jlvs; vip_off ;;
  esac
}

cat >"$RUN/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d bytes=%d duration_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.bytes, summary.duration, latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
EOF

load() { # mode load target
  local args
  case $2 in
    keepalive) args=(-t2 -c64 "http://$3/") ;;
    cps) args=(-t2 -c64 -H "Connection: close" "http://$3/") ;;
    bulk) args=(-t2 -c8 "http://$3/1m.bin") ;;
  esac
  local out; out=$(x $CL wrk -d "${DUR}s" --latency -s "$RUN/report.lua" "${args[@]}" 2>&1 | grep '^RESULT' || true)
  [[ -n $out ]] || { echo "$1 $2 FAILED"; return; }
  eval "$(echo "${out#RESULT }" | tr ' ' ';')"
  awk -v m="$1" -v l="$2" -v r="$requests" -v b="$bytes" -v d="$duration_us" -v p="$p99_us" -v e="$errors" \
    'BEGIN { printf "%-9s %-9s rps=%-8.0f p99_us=%-7d gbps=%-6.2f errors=%d\n", m, l, r/(d/1e6), p, b*8/(d/1e6)/1e9, e }'
}

echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cores, ${DUR}s per load"
for m in "${MODES[@]}"; do
  mode_up "$m"
  t=$VIP; [[ $m == direct ]] && t=$RS1_IP
  x $CL curl -sf -m 3 "http://$t/" >/dev/null || echo "$m: first request failed"
  for l in keepalive cps bulk; do load "$m" "$l" "$t"; done
  if [[ $m == jlvs-* ]]; then
    st=$(x $LB "$ROOT/bin/jlvs" status | tr -d ' \n')
    echo "$st" | grep -o '"drops":{[^}]*}' | tr ',' '\n' | grep -v ':0' | sed "s/^/$m drops: /" || true
    echo "$st" | grep -o '"rx_ring_drops":[0-9]*' | sed "s/^/$m /" || true
  fi
  mode_down "$m"
done
