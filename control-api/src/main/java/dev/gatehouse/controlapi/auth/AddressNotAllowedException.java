package dev.gatehouse.controlapi.auth;

import org.springframework.security.core.AuthenticationException;

/** An administrator's valid token used from outside the admin allow-list. */
class AddressNotAllowedException extends AuthenticationException {

    AddressNotAllowedException() {
        super("administrators may not use the API from this address");
    }
}
