package io.jlvs.keepalived.config;

/**
 * A top-level {@code track_file NAME { file PATH; weight W [reverse]; init_file [V] [overwrite] }}.
 *
 * @param initMode  0 none, 1 create if missing, 2 overwrite
 */
public record TrackFile(String name, String path, int weight, boolean reverse, int initMode, int initValue) {}
