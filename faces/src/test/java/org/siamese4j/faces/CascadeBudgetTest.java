package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;

/**
 * SECURITY.md's cascade budgets at the limit and one past it: the window side (128, the default itself) and the
 * weak classifiers a stage and in all (at small {@link CascadeParser.Limits}; the default per stage is tried
 * through the command line in BudgetsCliTest).
 */
class CascadeBudgetTest {

    /** A cascade of stumps on one two-rectangle feature: a {@code side} x {@code side} window, stages of the given sizes. */
    static String cascade(int side, int... treesPerStage) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\n<opencv_storage>\n<cascade>"
                + "<stageType>BOOST</stageType><featureType>HAAR</featureType>"
                + "<height>" + side + "</height><width>" + side + "</width>"
                + "<featureParams><maxCatCount>0</maxCatCount></featureParams>"
                + "<stageNum>" + treesPerStage.length + "</stageNum>\n<stages>\n");
        for (int trees : treesPerStage) {
            sb.append("<_><maxWeakCount>").append(trees).append("</maxWeakCount><stageThreshold>-1.</stageThreshold><weakClassifiers>\n");
            for (int t = 0; t < trees; t++) {
                sb.append("<_><internalNodes>0 -1 0 0.5</internalNodes><leafValues>-1. 1.</leafValues></_>\n");
            }
            sb.append("</weakClassifiers></_>\n");
        }
        sb.append("</stages>\n<features><_><rects><_>0 0 ").append(side).append(' ').append(side).append(" -1.</_><_>0 0 ")
                .append(side).append(' ').append(side / 2).append(" 2.</_></rects></_></features></cascade>\n</opencv_storage>\n");
        return sb.toString();
    }

    private static byte[] bytes(String xml) {
        return xml.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWindowOf128IsReadAnd129IsRefused() {
        assertEquals(128, CascadeParser.parse(bytes(cascade(128, 1)), "at.xml").windowWidth());
        BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(bytes(cascade(129, 1)), "past.xml"));
        assertEquals("bad cascade file past.xml: height 129 is outside [3, 128] (line 3)", e.getMessage());
    }

    @Test
    void aStageOfExactlyTheTreeBudgetIsReadAndOneTreeMoreIsRefused() {
        CascadeParser.Limits limits = new CascadeParser.Limits(3, 100);
        assertEquals(3, CascadeParser.parse(bytes(cascade(12, 3)), "at.xml", limits).treeCount());
        BadInputException e = assertThrows(BadInputException.class,
                () -> CascadeParser.parse(bytes(cascade(12, 4)), "past.xml", limits));
        assertEquals("bad cascade file past.xml: maxWeakCount of stage 0 4 is outside [1, 3] (line 5)", e.getMessage());
        // a stage that declares its size after its trees is stopped at the tree past the budget
        String late = cascade(12, 4).replace("<maxWeakCount>4</maxWeakCount><stageThreshold>-1.</stageThreshold><weakClassifiers>",
                "<stageThreshold>-1.</stageThreshold><weakClassifiers>").replace("</weakClassifiers></_>",
                "</weakClassifiers><maxWeakCount>4</maxWeakCount></_>");
        e = assertThrows(BadInputException.class, () -> CascadeParser.parse(bytes(late), "late.xml", limits));
        assertEquals("bad cascade file late.xml: too many weak classifiers (at most 3 a stage and 100 in all) (line 9)",
                e.getMessage());
    }

    @Test
    void exactlyTheTotalTreeBudgetIsReadAndOneTreeMoreIsRefused() {
        CascadeParser.Limits limits = new CascadeParser.Limits(3, 5);
        assertEquals(5, CascadeParser.parse(bytes(cascade(12, 3, 2)), "at.xml", limits).treeCount());
        BadInputException e = assertThrows(BadInputException.class,
                () -> CascadeParser.parse(bytes(cascade(12, 3, 3)), "past.xml", limits));
        assertEquals("bad cascade file past.xml: too many weak classifiers (at most 3 a stage and 5 in all) (line 13)",
                e.getMessage());
    }
}
