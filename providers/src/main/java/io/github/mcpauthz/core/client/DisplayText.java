package io.github.mcpauthz.core.client;

/**
 * What a client-chosen text shown to users ({@code client_name}, {@code software_id}, ...) may contain. One place for
 * the rule, so registration, metadata documents and the consent page agree: no control characters, no
 * bidirectional formatting (which can reorder what the user reads), and at least one visible character (a name of
 * only zero-width or other invisible characters renders as nothing).
 */
public final class DisplayText {

    private DisplayText() {
    }

    /** A control character (C0, DEL, C1) or a line/paragraph separator. */
    public static boolean isControl(int codePoint) {
        return Character.isISOControl(codePoint) || codePoint == 0x2028 || codePoint == 0x2029;
    }

    /** Bidirectional embedding, override and isolate controls, and the implicit direction marks. */
    public static boolean isBidiControl(int codePoint) {
        return (codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069)
                || codePoint == 0x200e || codePoint == 0x200f || codePoint == 0x061c;
    }

    /**
     * A character that takes no visible space on its own: whitespace, format characters (zero-width space, joiners,
     * word joiner, BOM, soft hyphen, tag characters, ...), variation selectors, combining marks without a base,
     * Hangul and braille blanks, and unassigned or private-use code points.
     */
    public static boolean isInvisible(int codePoint) {
        if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
            return true;
        }
        switch (Character.getType(codePoint)) {
            case Character.FORMAT, Character.CONTROL, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE,
                 Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK:
                return true;
            default:
                break;
        }
        return (codePoint >= 0xfe00 && codePoint <= 0xfe0f) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef)
                || codePoint == 0x115f || codePoint == 0x1160 || codePoint == 0x3164 || codePoint == 0xffa0
                || codePoint == 0x2800 || codePoint == 0x180e || codePoint == 0x034f;
    }

    /** Whether the text has a control or bidirectional formatting character. */
    public static boolean hasControlOrBidi(String text) {
        return text.codePoints().anyMatch(cp -> isControl(cp) || isBidiControl(cp));
    }

    /** Whether the text shows at least one visible character. */
    public static boolean hasVisibleCharacter(String text) {
        return text.codePoints().anyMatch(cp -> !isInvisible(cp));
    }

    /** The problem with a text shown to users, or null when it is fine. */
    public static String problem(String field, String value, int maxCodePoints) {
        if (value.codePointCount(0, value.length()) > maxCodePoints) {
            return field + " is longer than " + maxCodePoints + " characters";
        }
        if (hasControlOrBidi(value)) {
            return field + " must not contain control or bidirectional formatting characters";
        }
        if (!hasVisibleCharacter(value)) {
            return field + " must contain at least one visible character";
        }
        return null;
    }
}
