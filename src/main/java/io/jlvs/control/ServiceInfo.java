package io.jlvs.control;

import java.util.List;

/** A service as listed: its configuration, stats and real servers in the kernel's list order. */
public record ServiceInfo(ServiceConfig config, Stats stats, List<DestInfo> dests) {}
