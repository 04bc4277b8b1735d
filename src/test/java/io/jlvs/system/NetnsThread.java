package io.jlvs.system;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One platform thread moved into a named network namespace with {@code setns(2)}: sockets, netlink
 * and bpf objects it creates belong to that namespace, so a test can drive jlvs's transport classes
 * in-process inside a namespace it made. Other threads of the JVM stay where they are.
 */
final class NetnsThread implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final ExecutorService executor;

    NetnsThread(String namespace) throws Exception {
        executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("netns-" + namespace).unstarted(r));
        executor.submit(() -> {
            try (Arena arena = Arena.ofConfined()) {
                enter(arena, namespace);
            }
            return null;
        }).get(10, TimeUnit.SECONDS);
    }

    private static void enter(Arena arena, String namespace) {
        try {
            {
                int fd = (int) OPEN.invokeExact(arena.allocateFrom("/run/netns/" + namespace), 0);
                if (fd < 0) {
                    throw new IllegalStateException("open /run/netns/" + namespace + " failed");
                }
                int r = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                int ignored = (int) CLOSE.invokeExact(fd);
                if (r != 0) {
                    throw new IllegalStateException("setns(" + namespace + ") failed");
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    <T> T call(Callable<T> task) throws Exception {
        return executor.submit(task).get(60, TimeUnit.SECONDS);
    }

    <T> Future<T> submit(Callable<T> task) {
        return executor.submit(task);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
