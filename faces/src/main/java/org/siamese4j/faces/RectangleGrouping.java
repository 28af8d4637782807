package org.siamese4j.faces;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * OpenCV's groupRectangles: a face shows up as many raw detections at neighbouring positions and scales;
 * clustering them and keeping only well-supported clusters removes most false positives.
 */
final class RectangleGrouping {
    private RectangleGrouping() {
    }

    /**
     * Clusters {@code rects} by OpenCV's SimilarRects predicate (transitively, as cv::partition does),
     * averages each cluster, drops clusters with at most {@code groupThreshold} members, then drops a cluster
     * lying inside a larger one (grown by {@code eps} of its size) that has more support. With
     * {@code groupThreshold <= 0} the input is returned unchanged, as in OpenCV. Clusters come out in the
     * order of their first member.
     */
    static List<Box> group(List<Box> rects, int groupThreshold, double eps) {
        if (groupThreshold <= 0 || rects.isEmpty()) {
            return List.copyOf(rects);
        }
        Box[] boxes = rects.toArray(new Box[0]);
        int n = boxes.length;
        int[] label = partition(boxes, eps);
        int classes = 0;
        for (int l : label) {
            classes = Math.max(classes, l + 1);
        }
        long[] sumX = new long[classes];
        long[] sumY = new long[classes];
        long[] sumW = new long[classes];
        long[] sumH = new long[classes];
        int[] count = new int[classes];
        for (int i = 0; i < n; i++) {
            int c = label[i];
            sumX[c] += boxes[i].x();
            sumY[c] += boxes[i].y();
            sumW[c] += boxes[i].w();
            sumH[c] += boxes[i].h();
            count[c]++;
        }
        int[] x = new int[classes];
        int[] y = new int[classes];
        int[] w = new int[classes];
        int[] h = new int[classes];
        for (int c = 0; c < classes; c++) {
            // OpenCV averages in float and rounds to nearest (saturate_cast)
            float s = 1f / count[c];
            x[c] = (int) Math.rint(sumX[c] * s);
            y[c] = (int) Math.rint(sumY[c] * s);
            w[c] = (int) Math.rint(sumW[c] * s);
            h[c] = (int) Math.rint(sumH[c] * s);
        }

        List<Box> out = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            int n1 = count[i];
            if (n1 <= groupThreshold) {
                continue;
            }
            boolean nested = false;
            for (int j = 0; j < classes && !nested; j++) {
                int n2 = count[j];
                if (j == i || n2 <= groupThreshold) {
                    continue;
                }
                int dx = (int) Math.rint(w[j] * eps);
                int dy = (int) Math.rint(h[j] * eps);
                nested = x[i] >= x[j] - dx && y[i] >= y[j] - dy && x[i] + w[i] <= x[j] + w[j] + dx
                        && y[i] + h[i] <= y[j] + h[j] + dy && (n2 > Math.max(3, n1) || n1 < 3);
            }
            if (!nested) {
                out.add(new Box(x[i], y[i], w[i], h[i]));
            }
        }
        return out;
    }

    /**
     * cv::partition with SimilarRects: the connected components of the "similar" relation, labelled 0, 1, ...
     * in the order of their first member.
     */
    static int[] partition(Box[] boxes, double eps) {
        int n = boxes.length;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        // two similar boxes differ in x by at most eps * (smaller side), so a sweep over x-sorted boxes only
        // needs to look ahead that far; the components are the same as comparing every pair
        Integer[] byX = new Integer[n];
        int maxSide = 0;
        for (int i = 0; i < n; i++) {
            byX[i] = i;
            maxSide = Math.max(maxSide, Math.max(boxes[i].w(), boxes[i].h()));
        }
        Arrays.sort(byX, Comparator.comparingInt(i -> boxes[i].x()));
        double reach = eps * maxSide;
        for (int a = 0; a < n; a++) {
            Box ra = boxes[byX[a]];
            for (int b = a + 1; b < n && boxes[byX[b]].x() - ra.x() <= reach; b++) {
                if (similar(ra, boxes[byX[b]], eps)) {
                    union(parent, byX[a], byX[b]);
                }
            }
        }
        int[] label = new int[n];
        int[] labelOfRoot = new int[n];
        Arrays.fill(labelOfRoot, -1);
        int classes = 0;
        for (int i = 0; i < n; i++) {
            int root = find(parent, i);
            if (labelOfRoot[root] < 0) {
                labelOfRoot[root] = classes++;
            }
            label[i] = labelOfRoot[root];
        }
        return label;
    }

    /** OpenCV's SimilarRects: every edge within eps times the mean of the smaller width and height. */
    static boolean similar(Box a, Box b, double eps) {
        double delta = eps * (Math.min(a.w(), b.w()) + Math.min(a.h(), b.h())) * 0.5;
        return Math.abs(a.x() - b.x()) <= delta && Math.abs(a.y() - b.y()) <= delta
                && Math.abs(a.right() - b.right()) <= delta && Math.abs(a.bottom() - b.bottom()) <= delta;
    }

    private static int find(int[] parent, int i) {
        int root = i;
        while (parent[root] != root) {
            root = parent[root];
        }
        while (parent[i] != root) {
            int next = parent[i];
            parent[i] = root;
            i = next;
        }
        return root;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            // the smaller index as root keeps labels independent of the order unions happen in
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }
}
