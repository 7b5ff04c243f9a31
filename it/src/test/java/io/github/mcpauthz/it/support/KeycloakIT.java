package io.github.mcpauthz.it.support;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a test class that runs against the shared Keycloak of this test run. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KeycloakExtension.class)
public @interface KeycloakIT {

    /**
     * Whether the class also runs when the extension is inactive because the Keycloak under test is outside the
     * supported range (see {@link KeycloakEnvironment#inactiveReason()}). Classes that need MCP support (resource
     * binding, the MCP consent page, the registration rules, CIMD) leave it false and are then reported as skipped
     * with the server's reason, which names the version and the Keycloak APIs it lacks.
     */
    boolean alsoWhenInactive() default false;
}
