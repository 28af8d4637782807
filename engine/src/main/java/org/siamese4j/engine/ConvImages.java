package org.siamese4j.engine;

import java.util.Arrays;

/** How the convolution passes stage their images: several per GEMM when they are small, zero-padded copies. */
final class ConvImages {
    /** Columns for which at least this many per conv GEMM call are batched from several images. */
    private static final int MIN_CONV_COLUMNS = 512;

    private ConvImages() {
    }

    /** How many images to put side by side in one GEMM so that it has enough columns. */
    static int imagesPerGemm(int pixels, int available) {
        int want = (MIN_CONV_COLUMNS + pixels - 1) / pixels;
        return Math.max(1, Math.min(want, available));
    }

    /**
     * Copies n images of channels x h x w from src into dst with padY zero rows above and below and padX
     * zero columns left and right of every plane.
     */
    static void padImages(float[] src, int sOff, int n, int channels, int h, int w, int padY, int padX, float[] dst) {
        int pw = w + 2 * padX;
        int d = 0;
        int s = sOff;
        for (int plane = 0; plane < n * channels; plane++) {
            Arrays.fill(dst, d, d + padY * pw + padX, 0f);
            d += padY * pw + padX;
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, s, dst, d, w);
                s += w;
                d += w;
                if (y < h - 1) {
                    Arrays.fill(dst, d, d + 2 * padX, 0f);
                    d += 2 * padX;
                }
            }
            Arrays.fill(dst, d, d + padX + padY * pw, 0f);
            d += padX + padY * pw;
        }
    }
}
