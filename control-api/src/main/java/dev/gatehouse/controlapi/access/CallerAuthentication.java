package dev.gatehouse.controlapi.access;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/** The authenticated form of a request: its {@link Caller}. */
public final class CallerAuthentication extends AbstractAuthenticationToken {

    private final Caller caller;

    public CallerAuthentication(Caller caller) {
        super(List.of());
        this.caller = caller;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }
}
