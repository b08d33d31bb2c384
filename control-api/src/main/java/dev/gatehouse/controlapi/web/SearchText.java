package dev.gatehouse.controlapi.web;

import java.util.Locale;

/** Turns the text of a list's {@code q} parameter into a case-insensitive LIKE pattern, wildcards escaped. */
public final class SearchText {

    private SearchText() {
    }

    /** {@code %text%}, lower-cased, with \, % and _ escaped; null when there is nothing to search for. */
    public static String containsPattern(String q) {
        if (q == null || q.isBlank()) {
            return null;
        }
        return "%" + q.trim().toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                .replace("_", "\\_") + "%";
    }
}
