package io.jlvs.ops;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code jlvs doctor}'s BGP steps, from the {@code bgp} part of the director's status: BIRD runs, each
 * peer's session is Established, and the VIPs are announced (or the director is drained on purpose).
 */
final class BgpChecks {
    private BgpChecks() {}

    static List<Doctor.Check> of(JsonNode bgp) {
        List<Doctor.Check> out = new ArrayList<>();
        if (bgp.isMissingNode() || bgp.isNull()) {
            return out; // no BGP configured: nothing to say
        }
        if (!bgp.path("bird_running").asBoolean(false)) {
            out.add(new Doctor.Check("bgp", "bird", Doctor.Status.FAIL, "BIRD is not running (started "
                    + bgp.path("bird_starts").asInt() + " time(s)); nothing is announced",
                    "install BIRD 2 (apt-get install bird2); the director's log says why it ended"));
            return out;
        }
        for (JsonNode p : bgp.path("peers")) {
            String target = "peer " + p.path("address").asText() + " AS " + p.path("as").asText();
            if (p.path("established").asBoolean(false)) {
                out.add(new Doctor.Check("bgp session", target, Doctor.Status.PASS, "Established", null));
            } else {
                out.add(new Doctor.Check("bgp session", target, Doctor.Status.FAIL,
                        "not established: " + p.path("session").asText(),
                        "check the peer's address and AS on both sides, that the router has this director as a "
                                + "neighbor, and that TCP port 179 is open between them"));
            }
        }
        List<String> announced = new ArrayList<>();
        bgp.path("announced").forEach(n -> announced.add(n.asText()));
        if (bgp.path("drained").asBoolean(false)) {
            out.add(new Doctor.Check("bgp announcement", "VIPs", Doctor.Status.WARN,
                    "drained: nothing is announced, the routers send no new flow here", "jlvs drain --undo"));
        } else if (announced.isEmpty()) {
            out.add(new Doctor.Check("bgp announcement", "VIPs", Doctor.Status.FAIL,
                    "nothing is announced: no service has a real server with weight above 0"
                            + (bgp.has("error") ? " (" + bgp.path("error").asText() + ")" : ""),
                    "add a real server with weight > 0: ipvsadm -a -t VIP:PORT -r RIP -g"));
        } else {
            out.add(new Doctor.Check("bgp announcement", "VIPs", Doctor.Status.PASS,
                    "announced: " + String.join(", ", announced), null));
        }
        return out;
    }
}
