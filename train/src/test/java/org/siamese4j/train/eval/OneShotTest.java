package org.siamese4j.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

class OneShotTest {

    /** g groups of c classes of n one-pixel images whose value encodes (class, image). */
    static LoadedDataset toy(int groups, int classes, int images) {
        List<LoadedClass> list = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < classes; c++) {
                List<String> names = new ArrayList<>();
                List<float[]> imgs = new ArrayList<>();
                for (int i = 0; i < images; i++) {
                    names.add(i + ".png");
                    imgs.add(new float[] {g * 1000 + c * 10 + i});
                }
                list.add(new LoadedClass("g" + g + "/c" + c, "g" + g, names, imgs));
            }
        }
        return LoadedDataset.of(list);
    }

    @Test
    void anEnsembleScoresTheMeanOfItsMembers() {
        OneShot.Scorer byClass = (ca, ia, cb, ib) -> ca == cb ? 1 : 0;
        OneShot.Scorer byImage = (ca, ia, cb, ib) -> ia == ib ? 3 : -1;
        OneShot.Scorer mean = OneShot.Scorer.mean(List.of(byClass, byImage));
        assertEquals(2.0, mean.similarity(1, 2, 1, 2));
        assertEquals(-0.5, mean.similarity(1, 2, 0, 3));
        assertEquals(0.0, mean.similarity(1, 2, 1, 3));
        assertTrue(OneShot.Scorer.mean(List.of(byClass)) == byClass, "one member is itself");
        assertThrows(IllegalArgumentException.class, () -> OneShot.Scorer.mean(List.of()));
    }

    @Test
    void trialsAreValidAndWithinOneGroup() {
        LoadedDataset d = toy(3, 6, 4);
        List<OneShot.Trial> trials = OneShot.trials(d, 5, 500, true, 1);
        assertEquals(500, trials.size());
        for (OneShot.Trial t : trials) {
            assertEquals(5, t.supportClasses().length);
            assertEquals(t.queryClass(), t.supportClasses()[t.answer()]);
            assertNotEquals(t.queryImage(), t.supportImages()[t.answer()], "the query is never its own support image");
            String group = d.classes().get(t.queryClass()).group();
            for (int c : t.supportClasses()) {
                assertEquals(group, d.classes().get(c).group());
            }
            assertEquals(5, java.util.Arrays.stream(t.supportClasses()).distinct().count());
        }
        // the same seed gives the same trials
        assertEquals(trials.get(7).queryImage(), OneShot.trials(d, 5, 500, true, 1).get(7).queryImage());
    }

    @Test
    void perfectAndUselessScorers() {
        LoadedDataset d = toy(2, 10, 3);
        List<OneShot.Trial> trials = OneShot.trials(d, 10, 2000, true, 2);
        OneShot.Result perfect = OneShot.evaluate(trials, (ca, ia, cb, ib) -> ca == cb ? 1 : 0);
        assertEquals(1.0, perfect.accuracy());
        OneShot.Result constant = OneShot.evaluate(trials, (ca, ia, cb, ib) -> Math.random());
        assertTrue(constant.accuracy() > 0.05 && constant.accuracy() < 0.16, "chance is 10%: " + constant.format());
        assertTrue(constant.ci95Low() < constant.accuracy() && constant.accuracy() < constant.ci95High());
    }

    @Test
    void wilsonIntervalMatchesKnownValues() {
        double[] ci = OneShot.wilson(90, 100);
        assertEquals(0.8256, ci[0], 1e-3);
        assertEquals(0.9448, ci[1], 1e-3);
    }

    @Test
    void tooFewClassesIsAClearError() {
        LoadedDataset d = toy(2, 4, 3);
        BadInputException e = assertThrows(BadInputException.class, () -> OneShot.trials(d, 5, 10, true, 1));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
        assertThrows(BadInputException.class, () -> OneShot.trials(d, 9, 10, false, 1));
        assertEquals(10, OneShot.trials(d, 8, 10, false, 1).size());
    }
}
