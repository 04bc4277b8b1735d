package io.jlvs.keepalived;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Signal handlers through {@code sun.misc.Signal} (module jdk.unsupported, the documented way for an
 * application to catch SIGHUP; {@code jdk.internal.misc.Signal} is not accessible). Reached reflectively so
 * the build carries no proprietary-API warning. SIGTERM and SIGINT stay with the JVM, whose shutdown hooks
 * run the daemon's stop.
 */
final class Signals {
    private Signals() {}

    /**
     * Runs {@code action} on each delivery of signal {@code name} ("HUP", "USR1").
     *
     * @throws IllegalStateException when the JVM does not offer the handler
     */
    static void on(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Constructor<?> ctor = signal.getConstructor(String.class);
            Object sig = ctor.newInstance(name);
            Object h = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        if (method.getName().equals("toString")) {
                            return "jlvs keepalived handler for SIG" + name;
                        }
                        if (method.getName().equals("hashCode")) {
                            return System.identityHashCode(proxy);
                        }
                        if (method.getName().equals("equals")) {
                            return proxy == args[0];
                        }
                        return null;
                    });
            Method handle = signal.getMethod("handle", signal, handler);
            handle.invoke(null, sig, h);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + e, e);
        }
    }
}
