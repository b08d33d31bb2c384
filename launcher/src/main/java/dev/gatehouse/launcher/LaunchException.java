package dev.gatehouse.launcher;

/** A reason the control plane cannot start, worded for the operator at the terminal. */
final class LaunchException extends RuntimeException {

    LaunchException(String message) {
        super(message);
    }

    LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
