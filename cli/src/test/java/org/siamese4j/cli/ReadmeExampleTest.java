package org.siamese4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java examples compile against the project as it is: a renamed method fails the build. */
class ReadmeExampleTest {
    /** A fenced Java block that declares a public class. */
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");

    @Test
    void theReadmesJavaExamplesCompile(@TempDir Path dir) throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        List<Path> sources = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(text);
        while (m.find()) {
            Matcher name = CLASS_NAME.matcher(m.group(1));
            assertTrue(name.find(), "every Java block of the README is a whole class:\n" + m.group(1));
            sources.add(Files.writeString(dir.resolve(name.group(1) + ".java"), m.group(1), StandardCharsets.UTF_8));
        }
        assertTrue(sources.stream().anyMatch(p -> p.getFileName().toString().equals("NameTheFaces.java")),
                "the README shows the faces API: " + sources);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "a JDK, not a JRE, runs the tests");
        List<String> args = new ArrayList<>(List.of("-d", dir.resolve("classes").toString(),
                "-cp", System.getProperty("java.class.path"), "--add-modules", "jdk.incubator.vector", "-proc:none"));
        sources.forEach(p -> args.add(p.toString()));
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int code = compiler.run(null, null, errors, args.toArray(String[]::new));
        assertEquals(0, code, "the README's examples do not compile:\n" + errors.toString(StandardCharsets.UTF_8));
    }
}
