package io.jlvs.io.xdp;

import io.jlvs.io.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code bpf(2)} commands jlvs uses: create a map, update or delete an element, load a program.
 * Control plane only (each call allocates its {@code union bpf_attr}). Objects are file descriptors;
 * closing the last one (and detaching) frees them.
 *
 * <pre>
 * BPF_MAP_CREATE attr              BPF_MAP_*_ELEM attr        BPF_PROG_LOAD attr
 *  +0  u32 map_type                 +0  u32 map_fd             +0  u32 prog_type     +4 u32 insn_cnt
 *  +4  u32 key_size                 +8  u64 key (pointer)      +8  u64 insns         +16 u64 license
 *  +8  u32 value_size               +16 u64 value (pointer)    +24 u32 log_level     +28 u32 log_size
 *  +12 u32 max_entries              +24 u64 flags              +32 u64 log_buf       +40 u32 kern_version
 *  +16 u32 map_flags                                           +44 u32 prog_flags    +48 char name[16]
 *  +28 char map_name[16]
 * </pre>
 */
public final class Bpf {
    private Bpf() {}

    public static final int BPF_MAP_CREATE = 0;
    public static final int BPF_MAP_LOOKUP_ELEM = 1;
    public static final int BPF_MAP_UPDATE_ELEM = 2;
    public static final int BPF_MAP_DELETE_ELEM = 3;
    public static final int BPF_PROG_LOAD = 5;
    public static final int BPF_PROG_TEST_RUN = 10;

    public static final int MAP_TYPE_HASH = 1;
    public static final int MAP_TYPE_ARRAY = 2;
    public static final int MAP_TYPE_XSKMAP = 17;
    public static final int PROG_TYPE_XDP = 6;

    /** Size of the attr we pass: covers every field we set; the kernel requires the rest to be zero. */
    private static final int ATTR_BYTES = 128;
    private static final int LOG_BYTES = 1 << 16;

    /** Creates a map; returns its file descriptor. */
    public static int createMap(int type, int keySize, int valueSize, int maxEntries, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, keySize);
            attr.set(JAVA_INT, 8, valueSize);
            attr.set(JAVA_INT, 12, maxEntries);
            putName(attr, 28, name);
            long fd = Libc.bpf(BPF_MAP_CREATE, attr, ATTR_BYTES);
            return (int) Libc.check("bpf(BPF_MAP_CREATE): type=" + type + ", name=" + name
                    + ", keySize=" + keySize + ", valueSize=" + valueSize + ", maxEntries=" + maxEntries, fd);
        }
    }

    /** Sets {@code key → value}; returns 0 or -errno. */
    public static int updateElem(int mapFd, MemorySegment key, MemorySegment value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, mapFd);
            attr.set(JAVA_LONG, 8, key.address());
            attr.set(JAVA_LONG, 16, value.address());
            return (int) Libc.bpf(BPF_MAP_UPDATE_ELEM, attr, ATTR_BYTES);
        }
    }

    /** Removes {@code key}; returns 0 or -errno (ENOENT when absent). */
    public static int deleteElem(int mapFd, MemorySegment key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, mapFd);
            attr.set(JAVA_LONG, 8, key.address());
            return (int) Libc.bpf(BPF_MAP_DELETE_ELEM, attr, ATTR_BYTES);
        }
    }

    /** Reads {@code key}'s value into {@code value}; returns 0 or -errno (ENOENT when absent). */
    public static int lookupElem(int mapFd, MemorySegment key, MemorySegment value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, mapFd);
            attr.set(JAVA_LONG, 8, key.address());
            attr.set(JAVA_LONG, 16, value.address());
            return (int) Libc.bpf(BPF_MAP_LOOKUP_ELEM, attr, ATTR_BYTES);
        }
    }

    /**
     * Loads a program; returns its file descriptor.
     *
     * @throws ProgramRejectedException when the verifier refuses it, with the verifier's log
     */
    public static int loadProgram(int type, byte[] insns, String license, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocate(insns.length, 8);
            MemorySegment.copy(insns, 0, code, JAVA_BYTE, 0, insns.length);
            MemorySegment lic = arena.allocateFrom(license);
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, insns.length / 8);
            attr.set(JAVA_LONG, 8, code.address());
            attr.set(JAVA_LONG, 16, lic.address());
            putName(attr, 48, name);
            long fd = Libc.bpf(BPF_PROG_LOAD, attr, ATTR_BYTES);
            if (fd >= 0) {
                return (int) fd;
            }
            // load again with the verifier's log, only to explain the refusal
            MemorySegment log = arena.allocate(LOG_BYTES);
            attr.set(JAVA_INT, 24, 1);
            attr.set(JAVA_INT, 28, LOG_BYTES);
            attr.set(JAVA_LONG, 32, log.address());
            long again = Libc.bpf(BPF_PROG_LOAD, attr, ATTR_BYTES);
            if (again >= 0) {
                return (int) again; // passed with logging on: a transient failure
            }
            String text = log.getString(0, StandardCharsets.UTF_8).strip();
            throw new ProgramRejectedException("bpf(BPF_PROG_LOAD): type=" + type + ", name=" + name
                    + ", insns=" + insns.length / 8, (int) -fd, text);
        }
    }

    /**
     * Runs a loaded program once over {@code frame} in the kernel (BPF_PROG_TEST_RUN) and returns its
     * verdict (for XDP: XDP_DROP, XDP_PASS, …). Needs root; for tests and self-checks.
     *
     * <pre>
     *  +0 u32 prog_fd  +4 u32 retval (out)  +8 u32 data_size_in  +12 u32 data_size_out
     *  +16 u64 data_in +24 u64 data_out     +32 u32 repeat       +36 u32 duration (out)
     * </pre>
     */
    public static int testRun(int progFd, byte[] frame) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(frame.length, 8);
            MemorySegment.copy(frame, 0, data, JAVA_BYTE, 0, frame.length);
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, progFd);
            attr.set(JAVA_INT, 8, frame.length);
            attr.set(JAVA_LONG, 16, data.address());
            attr.set(JAVA_INT, 32, 1);
            Libc.check("bpf(BPF_PROG_TEST_RUN): fd=" + progFd, Libc.bpf(BPF_PROG_TEST_RUN, attr, ATTR_BYTES));
            return attr.get(JAVA_INT, 4);
        }
    }

    private static void putName(MemorySegment attr, long at, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, attr, JAVA_BYTE, at, Math.min(b.length, 15));
    }

    /** A program the kernel refused; {@link #verifierLog()} says why. */
    public static final class ProgramRejectedException extends RuntimeException {
        private final int errno;
        private final String verifierLog;

        public ProgramRejectedException(String what, int errno, String verifierLog) {
            super(what + ": " + Libc.strerror(errno) + " (errno=" + errno + ")"
                    + (verifierLog.isEmpty() ? "" : ", verifier=\n" + verifierLog));
            this.errno = errno;
            this.verifierLog = verifierLog;
        }

        public int errno() {
            return errno;
        }

        public String verifierLog() {
            return verifierLog;
        }
    }
}
