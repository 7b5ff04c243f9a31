package io.github.mcpauthz.it.support;

/** Someone who logs in at Keycloak's login page. */
public record User(String username, String password) {

    /** The demo user of the sample realm. */
    public static final User ALICE = new User("alice", "alice");
}
