package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The console's templates escape every value: none writes one unescaped, none carries a script of its own. */
class ConsoleTemplatesTest {

    @Test
    void noTemplateWritesAValueUnescapedOrInlinesAScript() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("src/main/jte-console"))) {
            files = s.filter(p -> p.toString().endsWith(".jte")).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            String t = Files.readString(f);
            assertThat(t).as(f.toString()).doesNotContain("$unsafe").doesNotContain("<script>")
                    .doesNotContainPattern("(?i)\\son[a-z]+=");
        }
    }
}
