package dev.gatehouse.controlapi.web;

import java.io.IOException;

/** Thrown while reading a request body that grew past the configured limit. */
public final class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long maxBytes) {
        super("the body may be at most " + maxBytes + " bytes");
    }
}
