# Keycloak with the extension, built once for PostgreSQL ("kc.sh build"), so the container starts with
# "start --optimized" and no build at start-up. Used by docker-compose.yml; the same build options are what the
# postgres-cluster tests prove (it/, profile postgres-cluster).
#
#   mvn -B -DskipTests package && docker compose up --build
ARG KEYCLOAK_VERSION=26.7.3

FROM quay.io/keycloak/keycloak:${KEYCLOAK_VERSION} AS builder
# Build-time options: the database vendor, health endpoints (management port 9000), and declarative-ui
# (experimental) for the extension's "mcp-servers" page in the admin console.
# Add resource-indicators,cimd to KC_FEATURES to try Keycloak's own experimental features alongside.
ENV KC_DB=postgres
ENV KC_HEALTH_ENABLED=true
ENV KC_FEATURES=declarative-ui
COPY providers/target/keycloak-mcp-authz-0.1.0-SNAPSHOT.jar /opt/keycloak/providers/keycloak-mcp-authz.jar
RUN /opt/keycloak/bin/kc.sh build

FROM quay.io/keycloak/keycloak:${KEYCLOAK_VERSION}
COPY --from=builder /opt/keycloak/ /opt/keycloak/
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CMD ["start", "--optimized"]
