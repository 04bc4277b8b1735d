package io.jlvs.monitor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The monitor's TLS key and certificate: a PKCS#12 keystore the operator configures, or, on first start when
 * none exists, a self-signed one made with the JDK's own {@code keytool} (EC P-256, 825 days, the listen address,
 * {@code localhost} and the host name as subject alternative names). Its password is random and kept in a
 * file beside it, mode 0600.
 */
public final class TlsCertificates {
    public static final String ALIAS = "jlvs-monitor";

    /** A keystore and its password. */
    public record Keystore(Path path, String password) {}

    private TlsCertificates() {}

    /** The password file that goes with a keystore: {@code monitor.p12} → {@code monitor.p12.pass}. */
    public static Path passwordFileOf(Path keystore) {
        return keystore.resolveSibling(keystore.getFileName() + ".pass");
    }

    /**
     * The keystore at {@code path}, made self-signed when it does not exist yet.
     *
     * @param names extra subject alternative names: IP literals or DNS names
     * @return the keystore and whether it was just generated
     */
    public static Keystore loadOrCreate(Path path, Path passwordFile, List<String> names) throws IOException {
        if (Files.exists(path)) {
            if (!Files.exists(passwordFile)) {
                throw new IOException("monitor: keystore " + path + " has no password file " + passwordFile);
            }
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            check(path, password);
            return new Keystore(path, password);
        }
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String password = SessionStore.randomToken();
        writePrivate(passwordFile, password + "\n");
        List<String> cmd = new ArrayList<>(List.of(keytool(), "-genkeypair", "-noprompt", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "825",
                "-dname", "CN=jlvs monitor", "-ext", "SAN=" + sanList(names), "-ext", "KeyUsage=digitalSignature",
                "-ext", "ExtendedKeyUsage=serverAuth", "-keystore", path.toString(), "-storetype", "PKCS12",
                "-storepass:file", passwordFile.toString(), "-keypass:file", passwordFile.toString()));
        Path log = Files.createTempFile("jlvs-keytool-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("monitor: keytool did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("monitor: keytool failed (exit " + p.exitValue() + "): "
                        + Files.readString(log).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("monitor: interrupted while generating the certificate", e);
        } finally {
            Files.deleteIfExists(log);
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        check(path, password);
        return new Keystore(path, password);
    }

    /** {@code dns:localhost,ip:127.0.0.1,…}: the names given, localhost and the loopback addresses. */
    static String sanList(List<String> names) {
        Set<String> entries = new LinkedHashSet<>();
        for (String n : names) {
            if (n == null || n.isBlank() || n.equals("0.0.0.0") || n.equals("::")) {
                continue;
            }
            entries.add(isIpLiteral(n) ? "ip:" + n : "dns:" + n);
        }
        entries.add("dns:localhost");
        entries.add("ip:127.0.0.1");
        entries.add("ip:::1");
        return String.join(",", entries);
    }

    private static boolean isIpLiteral(String s) {
        try {
            java.net.InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The subject alternative names of the keystore's certificate (for tests and the startup log). */
    public static List<String> subjectAlternativeNames(Keystore ks) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(ks.path())) {
                store.load(in, ks.password().toCharArray());
            }
            X509Certificate cert = (X509Certificate) store.getCertificate(ALIAS);
            List<String> out = new ArrayList<>();
            if (cert != null && cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    out.add(String.valueOf(san.get(1)));
                }
            }
            return Collections.unmodifiableList(out);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("monitor: cannot read keystore " + ks.path() + ": " + e.getMessage(), e);
        }
    }

    private static void check(Path path, String password) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(path)) {
                store.load(in, password.toCharArray());
            }
            if (!store.aliases().hasMoreElements()) {
                throw new IOException("monitor: keystore " + path + " holds no key");
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("monitor: keystore " + path + " cannot be opened with its password: " + e.getMessage(), e);
        }
    }

    private static String keytool() {
        Path p = Path.of(System.getProperty("java.home"), "bin", "keytool");
        return Files.isExecutable(p) ? p.toString() : "keytool";
    }

    /** Writes a file only its owner can read (created so, never world-readable in between). */
    static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** The metrics bearer token in {@code file}, generated (32 random bytes, base64url) when missing. */
    public static String loadOrCreateToken(Path file) throws IOException {
        if (Files.exists(file)) {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.length() < 16) {
                throw new IOException("monitor: metrics token in " + file + " is shorter than 16 characters");
            }
            return token;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        String token = SessionStore.randomToken();
        writePrivate(file, token + "\n");
        return token;
    }
}
