package io.jlvs.keepalived;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** keepalived's command line as getopt_long reads it: bundled short options, attached values, long prefixes. */
class OptionsTest {
    @Test
    void shouldUseKeepalivedsDefaultsWhenGivenNoOption() throws Exception {
        Options o = Options.parse(new String[0]);
        assertThat(o.configFile()).isEqualTo("/etc/keepalived/keepalived.conf");
        assertThat(o.pidFile()).isEqualTo("/run/keepalived.pid");
        assertThat(o.configTest()).isFalse();
        assertThat(o.dontFork()).isFalse();
    }

    @Test
    void shouldReadBundledShortOptionsWhenTheLastTakesTheNextArgument() throws Exception {
        Options o = Options.parse(new String[] {"-nlDf", "/tmp/k.conf", "-p/tmp/k.pid"});
        assertThat(o.dontFork()).isTrue();
        assertThat(o.logConsole()).isTrue();
        assertThat(o.logDetail()).isTrue();
        assertThat(o.configFile()).isEqualTo("/tmp/k.conf");
        assertThat(o.pidFile()).isEqualTo("/tmp/k.pid");
    }

    @Test
    void shouldTakeConfigTestOutputOnlyWhenAttachedBecauseItsArgumentIsOptional() throws Exception {
        Options attached = Options.parse(new String[] {"-t/tmp/out", "-f", "x.conf"});
        assertThat(attached.configTest()).isTrue();
        assertThat(attached.configTestOutput()).isEqualTo("/tmp/out");
        Options bare = Options.parse(new String[] {"-t", "-f", "x.conf"});
        assertThat(bare.configTestOutput()).isNull();
        assertThat(bare.configFile()).isEqualTo("x.conf");
    }

    @Test
    void shouldAcceptLongOptionsAndUniquePrefixesWhenGivenWithOrWithoutEquals() throws Exception {
        Options o = Options.parse(new String[] {"--use-file=a.conf", "--dont-fork", "--log-det", "--check",
                "--pid", "/tmp/p"});
        assertThat(o.configFile()).isEqualTo("a.conf");
        assertThat(o.dontFork()).isTrue();
        assertThat(o.logDetail()).isTrue();
        assertThat(o.checkersOnly()).isTrue();
        assertThat(o.pidFile()).isEqualTo("/tmp/p");
    }

    @Test
    void shouldRefuseWhenAnOptionIsUnknownOrMissesItsValue() {
        assertThatThrownBy(() -> Options.parse(new String[] {"-Z"})).isInstanceOf(Options.UsageException.class)
                .hasMessageContaining("-Z");
        assertThatThrownBy(() -> Options.parse(new String[] {"-f"})).isInstanceOf(Options.UsageException.class)
                .hasMessageContaining("-f");
        assertThatThrownBy(() -> Options.parse(new String[] {"--dont-fork=yes"}))
                .isInstanceOf(Options.UsageException.class);
        assertThatThrownBy(() -> Options.parse(new String[] {"stray"})).isInstanceOf(Options.UsageException.class);
    }

    @Test
    void shouldRefuseNamespaceOptionWhenGivenBecauseJlvsRunsInsideTheNamespace() {
        assertThatThrownBy(() -> Options.parse(new String[] {"-s", "ns1"}))
                .isInstanceOf(Options.UsageException.class).hasMessageContaining("ip netns exec");
    }
}
