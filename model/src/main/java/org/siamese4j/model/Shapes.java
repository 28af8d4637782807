package org.siamese4j.model;

/** Walks an architecture's shapes without building it: sizes, parameters and work, with overflow checks. */
final class Shapes {
    private final long parameters;
    private final long macs;
    private final int embedding;

    private Shapes(long parameters, long macs, int embedding) {
        this.parameters = parameters;
        this.macs = macs;
        this.embedding = embedding;
    }

    long parameters() {
        return parameters;
    }

    long macs() {
        return macs;
    }

    int embeddingSize() {
        return embedding;
    }

    static Shapes walk(Architecture a) {
        long c = 1;
        long h = a.inputHeight();
        long w = a.inputWidth();
        boolean flat = false;
        long params = 0;
        long macs = 0;
        int i = 0;
        for (LayerSpec s : a.tower()) {
            i++;
            switch (s.kind()) {
                case CONV: {
                    if (flat) {
                        throw new IllegalArgumentException("layer " + i + ": conv after dense");
                    }
                    long oh = (h + 2L * s.padding() - s.kernel()) / s.stride() + 1;
                    long ow = (w + 2L * s.padding() - s.kernel()) / s.stride() + 1;
                    if (s.kernel() > h + 2L * s.padding() || s.kernel() > w + 2L * s.padding() || oh < 1 || ow < 1) {
                        throw new IllegalArgumentException("layer " + i + " (" + s.format() + "): kernel larger than its "
                                + w + "x" + h + " input");
                    }
                    long patch = c * s.kernel() * s.kernel();
                    params += s.size() * patch + (s.batchNorm() ? 4L * s.size() : s.size());
                    macs += s.size() * patch * oh * ow;
                    c = s.size();
                    h = oh;
                    w = ow;
                    break;
                }
                case POOL: {
                    if (flat) {
                        throw new IllegalArgumentException("layer " + i + ": pool after dense");
                    }
                    if (s.size() > h || s.size() > w) {
                        throw new IllegalArgumentException("layer " + i + " (" + s.format() + "): window larger than its "
                                + w + "x" + h + " input");
                    }
                    h = (h - s.size()) / s.size() + 1;
                    w = (w - s.size()) / s.size() + 1;
                    break;
                }
                default: {
                    long in = flat ? c : c * h * w;
                    params += in * s.size() + s.size() + (s.batchNorm() ? 4L * s.size() : 0);
                    macs += in * s.size();
                    c = s.size();
                    h = 1;
                    w = 1;
                    flat = true;
                }
            }
            if (params > Integer.MAX_VALUE - 1024 || c * h * w > Integer.MAX_VALUE / 4) {
                throw new IllegalArgumentException("layer " + i + ": the network is too large");
            }
        }
        long embedding = flat ? c : c * h * w;
        return new Shapes(params, macs, (int) embedding);
    }
}
