package org.siamese4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;

/** The command framework in-process: parsing, validation, help, JSON errors and exit codes. */
class MainTest {
    enum Color { DARK_RED, LIGHT_BLUE }

    static final Option<Integer> COUNT = Option.value("count", "N", ValueParser.positiveInt(), "how many").defaultValue(3);
    static final Option<Double> RATE = Option.value("rate", "X", ValueParser.positiveDouble(), "a rate");
    static final Option<Path> FILE = Option.value("file", "FILE", ValueParser.path(), "a file").repeatable();
    static final Option<Color> COLOR = Option.value("color", "NAME", ValueParser.enumOf(Color.class), "a colour");
    static final Option<Long> SEED = Option.value("seed", "N", ValueParser.anyLong(), "a seed");
    static final Option<Boolean> LOUD = Option.flag("loud", "shout");
    static final Option<String> NAME = Option.value("name", "TEXT", ValueParser.text(), "a name").required();

    /** A command that records what it was given and then does what {@code body} says. */
    static final class Probe implements Command {
        final String name;
        final Positionals positionals;
        final List<Option<?>> options;
        final Function<Invocation, Integer> body;
        Invocation seen;

        Probe(String name, Positionals positionals, List<Option<?>> options, Function<Invocation, Integer> body) {
            this.name = name;
            this.positionals = positionals;
            this.options = options;
            this.body = body;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String summary() {
            return "probe " + name;
        }

        @Override
        public String details() {
            return "example: siamese " + name + " --count 2";
        }

        @Override
        public List<Option<?>> options() {
            return options;
        }

        @Override
        public Positionals positionals() {
            return positionals;
        }

        @Override
        public int run(Invocation inv) {
            seen = inv;
            return body.apply(inv);
        }
    }

    private static Probe probe(Function<Invocation, Integer> body) {
        return new Probe("probe", Positionals.atLeast(0, "ARG"), List.of(COUNT, RATE, FILE, COLOR, SEED, LOUD), body);
    }

    private static CliResult run(Command c, String... args) {
        return CliResult.inProcess(new CommandRegistry(c), args);
    }

    @Test
    void optionsInEveryFormAreParsedAndTyped() {
        Probe p = probe(inv -> 0);
        CliResult r = run(p, "probe", "a", "--count", "5", "--rate=0.25", "--file", "x", "--file=y", "--loud",
                "--color", "light-blue", "--seed", "-9", "-3", "--", "--not-an-option");
        assertEquals(0, r.exitCode(), r.toString());
        Invocation inv = p.seen;
        assertEquals(5, inv.get(COUNT));
        assertEquals(0.25, inv.get(RATE));
        assertEquals(List.of(Path.of("x"), Path.of("y")), inv.all(FILE));
        assertEquals(Path.of("y"), inv.get(FILE));
        assertTrue(inv.get(LOUD));
        assertEquals(Color.LIGHT_BLUE, inv.get(COLOR));
        assertEquals(-9L, inv.get(SEED));
        assertEquals(List.of("a", "-3", "--not-an-option"), inv.positionals());
        assertFalse(inv.json());
    }

    @Test
    void defaultsApplyWhenOptionsAreAbsent() {
        Probe p = probe(inv -> 0);
        assertEquals(0, run(p, "probe").exitCode());
        assertEquals(3, p.seen.get(COUNT));
        assertEquals(null, p.seen.get(RATE));
        assertFalse(p.seen.get(LOUD));
        assertFalse(p.seen.has(COUNT));
        assertEquals(List.of(), p.seen.all(FILE));
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheCommand() {
        Probe p = probe(inv -> 0);
        assertEquals(0, run(p, "--threads", "2", "probe", "--backend=scalar", "--json").exitCode());
        assertEquals(2, p.seen.threads());
        assertEquals("scalar", p.seen.backendName());
        assertTrue(p.seen.json());
    }

    @Test
    void mistakesAreUsageErrorsThatNameTheOption() {
        Probe p = probe(inv -> 0);
        Object[][] cases = {
                {new String[] {"probe", "--cuont", "2"}, "unknown option '--cuont'", "did you mean --count?"},
                {new String[] {"probe", "-x"}, "unknown option '-x'"},
                {new String[] {"probe", "--count"}, "--count: missing value (expected N)"},
                {new String[] {"probe", "--count", "--loud"}, "--count: missing value"},
                {new String[] {"probe", "--count", "x"}, "--count: expected a positive integer, got 'x'"},
                {new String[] {"probe", "--count", "0"}, "--count: expected a positive integer, got '0'"},
                {new String[] {"probe", "--count", "-4"}, "--count: expected a positive integer, got '-4'"},
                {new String[] {"probe", "--rate", "0"}, "--rate: expected a number greater than 0, got '0'"},
                {new String[] {"probe", "--rate", "NaN"}, "--rate: expected a finite number, got 'NaN'"},
                {new String[] {"probe", "--color", "green"}, "--color: expected one of dark-red, light-blue, got 'green'"},
                {new String[] {"probe", "--loud=yes"}, "--loud is a flag and takes no value"},
                {new String[] {"probe", "--seed", "1", "--seed", "2"}, "--seed given more than once"},
                {new String[] {"probe", "--threads", "x"}, "--threads: expected a positive integer up to 1024, got 'x'"},
                {new String[] {"probe", "--backend", "gpu"}, "--backend: expected one of simd, scalar, auto, got 'gpu'"},
                {new String[] {"prboe"}, "unknown command 'prboe'", "did you mean probe?"},
                {new String[] {}, "no command given"},
        };
        for (Object[] c : cases) {
            CliResult r = run(p, (String[]) c[0]);
            assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
            for (int i = 1; i < c.length; i++) {
                r.assertOneMessage((String) c[i]);
            }
            assertEquals("", r.out());
        }
    }

    @Test
    void requiredOptionsAndPositionalCountsAreEnforced() {
        Command c = new Probe("pair", Positionals.exactly("IMG_A", "IMG_B"), List.of(NAME), inv -> 0);
        run(c, "pair", "a", "b").assertOneMessage("missing required option --name TEXT");
        run(c, "pair", "--name", "n", "a").assertOneMessage("missing argument IMG_B", "usage: siamese pair [options] --name TEXT IMG_A IMG_B");
        run(c, "pair", "--name", "n", "a", "b", "c").assertOneMessage("unexpected argument 'c'");
        assertEquals(0, run(c, "pair", "--name", "n", "a", "b").exitCode());
    }

    @Test
    void helpListsOptionsAndSkipsValidation() {
        Command c = new Probe("pair", Positionals.exactly("IMG_A", "IMG_B"), List.of(NAME, COUNT), inv -> {
            throw new AssertionError("help must not run the command");
        });
        for (String[] args : new String[][] {{"pair", "--help"}, {"pair", "-h", "--count", "x"}, {"--help", "pair"}}) {
            CliResult r = run(c, args);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().startsWith("usage: siamese pair [options] --name TEXT IMG_A IMG_B"), r.out());
            for (String s : List.of("--name TEXT", "(required)", "--count N", "(default: 3)", "--json", "--debug",
                    "--threads N", "--backend NAME", "example: siamese pair")) {
                assertTrue(r.out().contains(s), s + " missing from help:\n" + r.out());
            }
        }
        CliResult top = run(c, "--help");
        assertEquals(0, top.exitCode());
        assertTrue(top.out().contains("pair") && top.out().contains("probe pair"), top.out());
    }

