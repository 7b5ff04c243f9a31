package io.github.mcpauthz.bench;

/** The two Keycloaks of a run. */
enum Side {
    STOCK("stock", "stock Keycloak (audience mapper per server)"),
    JAR("jar", "Keycloak + keycloak-mcp-authz");

    final String id;
    final String label;

    Side(String id, String label) {
        this.id = id;
        this.label = label;
    }
}
