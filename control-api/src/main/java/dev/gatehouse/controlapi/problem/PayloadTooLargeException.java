package dev.gatehouse.controlapi.problem;

import java.io.IOException;

/** Thrown while reading a request body that grew past the configured limit. */
public final class PayloadTooLargeException extends IOException {

    public PayloadTooLargeException(long maxBytes) {
        super("the body may be at most " + maxBytes + " bytes");
    }
}
