package org.siamese4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.siamese4j.engine.layer.Activation;

/**
 * One item of a tower: a convolution, a max-pool or a dense layer. Text form, as in model files and
 * on the command line: {@code conv 10x10 64 relu}, {@code conv 3x3 64 pad=1 stride=1 bn relu},
 * {@code pool 2}, {@code dense 4096 sigmoid}.
 */
public record LayerSpec(Kind kind, int size, int kernel, int stride, int padding, boolean batchNorm, Activation activation) {
    /** Bounds that keep a hostile spec from asking for absurd allocations. */
    public static final int MAX_SIZE = 1 << 16;
    public static final int MAX_KERNEL = 64;

    public enum Kind { CONV, POOL, DENSE }

    public LayerSpec {
        if (kind == Kind.POOL) {
            if (size < 1 || size > MAX_KERNEL) {
                throw new IllegalArgumentException("pool window must be 1.." + MAX_KERNEL + ", got " + size);
            }
        } else {
            if (size < 1 || size > MAX_SIZE) {
                throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " size must be 1.." + MAX_SIZE + ", got " + size);
            }
        }
        if (kind == Kind.CONV && (kernel < 1 || kernel > MAX_KERNEL || stride < 1 || stride > MAX_KERNEL || padding < 0 || padding > MAX_KERNEL)) {
            throw new IllegalArgumentException("conv kernel/stride must be 1.." + MAX_KERNEL + " and padding 0.." + MAX_KERNEL);
        }
        if (activation == Activation.SIGMOID && kind == Kind.CONV) {
            throw new IllegalArgumentException("conv layers take relu or none, not sigmoid");
        }
    }

    public static LayerSpec conv(int kernel, int filters, Activation act) {
        return new LayerSpec(Kind.CONV, filters, kernel, 1, 0, false, act);
    }

    public static LayerSpec conv(int kernel, int filters, int padding, boolean bn, Activation act) {
        return new LayerSpec(Kind.CONV, filters, kernel, 1, padding, bn, act);
    }

    public static LayerSpec pool(int window) {
        return new LayerSpec(Kind.POOL, window, window, window, 0, false, Activation.NONE);
    }

    public static LayerSpec dense(int dim, Activation act) {
        return new LayerSpec(Kind.DENSE, dim, 0, 1, 0, false, act);
    }

    public static LayerSpec dense(int dim, boolean bn, Activation act) {
        return new LayerSpec(Kind.DENSE, dim, 0, 1, 0, bn, act);
    }

    public String format() {
        switch (kind) {
            case POOL:
                return "pool " + size;
            case DENSE:
                return "dense " + size + (batchNorm ? " bn" : "") + " " + activation.label();
            default:
                return "conv " + kernel + "x" + kernel + " " + size + (stride != 1 ? " stride=" + stride : "")
                        + (padding != 0 ? " pad=" + padding : "") + (batchNorm ? " bn" : "") + " " + activation.label();
        }
    }

    /** Parses a list separated by ';'. Throws IllegalArgumentException naming the bad item. */
    public static List<LayerSpec> parseList(String text) {
        List<LayerSpec> out = new ArrayList<>();
        for (String item : text.split(";")) {
            if (!item.isBlank()) {
                out.add(parse(item));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty tower spec");
        }
        return out;
    }

    public static LayerSpec parse(String item) {
        String[] t = item.trim().toLowerCase(Locale.ROOT).split("\\s+");
        try {
            switch (t[0]) {
                case "pool":
                    if (t.length != 2) {
                        throw new IllegalArgumentException("expected 'pool N'");
                    }
                    return pool(Integer.parseInt(t[1]));
                case "dense": {
                    if (t.length < 2) {
                        throw new IllegalArgumentException("expected 'dense DIM [bn] [relu|sigmoid|none]'");
                    }
                    int dim = Integer.parseInt(t[1]);
                    boolean bn = false;
                    Activation act = Activation.NONE;
                    for (int i = 2; i < t.length; i++) {
                        if (t[i].equals("bn")) {
                            bn = true;
                        } else {
                            act = Activation.parse(t[i]);
                        }
                    }
                    return dense(dim, bn, act);
                }
                case "conv": {
                    if (t.length < 3 || !t[1].matches("\\d+x\\d+")) {
                        throw new IllegalArgumentException("expected 'conv KxK FILTERS [stride=S] [pad=P] [bn] [relu|none]'");
                    }
                    String[] k = t[1].split("x");
                    if (!k[0].equals(k[1])) {
                        throw new IllegalArgumentException("only square kernels are supported");
                    }
                    int kernel = Integer.parseInt(k[0]);
                    int filters = Integer.parseInt(t[2]);
                    int stride = 1;
                    int pad = 0;
                    boolean bn = false;
                    Activation act = Activation.NONE;
                    for (int i = 3; i < t.length; i++) {
                        if (t[i].startsWith("stride=")) {
                            stride = Integer.parseInt(t[i].substring(7));
                        } else if (t[i].startsWith("pad=")) {
                            pad = Integer.parseInt(t[i].substring(4));
                        } else if (t[i].equals("bn")) {
                            bn = true;
                        } else {
                            act = Activation.parse(t[i]);
                        }
                    }
                    return new LayerSpec(Kind.CONV, filters, kernel, stride, pad, bn, act);
                }
                default:
                    throw new IllegalArgumentException("unknown layer '" + t[0] + "' (use conv, pool or dense)");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in '" + item.trim() + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer '" + item.trim() + "': " + e.getMessage());
        }
    }
}
