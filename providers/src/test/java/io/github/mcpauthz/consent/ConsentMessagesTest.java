package io.github.mcpauthz.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import freemarker.template.SimpleNumber;
import freemarker.template.SimpleScalar;
import freemarker.template.TemplateMethodModelEx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.keycloak.theme.beans.MessageFormatterMethod;

class ConsentMessagesTest {

    private static final String[][] TEXTS = {
            {"plain", "Where you will be sent back"},
            {"quote", "Don''t allow"},
            {"lone-quote", "Don't allow"},
            {"braces", "'{0}' stays {0}"},
            {"choice", "{0,choice,0#none|1#one|1<many}"},
            {"number", "Registered {0,number,integer} days ago"},
            {"variable", "${plain} here"},
            {"unicode", "允许 \u200e {0}"},
            {"empty", ""},
    };

    /** Keycloak's msg as FreeMarkerLoginFormsProvider builds it: the template attributes, then the bundle. */
    private static MessageFormatterMethod keycloak(Properties bundle, Locale locale) {
        Map<Object, Object> params = new HashMap<>(Map.of("mcp", "a bean", "plain", "shadowed by the bundle"));
        params.putAll(bundle);
        return new MessageFormatterMethod(locale, params);
    }

    private static Properties bundle() {
        Properties bundle = new Properties();
        for (String[] text : TEXTS) {
            bundle.setProperty(text[0], text[1]);
        }
        return bundle;
    }

    private static List<Object> call(String key, Object... arguments) {
        List<Object> list = new ArrayList<>();
        list.add(new SimpleScalar(key));
        for (Object argument : arguments) {
            list.add(argument instanceof Number n ? new SimpleNumber(n) : new SimpleScalar(argument.toString()));
        }
        return list;
    }

    /** The text a call gives, or the exception it throws ("{0,number}" with a text argument throws in Keycloak too). */
    private static Object outcome(TemplateMethodModelEx msg, List<Object> arguments) {
        try {
            return msg.exec(arguments);
        } catch (Exception e) {
            return e.getClass() + ": " + e.getMessage();
        }
    }

    @Test
    void givesWhatKeycloaksMsgGivesForEveryKindOfCall() throws Exception {
        for (Locale locale : new Locale[]{Locale.ENGLISH, Locale.GERMANY, Locale.forLanguageTag("ar-EG"), Locale.SIMPLIFIED_CHINESE}) {
            Properties bundle = bundle();
            TemplateMethodModelEx keycloak = keycloak(bundle, locale);
            ConsentMessages cached = new ConsentMessages(keycloak, bundle, locale);
            List<List<Object>> calls = new ArrayList<>();
            for (String[] text : TEXTS) {
                calls.add(call(text[0]));
                calls.add(call(text[0], 12345));
                calls.add(call(text[0], 0));
                calls.add(call(text[0], 1));
                calls.add(call(text[0], 2.5));
                calls.add(call(text[0], 12345L));
                calls.add(call(text[0], "${plain}"));
                calls.add(call(text[0], "plain words"));
                calls.add(call(text[0], "12345"));
                calls.add(call(text[0], 7, "two"));
            }
            calls.add(call("not-in-the-bundle"));
            calls.add(call("mcp"));
            for (int twice = 0; twice < 2; twice++) {
                for (List<Object> arguments : calls) {
                    assertEquals(outcome(keycloak, arguments), outcome(cached, arguments), locale + " " + arguments);
                }
            }
        }
    }

    @Test
    void aRealmOverrideOfATextIsFormattedAnew() throws Exception {
        Properties before = bundle();
        assertEquals("Don't allow", new ConsentMessages(keycloak(before, Locale.ENGLISH), before, Locale.ENGLISH)
                .exec(call("quote")));
        Properties after = bundle();
        after.setProperty("quote", "Never ''ever'' allow");
        assertEquals("Never 'ever' allow", new ConsentMessages(keycloak(after, Locale.ENGLISH), after, Locale.ENGLISH)
                .exec(call("quote")));
    }

    @Test
    void aFullLocaleStartsAgainInsteadOfGrowing() throws Exception {
        Locale locale = Locale.forLanguageTag("x-test");
        for (int i = 0; i <= ConsentMessages.MAX_TEXTS + 10; i++) {
            // Each render builds its msg from the realm's current texts: an override edited between two renders.
            Properties bundle = new Properties();
            bundle.setProperty("k", "text " + i);
            assertEquals("text " + i, new ConsentMessages(keycloak(bundle, locale), bundle, locale).exec(call("k")));
        }
        assertEquals(11, ConsentMessages.size(locale));
    }

    @Test
    void theSameTextWithOtherArgumentsIsFormattedForThoseArguments() throws Exception {
        Properties bundle = bundle();
        ConsentMessages messages = new ConsentMessages(keycloak(bundle, Locale.ENGLISH), bundle, Locale.ENGLISH);
        assertEquals("one", messages.exec(call("choice", 1)));
        assertEquals("many", messages.exec(call("choice", 2)));
        assertEquals("none", messages.exec(call("choice", 0)));
        assertEquals("one", messages.exec(call("choice", 1)));
        assertEquals("Registered 3 days ago", messages.exec(call("number", 3)));
        assertEquals("Registered 30 days ago", messages.exec(call("number", 30)));
        assertEquals("{0} stays 3", messages.exec(call("braces", "3")));
        assertEquals("{0} stays 30", messages.exec(call("braces", "30")));
    }

    @Test
    void aCallWithALongArgumentIsKeycloaksAndNotRemembered() throws Exception {
        Locale locale = Locale.forLanguageTag("x-long");
        Properties bundle = bundle();
        TemplateMethodModelEx keycloak = keycloak(bundle, locale);
        ConsentMessages messages = new ConsentMessages(keycloak, bundle, locale);
        String longText = "x".repeat(ConsentMessages.MAX_KEY);
        assertEquals(keycloak.exec(call("braces", longText)), messages.exec(call("braces", longText)));
        assertEquals(0, ConsentMessages.size(locale));
        messages.exec(call("braces", "short"));
        assertEquals(1, ConsentMessages.size(locale));
    }
}
