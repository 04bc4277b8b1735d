package io.jlvs.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserStoreTest {
    @TempDir
    Path dir;

    private final PasswordHasher hasher = new PasswordHasher(1000);

    @Test
    void shouldFindUserWhenAdded() throws IOException {
        UserStore store = new UserStore(dir.resolve("users"));
        store.add("alice", Role.OPERATOR, hasher.hash("pw-alice-1".toCharArray()));

        UserStore.User u = new UserStore(dir.resolve("users")).find("alice").orElseThrow();

        assertThat(u.role()).isEqualTo(Role.OPERATOR);
        assertThat(PasswordHasher.verify("pw-alice-1".toCharArray(), u.passwordHash())).isTrue();
    }

    @Test
    void shouldWriteFileOnlyOwnerCanReadWhenAdding() throws IOException {
        Path f = dir.resolve("etc/jlvs/users");
        new UserStore(f).add("bob", Role.VIEWER, hasher.hash("pw".toCharArray()));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readString(f)).contains("bob:viewer:pbkdf2-sha256$");
    }

    @Test
    void shouldRefuseWhenNameExistsOrIsInvalid() throws IOException {
        UserStore store = new UserStore(dir.resolve("users"));
        store.add("alice", Role.VIEWER, hasher.hash("pw".toCharArray()));

        assertThatThrownBy(() -> store.add("alice", Role.VIEWER, hasher.hash("pw".toCharArray())))
                .hasMessageContaining("user exists: user=alice");
        assertThatThrownBy(() -> store.add("a:b", Role.VIEWER, hasher.hash("pw".toCharArray())))
                .hasMessageContaining("user name must be");
    }

    @Test
    void shouldForgetUserWhenDeleted() throws IOException {
        UserStore store = new UserStore(dir.resolve("users"));
        store.add("alice", Role.VIEWER, hasher.hash("pw".toCharArray()));
        store.add("bob", Role.VIEWER, hasher.hash("pw".toCharArray()));

        store.delete("alice");

        assertThat(store.find("alice")).isEmpty();
        assertThat(store.list()).extracting(UserStore.User::name).containsExactly("bob");
        assertThatThrownBy(() -> store.delete("alice")).hasMessageContaining("no such user");
    }

    @Test
    void shouldReplacePasswordAndKeepRoleWhenUpdatedWithoutRole() throws IOException {
        UserStore store = new UserStore(dir.resolve("users"));
        store.add("alice", Role.OPERATOR, hasher.hash("old".toCharArray()));

        store.update("alice", null, hasher.hash("new".toCharArray()));

        UserStore.User u = store.find("alice").orElseThrow();
        assertThat(u.role()).isEqualTo(Role.OPERATOR);
        assertThat(PasswordHasher.verify("new".toCharArray(), u.passwordHash())).isTrue();
        assertThat(PasswordHasher.verify("old".toCharArray(), u.passwordHash())).isFalse();
    }

    @Test
    void shouldSeeChangeWhenAnotherProcessRewritesTheFile() throws IOException {
        Path f = dir.resolve("users");
        UserStore monitor = new UserStore(f);
        new UserStore(f).add("alice", Role.VIEWER, hasher.hash("pw".toCharArray()));
        assertThat(monitor.find("alice")).isPresent();

        new UserStore(f).add("carol", Role.VIEWER, hasher.hash("pw".toCharArray()));
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));

        assertThat(monitor.find("carol")).isPresent();
    }

    @Test
    void shouldNameFileAndLineWhenFileIsMalformed() throws IOException {
        Path f = dir.resolve("users");
        Files.writeString(f, "# users\nalice:admin:xyz\n");

        assertThatThrownBy(() -> new UserStore(f).find("alice"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f + ":2: unknown role: role=admin");
    }

    @Test
    void shouldReadAsEmptyWhenFileIsMissing() throws IOException {
        assertThat(new UserStore(dir.resolve("none")).list()).isEmpty();
    }
}
