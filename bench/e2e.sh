#!/usr/bin/env bash
# e2e.sh: jlvs against kernel nftables DNAT and HAProxy on one bed, in one run.
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
# Loads (wrk, 2 threads, from the client): keepalive (64 conns), cps (64 conns, Connection: close),
# bulk (8 conns, 1 MiB object). Prints one line per mode × load. Everything is torn down at exit.
#
# Usage: bench/e2e.sh [-d SECONDS] [MODE...]      (root; installs haproxy if missing)
#        JLVS_ARGS="--workers 2" bench/e2e.sh ...    (extra options for jlvs director)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=10
[[ ${1:-} == -d ]] && { DUR=$2; shift 2; }
MODES=("$@"); [[ ${#MODES[@]} == 0 ]] && MODES=(direct nft-nat haproxy jlvs-dr jlvs-nat)
[[ $(id -u) == 0 ]] || { echo "e2e: run as root" >&2; exit 1; }
command -v haproxy >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
"$ROOT/scripts/setup.sh" >/dev/null

P="jlvsb$$-"
CL=${P}cl LB=${P}lb RS1=${P}rs1 RS2=${P}rs2 LAN=${P}lan
VIP=198.18.0.100 CL_IP=198.18.0.2 LB_C=198.18.0.1 LB_S=198.19.0.1 RS1_IP=198.19.0.11 RS2_IP=198.19.0.12
RUN=$(mktemp -d /tmp/jlvs-e2e.XXXXXX); chmod 755 "$RUN"   # nginx workers run as www-data
PIDS=()

x() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for ns in $CL $LB $RS1 $RS2 $LAN; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$RUN"
}
trap cleanup EXIT

port() { # bridge lan-side-name ns ifname mac
  ip -n $LAN link add "$2" type veth peer name "$4" netns "$3"
  ip -n "$3" link set "$4" address "$5" up
  ip -n $LAN link set "$2" master "$1" up
}
for ns in $CL $LB $RS1 $RS2 $LAN; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
for br in brc brs; do ip -n $LAN link add $br type bridge; ip -n $LAN link set $br up; done
x $LAN sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
port brc c0 $CL eth0 02:00:c6:12:00:02
port brc l0 $LB eth0 02:00:c6:12:00:01
port brs l1 $LB eth1 02:00:c6:13:00:01
port brs r1 $RS1 eth0 02:00:c6:13:00:0b
port brs r2 $RS2 eth0 02:00:c6:13:00:0c
ip -n $CL addr add $CL_IP/24 dev eth0; ip -n $CL route add 198.18.0.0/15 via $LB_C
x $CL sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
ip -n $LB addr add $LB_C/24 dev eth0; ip -n $LB addr add $LB_S/24 dev eth1
x $LB sysctl -qw net.ipv4.ip_forward=1 net.core.somaxconn=65535
for c in all default eth0 eth1; do x $LB sysctl -qw net.ipv4.conf.$c.rp_filter=0 net.ipv4.conf.$c.accept_local=1; done
for i in 1 2; do
  ns=${P}rs$i ip=198.19.0.1$i
  ip -n "$ns" addr add $ip/24 dev eth0; ip -n "$ns" route add default via $LB_S
  ip -n "$ns" addr add $VIP/32 dev lo
  for c in all eth0; do x "$ns" sysctl -qw net.ipv4.conf.$c.arp_ignore=1 net.ipv4.conf.$c.arp_announce=2; done
  x "$ns" sysctl -qw net.core.somaxconn=65535
  d=$RUN/rs$i; mkdir -p "$d/www"
  echo "<h1>rs$i</h1>" >"$d/www/index.html"; head -c 1048576 /dev/urandom >"$d/www/1m.bin"; chmod -R a+rX "$d"
  cat >"$d/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 16384; }
http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65; keepalive_requests 1000000;
  client_body_temp_path $d/b; proxy_temp_path $d/p; fastcgi_temp_path $d/f; uwsgi_temp_path $d/u; scgi_temp_path $d/s;
  types { text/html html; application/octet-stream bin; }
  server { listen $ip:80 reuseport backlog=65535; listen $VIP:80 reuseport backlog=65535; root $d/www; }
}
EOF
  x "$ns" nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log"
done
for _ in $(seq 1 30); do x $CL curl -sf -m 1 http://$RS1_IP/ >/dev/null && break; sleep 0.2; done
for _ in $(seq 1 30); do x $CL curl -sf -m 1 http://$RS1_IP/ >/dev/null && break; sleep 0.2; done
x $CL curl -sf -m 3 http://$RS1_IP/ >/dev/null || { echo "e2e: bed not reachable" >&2; exit 1; }

vip_on() { ip -n $LB addr add $VIP/32 dev eth0 label eth0:0; }
vip_off() { ip -n $LB addr del $VIP/32 dev eth0 2>/dev/null || true; }

start_jlvs() { # method flag
  # not through x(): a function run with & is a subshell, and $! must be the director itself
  # shellcheck disable=SC2086 # JLVS_ARGS is a list of options
  ip netns exec $LB "$ROOT/bin/jlvs" director --no-state-file ${JLVS_ARGS:-} >"$RUN/jlvs.log" 2>&1 &
  JLVS_PID=$!; PIDS+=("$JLVS_PID")
  for _ in $(seq 1 100); do x $LB "$ROOT/bin/ipvsadm" -Ln >/dev/null 2>&1 && break; sleep 0.1; done
  x $LB "$ROOT/bin/ipvsadm" -A -t $VIP:80 -s rr
  x $LB "$ROOT/bin/ipvsadm" -a -t $VIP:80 -r $RS1_IP "$1"
  x $LB "$ROOT/bin/ipvsadm" -a -t $VIP:80 -r $RS2_IP "$1"
}
stop_jlvs() { kill -TERM "$JLVS_PID"; wait "$JLVS_PID" 2>/dev/null || true; }

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
    x $LB "$ROOT/bin/jlvs" status | tr -d ' \n' | grep -o '"drops":{[^}]*}' | tr ',' '\n' | grep -v ':0' | sed "s/^/$m drops: /" || true
  fi
  mode_down "$m"
done
