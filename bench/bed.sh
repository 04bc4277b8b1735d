#!/usr/bin/env bash
# bed.sh: the network-namespace bed of the end-to-end benchmarks (e2e.sh, pps.sh); source it, don't run it.
#
#   client ns ──(bridge brc)── director ns ──(bridge brs)── rs1, rs2 (nginx)
#   198.18.0.2          198.18.0.1 eth0 | eth1 198.19.0.1    198.19.0.11, .12   VIP 198.18.0.100
#
# The bridges live in their own namespace; every MAC is fixed (02:00:c6:<12|13>:00:<host>) so frames can be
# built by hand (trafgen). The real servers route through the director (NAT) and hold the VIP on lo without
# announcing it (DR). Namespaces carry a per-run prefix; bed_cleanup (on EXIT) kills what runs in them by
# PID and removes them.
#
# Defines: CL LB RS1 RS2 LAN (namespaces), VIP CL_IP LB_C LB_S RS1_IP RS2_IP, CL_MAC LB_CMAC, RUN (a temp
# dir), PIDS (killed at exit), x NS CMD…, bed_up, vip_on, vip_off, start_jlvs, stop_jlvs (JLVS_PID).

P="jlvsb$$-"
CL=${P}cl LB=${P}lb RS1=${P}rs1 RS2=${P}rs2 LAN=${P}lan
VIP=198.18.0.100 CL_IP=198.18.0.2 LB_C=198.18.0.1 LB_S=198.19.0.1 RS1_IP=198.19.0.11 RS2_IP=198.19.0.12
CL_MAC=02:00:c6:12:00:02 LB_CMAC=02:00:c6:12:00:01
RUN=$(mktemp -d /tmp/jlvs-bench.XXXXXX); chmod 755 "$RUN"   # nginx workers run as www-data
PIDS=()

x() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
bed_cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for ns in $CL $LB $RS1 $RS2 $LAN; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$RUN"
}
trap bed_cleanup EXIT

# BED_QUEUES=N (default 1): every veth gets N transmit and receive queues, and the bridge ports choose their
# transmit queue by CPU (XPS), so frames spread over the receive queues as a NIC's RSS spreads them
# (AF_XDP with --workers N needs N queues).
BED_QUEUES=${BED_QUEUES:-1}
bed_port() { # bridge lan-side-name ns ifname mac
  local q=$BED_QUEUES i cpus
  ip -n $LAN link add "$2" numtxqueues "$q" numrxqueues "$q" type veth peer name "$4" numtxqueues "$q" \
    numrxqueues "$q" netns "$3"
  ip -n "$3" link set "$4" address "$5" up
  ip -n $LAN link set "$2" master "$1" up
  if (( q > 1 )); then
    cpus=$(nproc)
    for ((i = 0; i < q; i++)); do
      local mask=0 c
      for ((c = i % cpus; c < cpus; c += q)); do mask=$((mask | (1 << c))); done
      x $LAN sh -c "echo $(printf %x $mask) > /sys/class/net/$2/queues/tx-$i/xps_cpus"
    done
  fi
}

bed_up() {
  for ns in $CL $LB $RS1 $RS2 $LAN; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  for br in brc brs; do ip -n $LAN link add $br type bridge; ip -n $LAN link set $br up; done
  x $LAN sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
  bed_port brc c0 $CL eth0 $CL_MAC
  bed_port brc l0 $LB eth0 $LB_CMAC
  bed_port brs l1 $LB eth1 02:00:c6:13:00:01
  bed_port brs r1 $RS1 eth0 02:00:c6:13:00:0b
  bed_port brs r2 $RS2 eth0 02:00:c6:13:00:0c
  ip -n $CL addr add $CL_IP/24 dev eth0; ip -n $CL route add 198.18.0.0/15 via $LB_C
  x $CL sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
  ip -n $LB addr add $LB_C/24 dev eth0; ip -n $LB addr add $LB_S/24 dev eth1
  x $LB sysctl -qw net.ipv4.ip_forward=1 net.core.somaxconn=65535
  for c in all default eth0 eth1; do x $LB sysctl -qw net.ipv4.conf.$c.rp_filter=0 net.ipv4.conf.$c.accept_local=1; done
  local i ns ip d
  for i in 1 2; do
    ns=${P}rs$i ip=198.19.0.1$i
    ip -n "$ns" addr add $ip/24 dev eth0; ip -n "$ns" route add default via $LB_S
    ip -n "$ns" addr add $VIP/32 dev lo
    for c in all eth0; do x "$ns" sysctl -qw net.ipv4.conf.$c.arp_ignore=1 net.ipv4.conf.$c.arp_announce=2; done
    x "$ns" sysctl -qw net.core.somaxconn=65535
    d=$RUN/rs$i; mkdir -p "$d/www"
    echo "<h1>rs$i</h1>" >"$d/www/index.html"; head -c 1048576 /dev/urandom >"$d/www/1m.bin"; chmod -R a+rX "$d"
    cat >"$d/nginx.conf" <<NGINX
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
NGINX
    x "$ns" nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log"
  done
  for _ in $(seq 1 30); do x $CL curl -sf -m 1 http://$RS1_IP/ >/dev/null && break; sleep 0.2; done
  x $CL curl -sf -m 3 http://$RS1_IP/ >/dev/null || { echo "bed: not reachable" >&2; return 1; }
}

vip_on() { ip -n $LB addr add $VIP/32 dev eth0 label eth0:0; }
vip_off() { ip -n $LB addr del $VIP/32 dev eth0 2>/dev/null || true; }

# start_jlvs METHOD [DIRECTOR-OPTION…]: bin/jlvs director (with $JLVS_ARGS and the options) in the director
# namespace, a service $JLVS_SVC (default "-t VIP:80", rr) with rs1 and rs2 by METHOD (-g, -m, -i).
start_jlvs() {
  local method=$1; shift
  local svc=${JLVS_SVC:-"-t $VIP:80"}
  # not through x(): a function run with & is a subshell, and $! must be the director itself
  # shellcheck disable=SC2086 # JLVS_ARGS and svc are lists of words
  ip netns exec $LB "$ROOT/bin/jlvs" director --no-state-file ${JLVS_ARGS:-} "$@" >"$RUN/jlvs.log" 2>&1 &
  JLVS_PID=$!; PIDS+=("$JLVS_PID")
  for _ in $(seq 1 100); do x $LB "$ROOT/bin/ipvsadm" -Ln >/dev/null 2>&1 && break; sleep 0.1; done
  # shellcheck disable=SC2086
  x $LB "$ROOT/bin/ipvsadm" -A $svc -s rr
  # shellcheck disable=SC2086
  x $LB "$ROOT/bin/ipvsadm" -a $svc -r $RS1_IP "$method"
  # shellcheck disable=SC2086
  x $LB "$ROOT/bin/ipvsadm" -a $svc -r $RS2_IP "$method"
}
stop_jlvs() { kill -TERM "$JLVS_PID"; wait "$JLVS_PID" 2>/dev/null || true; }
