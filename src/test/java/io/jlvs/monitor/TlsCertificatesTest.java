package io.jlvs.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void shouldMakeSelfSignedKeystoreNamingTheListenAddressWhenNoneExists() throws IOException {
        Path ks = dir.resolve("monitor.p12");

        TlsCertificates.Keystore made = TlsCertificates.loadOrCreate(ks, TlsCertificates.passwordFileOf(ks),
                List.of("198.18.0.1"));

        assertThat(TlsCertificates.subjectAlternativeNames(made)).contains("198.18.0.1", "localhost", "127.0.0.1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ks))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(TlsCertificates.passwordFileOf(ks))))
                .isEqualTo("rw-------");
        TlsCertificates.Keystore again = TlsCertificates.loadOrCreate(ks, TlsCertificates.passwordFileOf(ks), List.of());
        assertThat(again.password()).isEqualTo(made.password());
    }

    @Test
    void shouldRefuseKeystoreWhenPasswordFileIsMissing() throws IOException {
        Path ks = dir.resolve("monitor.p12");
        Files.writeString(ks, "not a keystore");

        assertThatThrownBy(() -> TlsCertificates.loadOrCreate(ks, dir.resolve("none"), List.of()))
                .hasMessageContaining("has no password file");
    }

    @Test
    void shouldLeaveAddressesOutOfSanWhenTheyMeanEveryAddress() {
        assertThat(TlsCertificates.sanList(List.of("0.0.0.0", "lb.example", "::")))
                .isEqualTo("dns:lb.example,dns:localhost,ip:127.0.0.1,ip:::1");
    }

    @Test
    void shouldMakeTokenOnceAndKeepItWhenAskedAgain() throws IOException {
        Path f = dir.resolve("metrics-token");

        String token = TlsCertificates.loadOrCreateToken(f);

        assertThat(token).hasSize(43);
        assertThat(TlsCertificates.loadOrCreateToken(f)).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }
}
