package dev.gatehouse.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesAndEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u0001");
        m.put("n", 42);
        m.put("b", true);
        m.put("z", null);
        m.put("l", List.of("x", 1));
        assertThat(Json.write(m)).isEqualTo("{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":42,\"b\":true,\"z\":null,\"l\":[\"x\",1]}");
    }
}
