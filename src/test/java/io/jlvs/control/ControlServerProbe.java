package io.jlvs.control;

/** Runs {@link ControlServer}'s request handling in-process, without a socket. */
final class ControlServerProbe {
    private final Ipvs ipvs = new Ipvs();

    String handle(String line) {
        try {
            return ControlProtocol.JSON.writeValueAsString(ControlServer.dispatch(ipvs, java.util.Map.of(), line));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
