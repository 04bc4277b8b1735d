package io.jlvs.keepalived;

/** Entry point of {@code bin/keepalived} (temporary: -t only). */
public final class KeepalivedMain {
    private KeepalivedMain() {}

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.UsageException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.usage("keepalived"));
            System.exit(1);
            return;
        }
        if (o.configTest()) {
            System.exit(ConfigTest.run(o.configFile(), o.configId(), o.configTestOutput(), System.err));
        }
    }
}
