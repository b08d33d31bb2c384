package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * The rules for login names and passwords. Login names are NFKC-folded and lower-cased, then must
 * be plain ASCII letters, digits, '.', '_' or '-': a look-alike from another script cannot pose as
 * an existing name. Passwords may be any Unicode text (no 72-byte cut-off: Argon2 reads it all).
 */
@Component
public class Credentials {

    private static final Pattern USERNAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{2,63}$");

    private final int minLength;
    private final int maxLength;

    Credentials(ControlApiProperties properties) {
        this.minLength = properties.passwords().minLength();
        this.maxLength = properties.passwords().maxLength();
    }

    /** The canonical form of a login name; 400 naming the field when it is not acceptable. */
    public static String username(String field, String raw) {
        if (raw == null || raw.isEmpty()) {
            throw ApiException.invalid(field, "is required");
        }
        if (raw.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(field, "must not contain control characters");
        }
        String folded = Normalizer.normalize(raw, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(folded).matches()) {
            throw ApiException.invalid(field,
                    "use 3 to 64 characters: letters a-z, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return folded;
    }

    /** Checks a new password; 400 naming the field when it is not acceptable. */
    public void checkNewPassword(String field, String password, String username) {
        if (password == null) {
            throw ApiException.invalid(field, "is required");
        }
        if (password.indexOf('\0') >= 0) {
            throw ApiException.invalid(field, "must not contain NUL characters");
        }
        int length = password.codePointCount(0, password.length());
        if (length < minLength) {
            throw ApiException.invalid(field, "must be at least " + minLength + " characters");
        }
        if (length > maxLength || password.getBytes(StandardCharsets.UTF_8).length > maxLength * 4) {
            throw ApiException.invalid(field, "must be at most " + maxLength + " characters");
        }
        if (username != null && password.equalsIgnoreCase(username)) {
            throw ApiException.invalid(field, "must not be the username");
        }
    }

    /** A presented password is bounded before it is hashed, so a huge one cannot cost a hash. */
    public void checkPresentedPassword(String field, String password) {
        if (password == null || password.isEmpty()) {
            throw ApiException.invalid(field, "is required");
        }
        if (password.length() > maxLength * 2) {
            throw ApiException.invalid(field, "is too long");
        }
    }
}
