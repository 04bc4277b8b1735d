package io.jlvs.app;

import io.jlvs.control.ControlSocket;
import io.jlvs.control.IpvsApi;
import io.jlvs.ipvsadm.IpvsadmMain;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The director's rules on disk, so a restarted director serves what it served before (the kernel keeps IPVS
 * rules across an ipvsadm crash; a user-space director must keep them itself). The file holds
 * {@code ipvsadm-save -n} output; it is rewritten after every accepted change and read with
 * {@code ipvsadm-restore --atomic} at start (a bad file changes nothing and is reported with its line).
 *
 * <p>Writing is atomic: the new text goes to a temporary file in the same directory, which is fsynced, then
 * renamed over the old file, then the directory is fsynced. A full disk or an unwritable path leaves the old
 * file as it was (the temporary is deleted) and is logged as an error naming the path and the cause; the
 * running table is never affected. Default path: {@code /var/lib/jlvs/<netns>/rules}, where {@code <netns>}
 * is the name {@code ip netns} gives the director's namespace, or {@code default}.
 */
public final class RulesStateFile {
    private static final Logger LOG = System.getLogger("jlvs.state");
    public static final Path BASE = Path.of("/var/lib/jlvs");

    private final Path path;
    private String lastWritten;

    public RulesStateFile(Path path) {
        this.path = path.toAbsolutePath();
    }

    /** {@code /var/lib/jlvs/<netns name or "default">/rules}. */
    public static Path defaultPath() {
        return BASE.resolve(netnsName()).resolve("rules");
    }

    public Path path() {
        return path;
    }

    /**
     * Restores the rules of the file into {@code api}, which must be empty. Returns the number of services
     * restored, 0 when there is no file.
     *
     * @throws IOException when the file exists but cannot be read or restored (the table stays empty)
     */
    public int load(IpvsApi api) throws IOException {
        if (!Files.exists(path)) {
            return 0;
        }
        byte[] text = Files.readAllBytes(path);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = IpvsadmMain.runAtomicRestore("ipvsadm-restore", api, new ByteArrayInputStream(text),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IOException("state file " + path + " not restored (the table stays empty): "
                    + err.toString(StandardCharsets.UTF_8).strip());
        }
        lastWritten = new String(text, StandardCharsets.UTF_8);
        try {
            return api.services().size();
        } catch (io.jlvs.control.IpvsException e) {
            return 0;
        }
    }

    /**
     * Writes the table of {@code api} if it changed since the last write. Never throws: a failure is logged
     * (and returned) and leaves the previous file whole.
     *
     * @return null when written (or unchanged), else the error message
     */
    public synchronized String save(IpvsApi api) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = IpvsadmMain.run("ipvsadm-save", new String[] {"-S", "-n"}, api,
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (status != 0) {
            return logFailure("could not list the table: " + err.toString(StandardCharsets.UTF_8).strip());
        }
        String text = out.toString(StandardCharsets.UTF_8);
        if (text.equals(lastWritten)) {
            return null;
        }
        try {
            write(text.getBytes(StandardCharsets.UTF_8));
            lastWritten = text;
            return null;
        } catch (IOException | RuntimeException e) {
            return logFailure(describe(e));
        }
    }

    private void write(byte[] bytes) throws IOException {
        Path dir = path.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + path.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically into " + dir + ": " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself reaches the disk
        } catch (IOException ignored) {
            // some file systems refuse to open a directory for fsync; the rename is still atomic
        }
    }

    private String logFailure(String cause) {
        String message = "state file " + path + " not written (it keeps its last complete content; the running "
                + "table is unchanged): " + cause;
        LOG.log(Logger.Level.ERROR, message);
        return message;
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        if (m != null && m.contains("No space left on device")) {
            return "disk full: " + m;
        }
        return kind + ": " + m;
    }

    /** The name under /run/netns whose inode is this process's network namespace, or "default". */
    static String netnsName() {
        String id = ControlSocket.netnsId();
        Path dir = Path.of("/run/netns");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    try {
                        Object ino = Files.getAttribute(p, "unix:ino");
                        if (String.valueOf(ino).equals(id)) {
                            return p.getFileName().toString();
                        }
                    } catch (IOException | UnsupportedOperationException | IllegalArgumentException ignored) {
                        // not a namespace mount
                    }
                }
            } catch (IOException ignored) {
                // no names: the default
            }
        }
        return "default";
    }
}
