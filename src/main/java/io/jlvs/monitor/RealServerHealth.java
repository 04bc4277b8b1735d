package io.jlvs.monitor;

import java.util.List;

/**
 * Health-check results for real servers, as the monitor's "health" column shows them. The health checkers
 * (keepalived's {@code TCP_CHECK}, {@code HTTP_GET}…) serve them on the control socket as op
 * {@link #CONTROL_OP}; until a director answers that op, the column reads "not checked".
 */
public interface RealServerHealth {
    String CONTROL_OP = "healthStatus";

    /**
     * The latest result for one real server of one service.
     *
     * @param service    as {@code ServiceKey.toString()} prints it ("TCP 198.18.0.100:80")
     * @param realserver {@code address:port}
     * @param up         whether the last checks passed
     * @param detail     the checker's words ("TCP_CHECK connect refused")
     */
    record Result(String service, String realserver, boolean up, String detail) {}

    List<Result> results();
}
