package io.jlvs.ipvsadm;

import io.jlvs.control.Errno;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Directors that differ from the in-process one in one respect: a call they lack, a call they refuse. */
final class ApiProxies {
    private ApiProxies() {}

    /** A director without some calls (an older one): they answer EOPNOTSUPP, as a kernel without the command. */
    static IpvsApi without(IpvsApi api, String... methods) {
        Set<String> missing = Set.of(methods);
        return proxy(api, name -> missing.contains(name) ? Errno.EOPNOTSUPP : null);
    }

    /** A director that refuses the {@code nth} (1-based) call of one method with {@code errno}. */
    static IpvsApi refusingCall(IpvsApi api, String method, int nth, Errno errno) {
        AtomicInteger calls = new AtomicInteger();
        return proxy(api, name -> name.equals(method) && calls.incrementAndGet() == nth ? errno : null);
    }

    private interface Rule {
        Errno refusal(String method);
    }

    private static IpvsApi proxy(IpvsApi api, Rule rule) {
        return (IpvsApi) Proxy.newProxyInstance(ApiProxies.class.getClassLoader(), new Class<?>[] {IpvsApi.class},
                (proxy, method, args) -> {
                    Errno errno = rule.refusal(method.getName());
                    if (errno != null) {
                        throw new IpvsException(errno, "refused by the test: " + method.getName());
                    }
                    try {
                        return method.invoke(api, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
