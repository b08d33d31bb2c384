package dev.gatehouse.controlapi.auth;

import org.springframework.security.core.AuthenticationException;

/** A bearer token that is refused; the message is safe to show to the client. */
class InvalidTokenException extends AuthenticationException {

    InvalidTokenException(String reason) {
        super(reason);
    }
}
