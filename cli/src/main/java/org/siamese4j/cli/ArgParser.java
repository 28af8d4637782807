package org.siamese4j.cli;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code siamese [global options] COMMAND [options] [arguments]}. Options may come anywhere after the
 * command, as {@code --name value} or {@code --name=value}; {@code --} ends the options. Values are converted
 * and checked here, so every mistake is reported, naming the option, before a command starts. With
 * {@code -h}/{@code --help} anywhere (before {@code --}) the rest of the line is not validated.
 */
final class ArgParser {

    /** A parsed command line. {@code command} is null when none was given. */
    record Parsed(Command command, boolean help, Map<Option<?>, List<Object>> values, List<String> positionals) {

        boolean flag(Option<Boolean> o) {
            return values.containsKey(o);
        }

        @SuppressWarnings("unchecked")
        <T> T get(Option<T> o) {
            List<Object> v = values.get(o);
            if (o.isFlag()) {
                return (T) Boolean.valueOf(v != null);
            }
            return v == null ? o.defaultValue() : (T) v.get(v.size() - 1);
        }
    }

    private ArgParser() {
    }

    static Parsed parse(CommandRegistry registry, String[] args) {
        Map<String, Option<?>> known = byName(GlobalOptions.ALL);
        Map<Option<?>, List<Object>> values = new IdentityHashMap<>();
        List<String> positionals = new ArrayList<>();
        Command command = null;
        boolean help = false;
        boolean endOfOptions = false;
        UsageException firstError = null;

        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                if (!endOfOptions && a.equals("--")) {
                    endOfOptions = true;
                } else if (!endOfOptions && (a.equals("--help") || a.equals("-h"))) {
                    help = true;
                } else if (!endOfOptions && a.startsWith("--")) {
                    int eq = a.indexOf('=');
                    String name = a.substring(2, eq < 0 ? a.length() : eq);
                    Option<?> o = known.get(name);
                    if (o == null) {
                        throw unknownOption("--" + name, command, known);
                    }
                    Object value;
                    if (o.isFlag()) {
                        if (eq >= 0) {
                            throw new UsageException(o.display() + " is a flag and takes no value, got '"
                                    + Option.printable(a.substring(eq + 1)) + "'");
                        }
                        value = Boolean.TRUE;
                    } else {
                        String text;
                        if (eq >= 0) {
                            text = a.substring(eq + 1);
                        } else if (i + 1 < args.length && !looksLikeOption(args[i + 1])) {
                            text = args[++i];
                        } else {
                            throw new UsageException(o.display() + ": missing value (expected " + o.metavar() + ")");
                        }
                        value = o.parse(text);
                    }
                    List<Object> list = values.computeIfAbsent(o, k -> new ArrayList<>());
                    if (!list.isEmpty() && !o.isRepeatable()) {
                        throw new UsageException(o.display() + " given more than once");
                    }
                    list.add(value);
                } else if (!endOfOptions && a.length() > 1 && a.startsWith("-") && !isNumber(a)) {
                    throw unknownOption(a, command, known);
                } else if (command == null) {
                    command = registry.find(a).orElseThrow(() -> unknownCommand(a, registry));
                    known = byName(command.options());
                    known.putAll(byName(GlobalOptions.ALL));
                } else {
                    positionals.add(a);
                }
            } catch (UsageException e) {
                if (command == null && !a.startsWith("-")) {
                    throw e; // an unknown command: nothing after it can be understood
                }
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (help) {
            return new Parsed(command, true, values, positionals);
        }
        if (firstError != null) {
            throw firstError;
        }
        if (command == null) {
            throw new UsageException("no command given (run 'siamese --help' for the list)");
        }
        for (Option<?> o : command.options()) {
            if (o.isRequired() && !values.containsKey(o)) {
                throw new UsageException(command.name() + ": missing required option " + o + " (usage: "
                        + Help.usageLine(command) + ")");
            }
        }
        Positionals p = command.positionals();
        if (positionals.size() < p.min()) {
            throw new UsageException(command.name() + ": missing argument " + p.nameOf(positionals.size())
                    + " (usage: " + Help.usageLine(command) + ")");
        }
        if (positionals.size() > p.max()) {
            throw new UsageException(command.name() + ": unexpected argument '" + Option.printable(positionals.get(p.max()))
                    + "' (usage: " + Help.usageLine(command) + ")");
        }
        return new Parsed(command, false, values, positionals);
    }

    /** Scans for --json without parsing, for formatting an error when the line itself did not parse. */
    static boolean mentionsJson(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--json")) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Option<?>> byName(List<Option<?>> options) {
        Map<String, Option<?>> m = new LinkedHashMap<>();
        for (Option<?> o : options) {
            m.put(o.name(), o);
        }
        return m;
    }

    /** A following "--name" is an option, not a value; a value that starts with "--" must use --opt=--value. */
    private static boolean looksLikeOption(String s) {
        return s.length() > 2 && s.startsWith("--");
    }

    /** Negative numbers ("-3", "-0.5") are arguments, not options. */
    private static boolean isNumber(String s) {
        return s.matches("-[0-9][0-9.eE+-]*|-\\.[0-9].*");
    }

    private static UsageException unknownOption(String given, Command command, Map<String, Option<?>> known) {
        String name = given.replaceFirst("^-+", "");
        String suggestion = closest(name, known.keySet());
        String where = command == null ? "" : " for " + command.name();
        String hint = command == null ? "see 'siamese --help'" : "see 'siamese " + command.name() + " --help'";
        return new UsageException("unknown option '" + Option.printable(given) + "'" + where
                + (suggestion == null ? "" : " (did you mean --" + suggestion + "?)") + "; " + hint);
    }

    private static UsageException unknownCommand(String given, CommandRegistry registry) {
        List<String> names = new ArrayList<>();
        registry.all().forEach(c -> names.add(c.name()));
        String suggestion = closest(given, names);
        return new UsageException("unknown command '" + Option.printable(given) + "'"
                + (suggestion == null ? "" : " (did you mean " + suggestion + "?)")
                + "; commands: " + String.join(", ", names));
    }

    /** The candidate within edit distance 2 (or a third of the length) of {@code s}, if any. */
    static String closest(String s, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(s, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best != null && bestDistance <= Math.max(2, s.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 8) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