    @Test
    void exceptionsMapToExitCodesWithOneLineMessages() {
        CliResult bad = run(probe(inv -> {
            throw new BadInputException("x.png: not an image");
        }), "probe");
        assertEquals(ExitCode.USAGE, bad.exitCode());
        bad.assertOneMessage("siamese: x.png: not an image");

        CliResult failed = run(probe(inv -> {
            throw new RunFailedException("download failed");
        }), "probe");
        assertEquals(ExitCode.FAILED, failed.exitCode());
        failed.assertOneMessage("siamese: download failed");

        CliResult bug = run(probe(inv -> {
            throw new IllegalStateException("broken\ninvariant");
        }), "probe");
        assertEquals(ExitCode.FAILED, bug.exitCode());
        bug.assertOneMessage("siamese: internal error: java.lang.IllegalStateException: broken invariant (run with --debug for the stack trace)");

        CliResult oom = run(probe(inv -> {
            throw new OutOfMemoryError("Java heap space");
        }), "probe");
        assertEquals(ExitCode.FAILED, oom.exitCode());
        oom.assertOneMessage("out of memory (Java heap space)", "-Xmx");

        CliResult returned = run(probe(inv -> ExitCode.FAILED), "probe");
        assertEquals(ExitCode.FAILED, returned.exitCode());
    }

    @Test
    void debugAddsTheStackTrace() {
        CliResult r = run(probe(inv -> {
            throw new IllegalStateException("boom");
        }), "probe", "--debug");
        assertEquals(ExitCode.FAILED, r.exitCode());
        assertTrue(r.err().startsWith("siamese: internal error: java.lang.IllegalStateException: boom\n"), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void jsonErrorsEndStdoutWithAnErrorObject() {
        CliResult usage = run(probe(inv -> 0), "probe", "--json", "--count", "x");
        assertEquals(ExitCode.USAGE, usage.exitCode());
        Map<String, Object> j = usage.json();
        assertEquals("--count: expected a positive integer, got 'x'", j.get("error"));
        assertEquals(2.0, j.get("exit_code"));

        CliResult failed = run(probe(inv -> {
            throw new RunFailedException("no network");
        }), "probe", "--json");
        assertEquals(1.0, failed.json().get("exit_code"));
    }

    @Test
    void hostileTextInMessagesStaysOnOneLine() {
        CliResult r = run(probe(inv -> 0), "probe", "--count", "1\n2\u0007");
        r.assertOneMessage("got '1?2?'");
    }

    @Test
    void registryRejectsClashingDeclarations() {
        Option<Boolean> json = Option.flag("json", "clash");
        assertThrows(IllegalArgumentException.class,
                () -> new CommandRegistry(new Probe("a", Positionals.none(), List.of(json), inv -> 0)));
        assertThrows(IllegalArgumentException.class,
                () -> new CommandRegistry(new Probe("a", Positionals.none(), List.of(), inv -> 0),
                        new Probe("a", Positionals.none(), List.of(), inv -> 0)));
        assertThrows(IllegalStateException.class, () -> LOUD.required());
    }

    @Test
    void everyRealCommandDocumentsItsOptionsAndAnExample() {
        CommandRegistry registry = Main.commands();
        assertEquals(List.of("train", "eval", "calibrate", "verify", "enroll", "identify", "detect", "annotate", "info", "gradcheck", "download"),
                registry.all().stream().map(Command::name).toList());
        for (Command c : registry.all()) {
            String help = Help.forCommand(c);
            for (Option<?> o : c.options()) {
                assertTrue(help.contains(o.display()), c.name() + " help lacks " + o.display());
            }
            assertTrue(help.contains("siamese " + c.name()), c.name() + " help has no example");
        }
    }
}
