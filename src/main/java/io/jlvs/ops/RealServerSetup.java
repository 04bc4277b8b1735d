package io.jlvs.ops;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the seeds' {@code realserver.sh} does to a real server, done through netlink and sysctl, idempotently,
 * with the previous values kept so {@link #stop} puts them back:
 *
 * <ul>
 * <li>DR: the VIP as a /32 (/128) on {@code lo} (label {@code lo:jlvs}); {@code arp_ignore=1} and
 *     {@code arp_announce=2} on {@code all} and {@code lo}, so the real server accepts packets for the VIP but
 *     never answers ARP for it nor uses it as an ARP source.</li>
 * <li>TUN: the VIP on {@code tunl0} (which the kernel's {@code ipip} module makes), {@code tunl0} up, the same
 *     ARP settings on {@code all} and {@code tunl0}, and {@code rp_filter=2} (loose) on {@code tunl0}: the
 *     decapsulated packet's client source is not routed via {@code tunl0}, so strict reverse-path filtering
 *     would drop it. The kernel takes the larger of {@code all} and the device value, so loose holds whatever
 *     {@code all} says, and {@code all} is left alone.</li>
 * <li>The host route the seeds add ({@code route add -host VIP dev lo:0}): adding the address makes the kernel's
 *     own local route to it, so it is checked (the VIP must route as local), not added.</li>
 * </ul>
 *
 * ARP settings matter for IPv4 only; an IPv6 VIP gets its address only (neighbour discovery answers for an
 * address on the interface the solicitation came in on, never for one on {@code lo}).
 *
 * <p>State: one JSON file per network namespace records which VIPs jlvs set up, whether it added each address
 * or brought the link up itself, and the original value of each sysctl it changed. A sysctl is restored when
 * the last VIP needing it stops, and only if nobody changed it since.
 */
public final class RealServerSetup {
    /** Forwarding method the real server is prepared for. */
    public enum Mode {
        DR("lo", "lo:jlvs"),
        TUN("tunl0", "tunl0");

        private final String device;
        private final String label;

        Mode(String device, String label) {
            this.device = device;
            this.label = label;
        }

        public String device() {
            return device;
        }

        public static Mode parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "dr", "route", "direct" -> DR;
                case "tun", "tunnel", "ipip" -> TUN;
                default -> throw new IllegalArgumentException("mode must be dr or tun: mode=" + text);
            };
        }
    }

    /** One thing checked or changed, for the report. */
    public record Step(String item, String before, String after, String note) {
        public boolean changed() {
            return !before.equals(after);
        }
    }

    /** What a command did or found; {@code ok} false when something is not as it must be. */
    public record Report(boolean ok, List<Step> steps, List<String> problems) {}

    /** The state file's content. */
    record State(Map<String, VipState> vips, Map<String, String> sysctl) {
        State {
            vips = new LinkedHashMap<>(vips == null ? Map.of() : vips);
            sysctl = new LinkedHashMap<>(sysctl == null ? Map.of() : sysctl);
        }
    }

    /** What jlvs did for one VIP. */
    record VipState(Mode mode, int prefixLength, boolean addressAdded, boolean linkUpped) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RealServerHost host;

    public RealServerSetup(RealServerHost host) {
        this.host = host;
    }

    /** The sysctls a mode needs, in the order they are set, with their values. */
    static Map<String, String> wantedSysctls(Mode mode, InetAddress vip) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!(vip instanceof Inet4Address)) {
            return m;
        }
        for (String dev : List.of("all", mode.device())) {
            m.put("net.ipv4.conf." + dev + ".arp_ignore", "1");
            m.put("net.ipv4.conf." + dev + ".arp_announce", "2");
        }
        if (mode == Mode.TUN) {
            m.put("net.ipv4.conf.tunl0.rp_filter", "2");
        }
        return m;
    }

    static int prefixOf(InetAddress vip) {
        return vip instanceof Inet4Address ? 32 : 128;
    }

    // ---------------------------------------------------------------- start

    public Report start(InetAddress vip, Mode mode) throws IOException {
        List<Step> steps = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        State state = load();
        String key = vip.getHostAddress();
        VipState existing = state.vips().get(key);
        if (existing != null && existing.mode() != mode) {
            problems.add("VIP " + key + " is set up for " + existing.mode() + " already; run `jlvs realserver stop --vip "
                    + key + "` first");
            return new Report(false, steps, problems);
        }
        Optional<Netlink.Link> device = host.link(mode.device());
        if (device.isEmpty()) {
            problems.add(mode == Mode.TUN
                    ? "tunl0 does not exist: the kernel's ipip module is not loaded (modprobe ipip) or not built "
                      + "(CONFIG_NET_IPIP); LVS-TUN real servers need it"
                    : "no device " + mode.device());
            return new Report(false, steps, problems);
        }
        for (Netlink.Address a : host.addresses()) {
            if (a.address().equals(vip) && a.ifindex() != device.get().ifindex()) {
                problems.add("VIP " + key + " is on another interface (ifindex " + a.ifindex() + "): there it would "
                        + "answer ARP for the VIP; remove it first (ip addr del " + key + "/" + a.prefixLength()
                        + " dev …)");
                return new Report(false, steps, problems);
            }
        }
        // ARP settings first, so the VIP is never announced, not even for a moment
        for (Map.Entry<String, String> w : wantedSysctls(mode, vip).entrySet()) {
            Optional<String> now = host.readSysctl(w.getKey());
            if (now.isEmpty()) {
                problems.add("sysctl " + w.getKey() + " does not exist");
                continue;
            }
            if (!now.get().equals(w.getValue())) {
                state.sysctl().putIfAbsent(w.getKey(), now.get());
                host.writeSysctl(w.getKey(), w.getValue());
            }
            steps.add(new Step(w.getKey(), now.get(), w.getValue(), ""));
        }
        boolean linkUpped = existing != null && existing.linkUpped();
        if (mode == Mode.TUN) {
            boolean up = device.get().up();
            if (!up) {
                host.setLinkUp(mode.device(), true);
                linkUpped = true;
            }
            steps.add(new Step(mode.device() + " link", up ? "up" : "down", "up", ""));
        }
        boolean present = hasAddress(device.get().ifindex(), vip);
        boolean added = existing != null && existing.addressAdded();
        if (!present) {
            try {
                host.addAddress(device.get().ifindex(), vip, prefixOf(vip), vip instanceof Inet4Address ? mode.label : null);
                added = true;
            } catch (NativeException e) {
                problems.add("adding " + key + "/" + prefixOf(vip) + " to " + mode.device() + ": " + e.getMessage());
            }
        }
        steps.add(new Step("address " + key + "/" + prefixOf(vip) + " on " + mode.device(), present ? "present" : "absent",
                hasAddress(device.get().ifindex(), vip) ? "present" : "absent", present ? "was there already" : ""));
        state.vips().put(key, new VipState(mode, prefixOf(vip), added, linkUpped));
        save(state);
        Step route = routeStep(vip);
        steps.add(route);
        if (!route.after().equals("local")) {
            problems.add("the VIP does not route as a local address: " + route.after());
        }
        return new Report(problems.isEmpty(), steps, problems);
    }

    private Step routeStep(InetAddress vip) {
        int type = host.routeType(vip);
        String what = type == Netlink.RTN_LOCAL ? "local" : type < 0 ? "no route" : "route type " + type;
        return new Step("host route to " + vip.getHostAddress(), what, what,
                "the kernel's local route, made with the address");
    }

    private boolean hasAddress(int ifindex, InetAddress vip) {
        for (Netlink.Address a : host.addresses()) {
            if (a.ifindex() == ifindex && a.address().equals(vip)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- stop

    public Report stop(InetAddress vip) throws IOException {
        List<Step> steps = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        State state = load();
        String key = vip.getHostAddress();
        VipState v = state.vips().remove(key);
        if (v == null) {
            steps.add(new Step("VIP " + key, "not set up by jlvs realserver", "unchanged", "nothing to undo"));
            return new Report(true, steps, problems);
        }
        Optional<Netlink.Link> device = host.link(v.mode().device());
        if (v.addressAdded() && device.isPresent() && hasAddress(device.get().ifindex(), vip)) {
            try {
                host.deleteAddress(device.get().ifindex(), vip, v.prefixLength());
                steps.add(new Step("address " + key + "/" + v.prefixLength() + " on " + v.mode().device(), "present",
                        "absent", ""));
            } catch (NativeException e) {
                problems.add("removing " + key + " from " + v.mode().device() + ": " + e.getMessage());
            }
        } else if (!v.addressAdded()) {
            steps.add(new Step("address " + key + " on " + v.mode().device(), "present", "present",
                    "was there before start: left"));
        }
        if (v.linkUpped() && device.isPresent() && !otherVipOn(state, v.mode())) {
            host.setLinkUp(v.mode().device(), false);
            steps.add(new Step(v.mode().device() + " link", "up", "down", "brought up by start"));
        }
        Set<String> stillNeeded = new LinkedHashSet<>();
        for (Map.Entry<String, VipState> other : state.vips().entrySet()) {
            stillNeeded.addAll(wantedSysctls(other.getValue().mode(), InetAddress.ofLiteral(other.getKey())).keySet());
        }
        Map<String, String> wanted = wantedSysctls(v.mode(), vip);
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            String name = w.getKey();
            String original = state.sysctl().get(name);
            if (original == null || stillNeeded.contains(name)) {
                continue;
            }
            state.sysctl().remove(name);
            Optional<String> now = host.readSysctl(name);
            if (now.isEmpty()) {
                continue;
            }
            if (now.get().equals(w.getValue())) {
                host.writeSysctl(name, original);
                steps.add(new Step(name, now.get(), original, "restored"));
            } else {
                steps.add(new Step(name, now.get(), now.get(), "changed by someone else since start: left"));
            }
        }
        save(state);
        return new Report(problems.isEmpty(), steps, problems);
    }

    private static boolean otherVipOn(State state, Mode mode) {
        return state.vips().values().stream().anyMatch(o -> o.mode() == mode && o.linkUpped());
    }

    // ---------------------------------------------------------------- status

    /** Checks every item without changing anything; {@code mode} is used when jlvs did not set the VIP up. */
    public Report status(InetAddress vip, Mode mode) throws IOException {
        List<Step> steps = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        State state = load();
        VipState v = state.vips().get(vip.getHostAddress());
        Mode m = v != null ? v.mode() : mode;
        steps.add(new Step("set up by jlvs realserver", v == null ? "no" : "yes (" + v.mode() + ")",
                v == null ? "no" : "yes (" + v.mode() + ")", ""));
        Optional<Netlink.Link> device = host.link(m.device());
        if (device.isEmpty()) {
            problems.add("no device " + m.device());
            return new Report(false, steps, problems);
        }
        boolean present = hasAddress(device.get().ifindex(), vip);
        steps.add(new Step("address " + vip.getHostAddress() + " on " + m.device(), present ? "present" : "absent",
                present ? "present" : "absent", ""));
        if (!present) {
            problems.add("VIP " + vip.getHostAddress() + " is not on " + m.device());
        }
        if (m == Mode.TUN) {
            steps.add(new Step(m.device() + " link", device.get().up() ? "up" : "down", device.get().up() ? "up" : "down", ""));
            if (!device.get().up()) {
                problems.add(m.device() + " is down");
            }
        }
        for (Map.Entry<String, String> w : wantedSysctls(m, vip).entrySet()) {
            String now = host.readSysctl(w.getKey()).orElse("missing");
            steps.add(new Step(w.getKey(), now, now, "wanted " + w.getValue()));
            if (!now.equals(w.getValue())) {
                problems.add(w.getKey() + " is " + now + ", wanted " + w.getValue());
            }
        }
        Step route = routeStep(vip);
        steps.add(route);
        if (!route.after().equals("local")) {
            problems.add("the VIP does not route as a local address: " + route.after());
        }
        return new Report(problems.isEmpty(), steps, problems);
    }

    // ---------------------------------------------------------------- state file

    State load() throws IOException {
        Path f = host.stateFile();
        if (!Files.exists(f)) {
            return new State(Map.of(), Map.of());
        }
        try {
            return JSON.readValue(f.toFile(), new TypeReference<State>() {});
        } catch (IOException e) {
            throw new IOException("realserver: unreadable state file " + f + ": " + e.getMessage(), e);
        }
    }

    void save(State state) throws IOException {
        Path f = host.stateFile();
        if (state.vips().isEmpty() && state.sysctl().isEmpty()) {
            Files.deleteIfExists(f);
            return;
        }
        Files.createDirectories(f.toAbsolutePath().getParent());
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), state);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
