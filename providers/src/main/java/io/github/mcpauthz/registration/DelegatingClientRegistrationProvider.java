package io.github.mcpauthz.registration;

import io.github.mcpauthz.core.client.ClientMetadataException;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.clientregistration.AbstractClientRegistrationProvider;
import org.keycloak.services.clientregistration.ClientRegistrationAuth;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;

/**
 * Base of the registration endpoints that sit in front of one of Keycloak's: Keycloak's provider does the work,
 * and keeps the auth and event Keycloak hands the endpoint.
 */
abstract class DelegatingClientRegistrationProvider<T extends AbstractClientRegistrationProvider> implements ClientRegistrationProvider {

    protected final T delegate;

    protected DelegatingClientRegistrationProvider(T delegate) {
        this.delegate = delegate;
    }

    /** Records a refused request as an event and returns the RFC 7591 {@code invalid_client_metadata} answer. */
    protected ErrorResponseException refuse(EventType type, String description) {
        EventBuilder event = delegate.getEvent();
        if (event != null) {
            event.event(type).detail(Details.REASON, description).error(ClientMetadataException.INVALID_CLIENT_METADATA);
        }
        return new ErrorResponseException(ClientMetadataException.INVALID_CLIENT_METADATA, description,
                Response.Status.BAD_REQUEST);
    }

    @Override
    public void setAuth(ClientRegistrationAuth auth) {
        delegate.setAuth(auth);
    }

    @Override
    public ClientRegistrationAuth getAuth() {
        return delegate.getAuth();
    }

    @Override
    public void setEvent(EventBuilder event) {
        delegate.setEvent(event);
    }

    @Override
    public EventBuilder getEvent() {
        return delegate.getEvent();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
