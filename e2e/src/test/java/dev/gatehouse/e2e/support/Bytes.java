package dev.gatehouse.e2e.support;

/** Bytes up (from the person) and down (to the person), as a core or the API counts them. */
public record Bytes(long up, long down) {

    public static final Bytes ZERO = new Bytes(0, 0);

    public Bytes plus(Bytes other) {
        return new Bytes(up + other.up, down + other.down);
    }

    public long total() {
        return up + down;
    }
}
