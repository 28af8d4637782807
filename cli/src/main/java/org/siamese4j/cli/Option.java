package org.siamese4j.cli;

import java.util.Objects;

/**
 * A declared command-line option: {@code --name value}, {@code --name=value} or, for flags, {@code --name}.
 * Options are immutable; the builder-style methods return modified copies, so a command declares them as
 * constants:
 *
 * <pre>
 *   static final Option&lt;Path&gt; MODEL = Option.value("model", "FILE", ValueParser.path(), "the model file").required();
 *   static final Option&lt;Long&gt; SEED = Option.value("seed", "N", ValueParser.anyLong(), "random seed").defaultValue(7L);
 *   static final Option&lt;Boolean&gt; EXTRACT = Option.flag("extract", "unpack the archives");
 * </pre>
 *
 * and reads them typed with {@link Invocation#get(Option)} (or {@link Invocation#all(Option)} when repeatable).
 *
 * @param <T> the value type
 */
public final class Option<T> {
    private final String name;
    private final String metavar;
    private final String help;
    private final ValueParser<T> parser;
    private final T defaultValue;
    private final boolean required;
    private final boolean repeatable;

    private Option(String name, String metavar, String help, ValueParser<T> parser, T defaultValue, boolean required,
                   boolean repeatable) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("option names are lower-case words with '-': " + name);
        }
        this.name = name;
        this.metavar = metavar;
        this.help = Objects.requireNonNull(help, "help");
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.required = required;
        this.repeatable = repeatable;
    }

    /** A boolean flag: false unless given. */
    public static Option<Boolean> flag(String name, String help) {
        return new Option<>(name, null, help, null, false, false, false);
    }

    /** An option that takes a value, shown as {@code --name METAVAR} in help. */
    public static <T> Option<T> value(String name, String metavar, ValueParser<T> parser, String help) {
        return new Option<>(name, Objects.requireNonNull(metavar, "metavar"), help, Objects.requireNonNull(parser, "parser"),
                null, false, false);
    }

    /** The value when the option is not given (shown in help). */
    public Option<T> defaultValue(T value) {
        requireValued();
        return new Option<>(name, metavar, help, parser, value, required, repeatable);
    }

    /** Must be given. */
    public Option<T> required() {
        requireValued();
        return new Option<>(name, metavar, help, parser, defaultValue, true, repeatable);
    }

    /** May be given several times; read all values with {@link Invocation#all(Option)}. */
    public Option<T> repeatable() {
        requireValued();
        return new Option<>(name, metavar, help, parser, defaultValue, required, true);
    }

    private void requireValued() {
        if (parser == null) {
            throw new IllegalStateException("--" + name + " is a flag");
        }
    }

    /** The name without the leading dashes. */
    public String name() {
        return name;
    }

    /** "--name". */
    public String display() {
        return "--" + name;
    }

    public boolean isFlag() {
        return parser == null;
    }

    public String metavar() {
        return metavar;
    }

    public String help() {
        return help;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public boolean isRequired() {
        return required;
    }

    public boolean isRepeatable() {
        return repeatable;
    }

    /** Converts text to the value, with the option named in the message on failure. */
    T parse(String text) {
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(display() + ": " + e.getMessage() + ", got '" + printable(text) + "'");
        }
    }

    /** Text from the command line made safe for a one-line message. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 120));
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 120 ? b + "..." : b.toString();
    }

    @Override
    public String toString() {
        return isFlag() ? display() : display() + " " + metavar;
    }
}
