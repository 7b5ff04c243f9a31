package io.github.mcpauthz.consent;

import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModelException;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MCP consent page's {@code msg}: Keycloak's, with the formatted text of a message without arguments remembered.
 *
 * <p>Keycloak's {@code msg(key)} looks the key up, resolves {@code ${...}} in the text and formats it with a new
 * {@link MessageFormat} on every call; the consent page prints about twenty fixed texts, so that was the larger part
 * of what its template cost over Keycloak's own consent page. Here a call with only a key, whose text is in the page's
 * message bundle and has no {@code ${}}, gives the remembered result of exactly that formatting, keyed by the locale
 * and the text itself (not the key), so a realm's localization override is a new text and formatted anew. Every other
 * call (arguments, {@code ${}} in the text, a key missing from the bundle) is Keycloak's {@code msg}.
 */
final class ConsentMessages implements TemplateMethodModelEx {

    /** Texts remembered per locale; a locale's map starts again when it reaches this size (overrides edited often). */
    static final int MAX_TEXTS = 4096;

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
        if (arguments.size() == 1 && locale != null && bundle != null
                && bundle.get(arguments.get(0).toString()) instanceof String text && !text.contains("${")) {
            Map<String, String> texts = FORMATTED.computeIfAbsent(locale, l -> new ConcurrentHashMap<>());
            String formatted = texts.get(text);
            if (formatted == null) {
                if (texts.size() >= MAX_TEXTS) {
                    texts.clear();
                }
                formatted = new MessageFormat(text, locale).format(new Object[0]);
                texts.put(text, formatted);
            }
            return formatted;
        }
        return keycloak.exec(arguments);
    }

    /** How many texts are remembered for a locale. */
    static int size(Locale locale) {
        Map<String, String> texts = FORMATTED.get(locale);
        return texts == null ? 0 : texts.size();
    }
}
