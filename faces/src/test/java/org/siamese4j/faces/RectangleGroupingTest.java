package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RectangleGroupingTest {
    private static final double EPS = 0.2;

    @Test
    void similarityIsOpenCvsSimilarRects() {
        Box a = new Box(100, 100, 50, 50);
        // delta = 0.2 * (50 + 50) / 2 = 10
        assertTrue(RectangleGrouping.similar(a, new Box(110, 90, 50, 50), EPS));
        assertFalse(RectangleGrouping.similar(a, new Box(111, 100, 50, 50), EPS));
        assertTrue(RectangleGrouping.similar(a, new Box(100, 100, 60, 60), EPS));
        assertFalse(RectangleGrouping.similar(a, new Box(100, 100, 61, 50), EPS));
    }

    @Test
    void averagesClustersAndDropsWeakOnes() {
        List<Box> raw = List.of(
                new Box(10, 10, 40, 40), new Box(12, 11, 40, 40), new Box(11, 12, 44, 44), new Box(9, 10, 40, 40),
                new Box(200, 200, 30, 30), new Box(202, 201, 30, 30),
                new Box(400, 50, 60, 60));
        List<Box> grouped = RectangleGrouping.group(raw, 1, EPS);
        // (42/4, 43/4, 164/4, 164/4) rounded half to even; the single box has too few neighbours
        assertEquals(List.of(new Box(10, 11, 41, 41), new Box(201, 200, 30, 30)), grouped);
        assertEquals(List.of(new Box(10, 11, 41, 41)), RectangleGrouping.group(raw, 2, EPS));
    }

    @Test
    void zeroThresholdReturnsRawDetections() {
        List<Box> raw = List.of(new Box(1, 2, 30, 30), new Box(2, 2, 30, 30));
        assertEquals(raw, RectangleGrouping.group(raw, 0, EPS));
    }

    @Test
    void chainsOfSimilarBoxesFormOneCluster() {
        // each box is similar to the next but the ends are not: cv::partition joins them transitively
        List<Box> raw = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            raw.add(new Box(100 + 8 * i, 100, 50, 50));
        }
        assertFalse(RectangleGrouping.similar(raw.get(0), raw.get(5), EPS));
        assertEquals(List.of(new Box(120, 100, 50, 50)), RectangleGrouping.group(raw, 3, EPS));
    }

    @Test
    void dropsSmallClusterInsideBetterSupportedLargeOne() {
        List<Box> raw = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            raw.add(new Box(100 + i % 2, 100, 100, 100));
        }
        for (int i = 0; i < 2; i++) {
            raw.add(new Box(130, 130, 30, 30));
        }
        assertEquals(List.of(new Box(100, 100, 100, 100)), RectangleGrouping.group(raw, 1, EPS));
        // with comparable support (n1 >= 3 and n2 <= max(3, n1)) the inner one stays
        List<Box> balanced = new ArrayList<>(raw.subList(0, 4));
        for (int i = 0; i < 4; i++) {
            balanced.add(new Box(130, 130, 30, 30));
        }
        assertEquals(2, RectangleGrouping.group(balanced, 1, EPS).size());
    }

    @Test
    void resultDoesNotDependOnInputOrderBeyondClusterOrder() {
        Random random = new Random(4);
        List<Box> raw = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int cx = 50 + 150 * random.nextInt(5);
            raw.add(new Box(cx + random.nextInt(9), 80 + random.nextInt(9), 40 + random.nextInt(6), 44));
        }
        List<Box> expected = sorted(RectangleGrouping.group(raw, 3, EPS));
        for (int shuffle = 0; shuffle < 5; shuffle++) {
            Collections.shuffle(raw, random);
            assertEquals(expected, sorted(RectangleGrouping.group(raw, 3, EPS)));
        }
        assertEquals(5, expected.size());
    }

    @Test
    void sweepFindsTheSameClustersAsComparingEveryPair() {
        Random random = new Random(5);
        Box[] centres = new Box[60];
        for (int i = 0; i < centres.length; i++) {
            int side = 20 + random.nextInt(200);
            centres[i] = new Box(random.nextInt(500), random.nextInt(300), side, side);
        }
        Box[] boxes = new Box[600];
        for (int i = 0; i < boxes.length; i++) {
            Box c = centres[random.nextInt(centres.length)];
            int jitter = c.w() / 6;
            boxes[i] = new Box(c.x() + random.nextInt(2 * jitter + 1) - jitter,
                    c.y() + random.nextInt(2 * jitter + 1) - jitter, c.w() + random.nextInt(jitter + 1), c.h());
        }
        int n = boxes.length;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (RectangleGrouping.similar(boxes[i], boxes[j], EPS)) {
                    int a = root(parent, i);
                    int b = root(parent, j);
                    parent[Math.max(a, b)] = Math.min(a, b);
                }
            }
        }
        int[] expected = new int[n];
        Map<Integer, Integer> labels = new HashMap<>();
        for (int i = 0; i < n; i++) {
            expected[i] = labels.computeIfAbsent(root(parent, i), r -> labels.size());
        }
        int[] actual = RectangleGrouping.partition(boxes, EPS);
        assertArrayEquals(expected, actual);
        assertTrue(labels.size() < n / 2 && labels.size() >= 20, "clusters: " + labels.size());
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            i = parent[i];
        }
        return i;
    }

    private static List<Box> sorted(List<Box> boxes) {
        List<Box> copy = new ArrayList<>(boxes);
        copy.sort(Comparator.comparingInt(Box::x).thenComparingInt(Box::y));
        return copy;
    }
}
