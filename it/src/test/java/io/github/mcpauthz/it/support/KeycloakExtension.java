package io.github.mcpauthz.it.support;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.Method;

/**
 * Makes sure the shared Keycloak runs before a test class starts, and injects {@link KeycloakEnvironment} and
 * {@link AdminApi} into test and lifecycle methods.
 *
 * <p>When the runtime cannot run on this machine (kc.runtime=container without a Docker engine), the class's
 * {@code @BeforeAll}/{@code @AfterAll} methods are not run and every test is aborted through {@link Assumptions}, so
 * each one is reported as skipped with the reason, rather than the class vanishing from the report.
 */
public final class KeycloakExtension implements BeforeAllCallback, BeforeEachCallback, InvocationInterceptor,
        ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            KeycloakEnvironment.get();
        } catch (TestAbortedException unavailable) {
            // reported per test in beforeEach
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String skip = skipReason(context);
        Assumptions.assumeTrue(skip == null, skip);
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
                                         ExtensionContext context) throws Throwable {
        proceedUnlessSkipped(invocation, context);
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
                                        ExtensionContext context) throws Throwable {
        proceedUnlessSkipped(invocation, context);
    }

    /**
     * Why the tests of this class do not run here: the runtime is unavailable, or the extension is inactive in this
     * Keycloak version (outside the supported range) and the class needs it. Null when they run.
     */
    private static String skipReason(ExtensionContext context) {
        String unavailable = KeycloakEnvironment.unavailable();
        if (unavailable != null) {
            return unavailable;
        }
        KeycloakIT marker = context.getRequiredTestClass().getAnnotation(KeycloakIT.class);
        if (marker != null && marker.alsoWhenInactive()) {
            return null;
        }
        KeycloakEnvironment keycloak = KeycloakEnvironment.get();
        String inactive = keycloak.inactiveReason();
        return inactive == null ? null : "needs MCP support, which is inactive on Keycloak " + keycloak.keycloakVersion()
                + ": " + inactive;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KeycloakEnvironment.class || type == AdminApi.class;
    }

    /** Null when the runtime is unavailable: the method it is for is then skipped (lifecycle) or aborted (test). */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (KeycloakEnvironment.unavailable() != null) {
            return null;
        }
        KeycloakEnvironment keycloak = KeycloakEnvironment.get();
        return parameter.getParameter().getType() == AdminApi.class ? keycloak.admin() : keycloak;
    }

    private static void proceedUnlessSkipped(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (skipReason(context) != null) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }
}
