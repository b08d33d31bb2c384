package dev.gatehouse.controlapi.web;

/** Patterns shared by request records. */
public final class TextRules {

    /** Text with at least one character that is not white space; for a name that may be left out but not blanked. */
    public static final String NOT_BLANK = "(?s).*\\S.*";

    private TextRules() {
    }
}
