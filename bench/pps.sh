#!/usr/bin/env bash
# pps.sh: packet rate through the director, small UDP frames, on the bed of e2e.sh (bench/bed.sh), in one run.
#
# trafgen in the client namespace sends 60-byte frames (64 on a wire, with the FCS) to port 9 of the target,
# each with a random source port (so many flows), as fast as it can; what the real servers' eth0 receive is
# what the director forwarded. Modes (only what runs on the director changes):
#   route      to rs1's own address: the director's kernel only routes (the floor)
#   nft-nat    to the VIP, kernel nftables DNAT (numgen round robin over rs1, rs2) + conntrack per flow
#   jlvs-dr    bin/jlvs director, UDP service VIP:9, ipvsadm -g          (AF_PACKET, one worker)
#   jlvs-nat   the same, ipvsadm -m                                       (AF_PACKET, one worker)
#   jlvs-xdp   jlvs DR with --transport af_xdp                             (one worker)
#   jlvs-w2    jlvs DR with --workers 2                                    (AF_PACKET)
# Per mode: offered = frames the client sent, fwd = frames the real servers received (both per second, over
# the last DUR seconds of DUR+1), and for jlvs the CPU time of its worker threads (jlvs-worker-N, from
# /proc/PID/task/*/stat) over the same window: worker_cpu = cores busy (user, sys), fwd_per_worker_core = fwd /
# worker CPU seconds, user_ns/pkt = user time per forwarded packet (an upper bound: idle spinning counts). Then
# jlvs's own totals (a gap between the director's eth0 rx and jlvs rx = frames its ring had no room for).
# The real servers drop the frames at ingress (nft netdev) so their kernels cost the bed nothing more.
#
# Usage: bench/pps.sh [-d SECONDS] [MODE...]        (root; default: all modes)
#        JLVS_ARGS="--busy-poll" bench/pps.sh ...     (extra options for every jlvs director)
#        TRAFGEN_CPUS=2 bench/pps.sh ...              (trafgen processes; default 1: this bed has 2 cores)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=5
[[ ${1:-} == -d ]] && { DUR=$2; shift 2; }
MODES=("$@"); [[ ${#MODES[@]} == 0 ]] && MODES=(route nft-nat jlvs-dr jlvs-nat jlvs-xdp jlvs-w2)
[[ $(id -u) == 0 ]] || { echo "pps: run as root" >&2; exit 1; }
"$ROOT/scripts/setup.sh" --no-build >/dev/null
[[ -f $ROOT/target/jlvs.jar ]] || (cd "$ROOT" && mvn -q -B -DskipTests package)

source "$ROOT/bench/bed.sh"
bed_up || exit 1
JLVS_SVC="-u $VIP:9"
for ns in $RS1 $RS2; do
  x "$ns" nft -f - <<EOF
table netdev pps {
  chain in { type filter hook ingress device eth0 priority 0; udp dport 9 drop; }
}
EOF
done

# trafgen's packet: bytes as "0x.., 0x.." lists; IPv4 checksum by trafgen; UDP checksum 0 (none, IPv4)
bytes() { echo "$1" | sed 's/^/0x/; s/:/, 0x/g'; }
frame() { # destination IPv4
  cat <<EOF
{
  $(bytes $LB_CMAC), $(bytes $CL_MAC), 0x08, 0x00,
  0x45, 0x00, 0x00, 46, 0x00, 0x00, 0x40, 0x00, 64, 17, csumip(14, 33),
  $(echo $CL_IP | tr . ,), $(echo "$1" | tr . ,),
  drnd(2), 0x00, 9, 0x00, 26, 0x00, 0x00,
  fill(0x6a, 18),
}
EOF
}

received() { echo $(( $(x $RS1 cat /sys/class/net/eth0/statistics/rx_packets) + $(x $RS2 cat /sys/class/net/eth0/statistics/rx_packets) )); }
sent() { x $CL cat /sys/class/net/eth0/statistics/tx_packets; }
# "utime stime" (clock ticks) of the director's worker threads; "0 0" without a director
worker_ticks() {
  local pid=${1:-} u=0 k=0 f line
  [[ -n $pid ]] || { echo "0 0"; return; }
  for f in /proc/"$pid"/task/*/stat; do
    read -r line <"$f" 2>/dev/null || continue
    [[ $line == *"(jlvs-worker-"* ]] || continue
    # comm may hold spaces: cut at the last ')'; utime, stime are then fields 12, 13
    set -- ${line##*) }
    u=$((u + ${12})) k=$((k + ${13}))
  done
  echo "$u $k"
}
HZ=$(getconf CLK_TCK)

measure() { # mode target [director pid]
  frame "$2" >"$RUN/udp.trafgen"
  x $CL ping -c1 -W1 "$2" >/dev/null 2>&1 || true   # warms ARP on the way (route, nft)
  x $CL timeout -s INT $((DUR + 2)) trafgen -o eth0 -c "$RUN/udp.trafgen" -P "${TRAFGEN_CPUS:-1}" --no-sock-mem -Q -C \
    >"$RUN/trafgen.log" 2>&1 &
  local tg=$!
  sleep 1
  local s0 r0 c0 s1 r1 c1
  s0=$(sent); r0=$(received); c0=($(worker_ticks "${3:-}"))
  sleep "$DUR"
  s1=$(sent); r1=$(received); c1=($(worker_ticks "${3:-}"))
  wait "$tg" || true
  (( s1 > s0 )) || sed "s/^/$1 trafgen: /" "$RUN/trafgen.log" >&2
  awk -v m="$1" -v s=$((s1 - s0)) -v r=$((r1 - r0)) -v u=$((c1[0] - c0[0])) -v k=$((c1[1] - c0[1])) -v d="$DUR" \
      -v hz="$HZ" -v j="${3:-}" 'BEGIN {
    line = sprintf("%-9s offered=%6.3f Mpps  fwd=%6.3f Mpps", m, s / d / 1e6, r / d / 1e6)
    if (j != "") {
      c = (u + k) / hz
      line = line sprintf("  worker_cpu=%4.2f cores (user %4.2f, sys %4.2f)", c / d, u / hz / d, k / hz / d)
      if (c > 0 && r > 0) line = line sprintf("  fwd_per_worker_core=%5.3f Mpps  user_ns/pkt=%4.0f", r / c / 1e6, u / hz / r * 1e9)
    }
    print line }'
}

# what reached the director against what jlvs saw and sent (since it started): the difference is what its
# receive ring had no room for (AF_XDP: the kernel's own RX-ring-full count); then drops by reason
jlvs_counts() { # mode
  local rx; rx=$(( $(x $LB cat /sys/class/net/eth0/statistics/rx_packets) - LB_RX0 ))
  x $LB "$ROOT/bin/jlvs" status 2>/dev/null | python3 -c '
import json, sys
mode, rx = sys.argv[1], sys.argv[2]
s = json.load(sys.stdin)
jrx, jtx = s["rx_frames"], s["tx_frames"]
line = f"{mode} totals: director eth0 rx={rx} jlvs rx={jrx} tx={jtx}"
for ifname, x in s.get("af_xdp", {}).items():
    if isinstance(x, dict) and x.get("kernel_rx_ring_full"):
        full = x["kernel_rx_ring_full"]
        line += f" {ifname} xsk_rx_ring_full={full}"
print(line)
drops = {k: v for k, v in s["drops"].items() if v}
if drops:
    print(f"{mode} drops: " + " ".join(f"{k}={v}" for k, v in drops.items()))
' "$1" "$rx" || echo "$1: jlvs status failed"
}

echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cores, ${DUR}s per mode, trafgen -P ${TRAFGEN_CPUS:-1}, 64-byte UDP"
for m in "${MODES[@]}"; do
  case $m in
    route) measure "$m" "$RS1_IP" ;;
    nft-nat)
      vip_on
      x $LB nft -f - <<EOF
table ip pps {
  chain pre { type nat hook prerouting priority dstnat; policy accept;
    ip daddr $VIP udp dport 9 dnat to numgen inc mod 2 map { 0 : $RS1_IP, 1 : $RS2_IP }
  }
  chain post { type nat hook postrouting priority srcnat; policy accept; }
}
EOF
      measure "$m" "$VIP"
      x $LB nft delete table ip pps; vip_off ;;
    jlvs-dr|jlvs-nat|jlvs-xdp|jlvs-w2)
      vip_on
      case $m in
        jlvs-dr) start_jlvs -g ;;
        jlvs-nat) start_jlvs -m ;;
        jlvs-xdp) start_jlvs -g --transport af_xdp ;;
        jlvs-w2) start_jlvs -g --workers 2 ;;
      esac
      sleep 1   # jlvs resolves the real servers' MACs by its own ARP
      grep -o 'AF_XDP on .*\|transport: af_packet (.*' "$RUN/jlvs.log" | sed "s/^/$m: /" || true
      LB_RX0=$(x $LB cat /sys/class/net/eth0/statistics/rx_packets)
      measure "$m" "$VIP" "$JLVS_PID"
      jlvs_counts "$m"
      stop_jlvs; vip_off ;;
    *) echo "pps: unknown mode $m" >&2 ;;
  esac
done
