package io.jlvs.control;

/** A real server as listed: its configuration, connection counts and stats. */
public record DestInfo(DestConfig config, int activeConns, int inactiveConns, int persistentConns,
                       Stats stats) {}
