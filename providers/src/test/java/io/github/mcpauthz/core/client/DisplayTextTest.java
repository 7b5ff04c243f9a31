package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DisplayTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "\u00ad", "\u3164\u3164", "\u115f",
            "\ufe0f", "\u034f", "\u2800", "\uDB40\uDC41\uDB40\uDC42", "\u180e", "\u0301\u0302", "\u2000\u200a"})
    void namesThatRenderAsNothingAreRefused(String name) {
        assertEquals("client_name must contain at least one visible character", DisplayText.problem("client_name", name, 200));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u202eb", "a\u2066b", "a\u200fb", "a\u061cb", "a\u0007b", "a\u2028b", "a\u0085b"})
    void controlAndBidiCharactersAreRefused(String name) {
        assertEquals("client_name must not contain control or bidirectional formatting characters",
                DisplayText.problem("client_name", name, 200));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Claude", "VS Code", "客户端", "Café", "e\u0301", "👩‍💻 Agent", "مساعد"})
    void ordinaryNamesPass(String name) {
        assertNull(DisplayText.problem("client_name", name, 200));
    }

    @ParameterizedTest
    @ValueSource(strings = {"aaa"})
    void lengthCountsCodePoints(String ignored) {
        assertEquals("client_name is longer than 2 characters", DisplayText.problem("client_name", "aaa", 2));
        assertNull(DisplayText.problem("client_name", "😀😀", 2));
    }
}
