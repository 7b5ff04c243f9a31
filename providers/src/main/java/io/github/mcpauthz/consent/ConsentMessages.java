package io.github.mcpauthz.consent;

import freemarker.template.SimpleNumber;
import freemarker.template.SimpleScalar;
import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModelException;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MCP consent page's {@code msg}: Keycloak's, with its results remembered.
 *
 * <p>Keycloak's {@code msg(key, args...)} looks the key up, resolves {@code ${...}} in the text and in text arguments
 * and formats the text with a new {@link MessageFormat} on every call; the consent page prints about twenty fixed
 * texts and one with a number in a choice format (how long ago the client registered), so that was the larger part of
 * what its template cost over Keycloak's own consent page. Here a call whose text is in the page's message bundle, has
 * no {@code ${}}, and whose arguments are numbers or texts without {@code ${}}, gives the remembered result of
 * Keycloak's {@code msg} for the same text and arguments, keyed by the locale, the text itself (not the key: a realm's
 * localization override is a new text, formatted anew) and each argument with its type. Every other call
 * ({@code ${}} in the text or an argument, other argument types, a key missing from the bundle, a key over
 * {@value #MAX_KEY} characters) is Keycloak's {@code msg}.
 */
final class ConsentMessages implements TemplateMethodModelEx {

    /** Texts remembered per locale; a locale's map starts again when it reaches this size (overrides edited often). */
    static final int MAX_TEXTS = 4096;

    /** Longest key (text and arguments) remembered, in characters. */
    static final int MAX_KEY = 1024;

    private static final Map<Locale, Map<String, String>> FORMATTED = new ConcurrentHashMap<>();

    private final TemplateMethodModelEx keycloak;
    private final Properties bundle;
    private final Locale locale;

    ConsentMessages(TemplateMethodModelEx keycloak, Properties bundle, Locale locale) {
        this.keycloak = keycloak;
        this.bundle = bundle;
        this.locale = locale;
    }

    @Override
    public Object exec(@SuppressWarnings("rawtypes") List arguments) throws TemplateModelException {
        String key = key(arguments);
        if (key == null) {
            return keycloak.exec(arguments);
        }
        Map<String, String> texts = FORMATTED.computeIfAbsent(locale, l -> new ConcurrentHashMap<>());
        String formatted = texts.get(key);
        if (formatted == null) {
            formatted = (String) keycloak.exec(arguments);
            if (texts.size() >= MAX_TEXTS) {
                texts.clear();
            }
            texts.put(key, formatted);
        }
        return formatted;
    }

    /**
     * The remembered result's key: the text and each argument with its type, each with its length (no two calls share
     * a key); null when the call is not remembered.
     */
    private String key(List<?> arguments) {
        if (arguments.isEmpty() || locale == null || bundle == null
                || !(bundle.get(arguments.get(0).toString()) instanceof String text) || text.contains("${")) {
            return null;
        }
        StringBuilder key = new StringBuilder().append(text.length()).append(':').append(text);
        for (Object argument : arguments.subList(1, arguments.size())) {
            String value;
            if (argument instanceof SimpleNumber number) {
                key.append('n').append(number.getAsNumber().getClass().getName()).append(':');
                value = number.getAsNumber().toString();
            } else if (argument instanceof SimpleScalar scalar && !scalar.getAsString().contains("${")) {
                key.append('s');
                value = scalar.getAsString();
            } else {
                return null;
            }
            key.append(value.length()).append(':').append(value);
        }
        return key.length() > MAX_KEY ? null : key.toString();
    }

    /** How many texts are remembered for a locale. */
    static int size(Locale locale) {
        Map<String, String> texts = FORMATTED.get(locale);
        return texts == null ? 0 : texts.size();
    }
}
