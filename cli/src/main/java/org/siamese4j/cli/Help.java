package org.siamese4j.cli;

import java.util.ArrayList;
import java.util.List;

/** Help texts, generated from the commands' declarations so they cannot drift from what is parsed. */
final class Help {
    private static final int OPTION_COLUMN = 24;
    private static final int LINE_WIDTH = 100;

    private Help() {
    }

    /** {@code siamese verify [options] --model FILE IMG_A IMG_B}. */
    static String usageLine(Command c) {
        StringBuilder sb = new StringBuilder("siamese ").append(c.name()).append(" [options]");
        for (Option<?> o : c.options()) {
            if (o.isRequired()) {
                sb.append(' ').append(o);
            }
        }
        String positionals = c.positionals().usage();
        if (!positionals.isEmpty()) {
            sb.append(' ').append(positionals);
        }
        return sb.toString();
    }

    static String forCommand(Command c) {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ").append(usageLine(c)).append("\n\n");
        sb.append(c.summary()).append("\n\n");
        String details = c.details().strip();
        if (!details.isEmpty()) {
            sb.append(details).append("\n\n");
        }
        if (!c.options().isEmpty()) {
            sb.append("options:\n");
            options(sb, c.options());
        }
        sb.append("global options:\n");
        options(sb, GlobalOptions.ALL);
        optionLine(sb, "-h, --help", "show this help");
        return sb.toString();
    }

    static String overview(CommandRegistry registry) {
        StringBuilder sb = new StringBuilder();
        sb.append("siamese: one-shot image and face recognition with Siamese networks (siamese4j)\n\n");
        sb.append("usage: siamese COMMAND [options] [arguments]\n");
        sb.append("       siamese COMMAND --help\n\n");
        sb.append("commands:\n");
        int width = 4;
        for (Command c : registry.all()) {
            width = Math.max(width, c.name().length());
        }
        for (Command c : registry.all()) {
            sb.append("  ").append(pad(c.name(), width + 2)).append(c.summary()).append('\n');
        }
        sb.append("\nglobal options (accepted by every command):\n");
        options(sb, GlobalOptions.ALL);
        optionLine(sb, "-h, --help", "show help");
        sb.append("\nexit codes: 0 success, 1 failed run (a check that failed, a diverged training, a download\n");
        sb.append("            that could not complete), 2 bad usage or bad input (unknown option, unreadable or\n");
        sb.append("            corrupt file, a download that does not match its pinned SHA-256)\n");
        sb.append("\nThe jar restarts itself once with --add-modules jdk.incubator.vector when the Vector API\n");
        sb.append("module is missing (set SIAMESE4J_NO_RELAUNCH=1 or -Dsiamese4j.relaunch=false to stay on\n");
        sb.append("scalar kernels instead); bin/siamese passes the flag directly.\n");
        return sb.toString();
    }

    private static void options(StringBuilder sb, List<Option<?>> options) {
        for (Option<?> o : options) {
            List<String> notes = new ArrayList<>();
            if (o.isRequired()) {
                notes.add("required");
            }
            if (o.isRepeatable()) {
                notes.add("repeatable");
            }
            if (!o.isFlag() && o.defaultValue() != null) {
                notes.add("default: " + o.defaultValue());
            }
            optionLine(sb, o.toString(), o.help() + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")"));
        }
    }

    private static void optionLine(StringBuilder sb, String left, String text) {
        String head = "  " + left;
        if (head.length() + 2 > OPTION_COLUMN) {
            sb.append(head).append('\n').append(" ".repeat(OPTION_COLUMN));
        } else {
            sb.append(pad(head, OPTION_COLUMN));
        }
        // wrap the description at word boundaries, continuation lines indented to the column
        int column = OPTION_COLUMN;
        for (String word : text.split(" ")) {
            if (column > OPTION_COLUMN && column + 1 + word.length() > LINE_WIDTH) {
                sb.append('\n').append(" ".repeat(OPTION_COLUMN));
                column = OPTION_COLUMN;
            } else if (column > OPTION_COLUMN) {
                sb.append(' ');
                column++;
            }
            sb.append(word);
            column += word.length();
        }
        sb.append('\n');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
