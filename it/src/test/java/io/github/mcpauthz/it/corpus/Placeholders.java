package io.github.mcpauthz.it.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.mcpauthz.it.support.Json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands the corpus placeholders: {@code ${name}} from a table ({@code canaryPort}, {@code server}, ...),
 * {@code ${repeat:X:N}} (X repeated N times) and {@code ${repeatWords:W:N}} (N words W1 W2 ... separated by spaces).
 * A JSON string that is exactly {@code ${name}} of a JSON value ({@code ${jwks}}) becomes that value. An unknown
 * placeholder is an error, so a typo in the corpus cannot silently send the literal text.
 */
public final class Placeholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9]+)(?::([^:}]*):([0-9]+))?}");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, JsonNode> jsonValues = new LinkedHashMap<>();

    public Placeholders() {
    }

    private Placeholders(Placeholders parent) {
        values.putAll(parent.values);
        jsonValues.putAll(parent.jsonValues);
    }

    /** A copy to add per-case values to. */
    public Placeholders with(String name, String value) {
        Placeholders copy = new Placeholders(this);
        copy.values.put(name, value);
        return copy;
    }

    public Placeholders put(String name, String value) {
        values.put(name, value);
        return this;
    }

    public Placeholders putJson(String name, Object value) {
        jsonValues.put(name, Json.MAPPER.valueToTree(value));
        return this;
    }

    public String get(String name) {
        return values.get(name);
    }

    public String expand(String text) {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String replacement;
            if (matcher.group(3) != null) {
                int count = Integer.parseInt(matcher.group(3));
                String unit = matcher.group(2);
                if (name.equals("repeat")) {
                    replacement = unit.repeat(count);
                } else if (name.equals("repeatWords")) {
                    StringJoiner words = new StringJoiner(" ");
                    for (int i = 0; i < count; i++) {
                        words.add(unit + i);
                    }
                    replacement = words.toString();
                } else {
                    throw new IllegalArgumentException("unknown placeholder function " + matcher.group());
                }
            } else {
                replacement = values.get(name);
                if (replacement == null) {
                    throw new IllegalArgumentException("unknown placeholder " + matcher.group() + " in " + text);
                }
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    public JsonNode expand(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String text = node.asText();
            Matcher whole = PLACEHOLDER.matcher(text);
            if (whole.matches() && whole.group(3) == null && jsonValues.containsKey(whole.group(1))) {
                return jsonValues.get(whole.group(1)).deepCopy();
            }
            return TextNode.valueOf(expand(text));
        }
        if (node.isArray()) {
            ArrayNode array = Json.MAPPER.createArrayNode();
            node.forEach(element -> array.add(expand(element)));
            return array;
        }
        if (node.isObject()) {
            ObjectNode object = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(field -> object.set(field.getKey(), expand(field.getValue())));
            return object;
        }
        return node.deepCopy();
    }
}
