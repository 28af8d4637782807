package org.siamese4j.cli;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The commands {@code siamese} knows, in the order help lists them. */
public final class CommandRegistry {
    private final Map<String, Command> byName = new LinkedHashMap<>();

    /**
     * @throws IllegalArgumentException two commands share a name, or a command declares an option twice or
     *     redeclares a global one (programming errors, caught by the tests)
     */
    public CommandRegistry(Command... commands) {
        for (Command c : commands) {
            if (!c.name().matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("command names are lower-case words: " + c.name());
            }
            if (byName.putIfAbsent(c.name(), c) != null) {
                throw new IllegalArgumentException("two commands named " + c.name());
            }
            Set<String> names = new HashSet<>(List.of("help"));
            for (Option<?> o : GlobalOptions.ALL) {
                names.add(o.name());
            }
            for (Option<?> o : c.options()) {
                if (!names.add(o.name())) {
                    throw new IllegalArgumentException(c.name() + ": option " + o.display() + " declared twice or clashes with a global option");
                }
            }
        }
    }

    public Optional<Command> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Command> all() {
        return List.copyOf(byName.values());
    }
}
