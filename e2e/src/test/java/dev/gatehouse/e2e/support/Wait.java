package dev.gatehouse.e2e.support;

import java.util.concurrent.Callable;

/** Polls a condition until it holds or the deadline passes; the failure says what was awaited. */
public final class Wait {

    private Wait() {
    }

    public static void until(String what, int seconds, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        throw new AssertionError("not within " + seconds + " s: " + what
                + (last == null ? "" : " (last attempt: " + last + ")"), last);
    }
}
