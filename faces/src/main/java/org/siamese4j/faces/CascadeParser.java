package org.siamese4j.faces;

import java.io.ByteArrayInputStream;
import java.io.CharConversionException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.siamese4j.engine.BadInputException;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads a Haar cascade in OpenCV's current XML format (the one of haarcascade_frontalface_default.xml since
 * OpenCV 3): {@code opencv_storage/cascade} with {@code stageType BOOST}, {@code featureType HAAR},
 * {@code width}, {@code height}, {@code featureParams}, {@code stageNum}, {@code stages/_} (each with
 * {@code maxWeakCount}, {@code stageThreshold} and {@code weakClassifiers/_} holding {@code internalNodes}
 * "left right featureIdx threshold" groups and {@code leafValues}) and {@code features/_} (each with
 * {@code rects/_} "x y w h weight" and an optional {@code tilted} 0/1).
 *
 * <p>The file is untrusted input. It is parsed by a streaming SAX parser with DOCTYPE declarations refused
 * (so no external entities, XXE or entity-expansion bombs are possible), external access disabled, XInclude
 * off and secure processing with tight entity limits on as a second line of defence. Sizes and counts are
 * bounded while streaming, so a hostile file cannot make the parser allocate more than a small multiple of
 * the cascade it describes. Every problem ends in one {@link BadInputException} whose one-line message names
 * the file, the problem and, where known, the line.
 */
public final class CascadeParser {
    /** Largest cascade file accepted; OpenCV's biggest stock Haar cascade is under 3 MiB. */
    public static final long MAX_FILE_BYTES = 64L << 20;

    /**
     * Largest window side: OpenCV's cascades use 14 to 40. The bound keeps a window's sum of squared pixels
     * below 2^31, which the detector's 32-bit integral images need.
     */
    static final int MAX_WINDOW_SIDE = 128;
    static final int MAX_STAGES = 1_000;
    static final int MAX_TREES_PER_STAGE = 10_000;
    static final int MAX_TREES = 200_000;
    static final int MAX_NODES_PER_TREE = 1_024;
    static final int MAX_FEATURES = 200_000;
    /**
     * Largest rectangle weight magnitude (OpenCV's are -1 to 3). It keeps every feature value finite, so the
     * detector's comparisons never meet a NaN.
     */
    static final float MAX_RECT_WEIGHT = 10_000f;
    static final int MAX_DEPTH = 32;
    static final int MAX_TEXT_CHARS = 1 << 20;

    /**
     * The budgets on weak classifiers (trees): {@link #DEFAULT} holds SECURITY.md's; tests try them at and just
     * past small values, where the defaults would need cascades of many megabytes.
     */
    record Limits(int maxTreesPerStage, int maxTrees) {
        static final Limits DEFAULT = new Limits(MAX_TREES_PER_STAGE, MAX_TREES);
    }

    private static final String DISALLOW_DOCTYPE = "http://apache.org/xml/features/disallow-doctype-decl";
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,4})?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private CascadeParser() {
    }

    /** Reads and validates a cascade file. */
    public static HaarCascade parse(Path file) {
        String source = file.toString();
        if (!Files.exists(file)) {
            throw new BadInputException("cascade file " + source + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("cascade file " + source + " is not a regular file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new BadInputException("cannot read cascade file " + source + ": " + oneLine(e.toString()), e);
        }
        checkSize(source, size);
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, source, Limits.DEFAULT);
        } catch (IOException e) {
            throw new BadInputException("cannot read cascade file " + source + ": " + oneLine(e.toString()), e);
        }
    }

    /** Parses cascade XML held in memory; {@code sourceName} names it in messages. */
    public static HaarCascade parse(byte[] xml, String sourceName) {
        return parse(xml, sourceName, Limits.DEFAULT);
    }

    /** The same under other tree budgets. */
    static HaarCascade parse(byte[] xml, String sourceName, Limits limits) {
        checkSize(sourceName, xml.length);
        try {
            return parse(new ByteArrayInputStream(xml), sourceName, limits);
        } catch (IOException e) {
            throw new BadInputException("cannot read cascade " + sourceName + ": " + oneLine(e.toString()), e);
        }
    }

    private static void checkSize(String source, long size) {
        if (size > MAX_FILE_BYTES) {
            throw new BadInputException("bad cascade file " + source + ": " + size + " bytes is more than the "
                    + (MAX_FILE_BYTES >> 20) + " MiB limit");
        }
        if (size == 0) {
            throw new BadInputException("bad cascade file " + source + ": the file is empty");
        }
    }

    private static HaarCascade parse(InputStream in, String source, Limits limits) throws IOException {
        SAXParser parser = newSecureParser();
        CascadeHandler handler = new CascadeHandler(source, limits);
        try {
            XMLReader reader = parser.getXMLReader();
            reader.setContentHandler(handler);
            reader.setErrorHandler(handler);
            // never reached with DOCTYPE refused; kept so that no configuration change can make us fetch a URL
            reader.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity " + systemId + " refused");
            });
            InputSource input = new InputSource(new SizeLimitedStream(in, MAX_FILE_BYTES));
            input.setSystemId("cascade");
            reader.parse(input);
        } catch (SAXParseException e) {
            throw new BadInputException("bad cascade file " + source + ": " + describe(e), e);
        } catch (TooLargeException e) {
            throw new BadInputException("bad cascade file " + source + ": " + e.getMessage(), e);
        } catch (CharConversionException e) {
            throw new BadInputException("bad cascade file " + source + ": invalid character encoding: "
                    + oneLine(e.getMessage()), e);
        } catch (SAXException e) {
            throw new BadInputException("bad cascade file " + source + ": " + oneLine(e.getMessage()), e);
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException e) {
            // the JDK's parser can throw unchecked exceptions on some corrupt input; that is still bad input
            throw new BadInputException("bad cascade file " + source + ": XML parser failed: " + oneLine(e.toString()),
                    e);
        }
        return handler.build();
    }

    private static SAXParser newSecureParser() {
        try {
            // the JDK's own parser: the features below are its names, and a classpath parser could ignore them
            SAXParserFactory factory = SAXParserFactory.newDefaultInstance();
            factory.setNamespaceAware(false);
            factory.setValidating(false);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature(DISALLOW_DOCTYPE, true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            SAXParser parser = factory.newSAXParser();
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            parser.setProperty("jdk.xml.entityExpansionLimit", "1");
            parser.setProperty("jdk.xml.maxGeneralEntitySizeLimit", "1024");
            parser.setProperty("jdk.xml.totalEntitySizeLimit", "4096");
            parser.setProperty("jdk.xml.maxElementDepth", String.valueOf(2 * MAX_DEPTH));
            return parser;
        } catch (ParserConfigurationException | SAXException e) {
            // the JDK always supports these settings; failing here is a broken runtime, not bad input
            throw new IllegalStateException("cannot configure a secure XML parser", e);
        }
    }

    private static String describe(SAXParseException e) {
        String message = oneLine(e.getMessage());
        if (message.contains("DOCTYPE")) {
            message = "DOCTYPE declarations are not allowed (DTDs and entities are refused for safety)";
        }
        return e.getLineNumber() > 0 ? message + " (line " + e.getLineNumber() + ")" : message;
    }

    /** Collapses a message to one short line. */
    static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String line = WHITESPACE.matcher(message).replaceAll(" ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** Role of an element; decides which children and text it may have. */
    private enum Ctx {
        STORAGE, CASCADE, VALUE, IGNORED, FEATURE_PARAMS, STAGES, STAGE, WEAK_LIST, WEAK, FEATURES, FEATURE, RECTS
    }

    /** Streams the XML into flat arrays, checking as it goes; {@link #build()} does the cross-checks. */
    private static final class CascadeHandler extends DefaultHandler {
        private final String source;
        private final Limits limits;
        private Locator locator;
        private final Ctx[] ctx = new Ctx[MAX_DEPTH + 2];
        private final String[] names = new String[MAX_DEPTH + 2];
        private int depth;
        private final StringBuilder text = new StringBuilder();

        private boolean sawCascade;
        private final Set<String> cascadeValues = new HashSet<>();
        private boolean sawStages;
        private boolean sawFeatures;
        private boolean sawFeatureParams;
        private String stageType;
        private String featureType;
        private int width;
        private int height;
        private int stageNum = -1;

        private final Floats stageThresholds = new Floats();
        private final Ints stageTreeStart = new Ints();
        private final Ints treeNodeStart = new Ints();
        private final Ints treeLeafStart = new Ints();
        private final Ints nodeLeft = new Ints();
        private final Ints nodeRight = new Ints();
        private final Ints nodeFeature = new Ints();
        private final Floats nodeThreshold = new Floats();
        private final Floats leafValues = new Floats();
        private final Ints featureRects = new Ints();
        private final Floats featureWeights = new Floats();
        private final Ints featureTilted = new Ints();
        private final Ints featureRectCounts = new Ints();

        // the stage, tree and feature being read
        private int stageDeclaredTrees;
        private float stageThreshold;
        private boolean stageHasThreshold;
        private boolean stageHasTreeList;
        private int[] treeNodes;
        private float[] treeLeaves;
        private int featureRectCount;
        private int featureTiltFlag;
        private boolean featureHasRects;

        CascadeHandler(String source, Limits limits) {
            this.source = source;
            this.limits = limits;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void warning(SAXParseException e) {
            // warnings (such as an unknown encoding alias) do not make a cascade invalid
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        private SAXParseException fail(String problem) {
            return new SAXParseException(problem, locator);
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes)
                throws SAXException {
            if (depth == MAX_DEPTH) {
                throw fail("elements nested deeper than " + MAX_DEPTH + " levels");
            }
            Ctx parent = depth == 0 ? null : ctx[depth];
            Ctx role = roleOf(parent, qName, attributes);
            depth++;
            ctx[depth] = role;
            names[depth] = qName;
            text.setLength(0);
        }

        private Ctx roleOf(Ctx parent, String name, Attributes attributes) throws SAXException {
            if (parent == null) {
                if (!name.equals("opencv_storage")) {
                    throw fail("root element is <" + name + ">, not <opencv_storage>: not an OpenCV cascade file");
                }
                return Ctx.STORAGE;
            }
            switch (parent) {
                case STORAGE:
                    if (name.equals("cascade")) {
                        if (sawCascade) {
                            throw fail("more than one <cascade> element");
                        }
                        sawCascade = true;
                        return Ctx.CASCADE;
                    }
                    if ("opencv-haar-classifier".equals(attributes.getValue("type_id"))) {
                        throw fail("old-style (OpenCV 1.x) cascade <" + name + "> is not supported: use a cascade"
                                + " in the current format, such as OpenCV 3+'s haarcascade_frontalface_default.xml");
                    }
                    return Ctx.IGNORED;
                case CASCADE:
                    switch (name) {
                        case "stageType", "featureType", "height", "width", "stageNum" -> {
                            if (!cascadeValues.add(name)) {
                                throw fail("more than one <" + name + "> element");
                            }
                            return Ctx.VALUE;
                        }
                        case "featureParams" -> {
                            sawFeatureParams = true;
                            return Ctx.FEATURE_PARAMS;
                        }
                        case "stages" -> {
                            if (sawStages) {
                                throw fail("more than one <stages> element");
                            }
                            sawStages = true;
                            return Ctx.STAGES;
                        }
                        case "features" -> {
                            if (sawFeatures) {
                                throw fail("more than one <features> element");
                            }
                            sawFeatures = true;
                            return Ctx.FEATURES;
                        }
                        default -> {
                            return Ctx.IGNORED;
                        }
                    }
                case FEATURE_PARAMS:
                    return name.equals("maxCatCount") ? Ctx.VALUE : Ctx.IGNORED;
                case STAGES:
                    expectItem(name, "stages");
                    beginStage();
                    return Ctx.STAGE;
                case STAGE:
                    switch (name) {
                        case "maxWeakCount", "stageThreshold" -> {
                            return Ctx.VALUE;
                        }
                        case "weakClassifiers" -> {
                            if (stageHasTreeList) {
                                throw fail("more than one <weakClassifiers> in stage " + currentStage());
                            }
                            stageHasTreeList = true;
                            return Ctx.WEAK_LIST;
                        }
                        default -> throw fail("unexpected <" + name + "> in stage " + currentStage());
                    }
                case WEAK_LIST:
                    expectItem(name, "weakClassifiers");
                    beginTree();
                    return Ctx.WEAK;
                case WEAK:
                    if (name.equals("internalNodes") || name.equals("leafValues")) {
                        return Ctx.VALUE;
                    }
                    throw fail("unexpected <" + name + "> in a weak classifier of stage " + currentStage());
                case FEATURES:
                    expectItem(name, "features");
                    beginFeature();
                    return Ctx.FEATURE;
                case FEATURE:
                    switch (name) {
                        case "rects" -> {
                            if (featureHasRects) {
                                throw fail("more than one <rects> in feature " + currentFeature());
                            }
                            featureHasRects = true;
                            return Ctx.RECTS;
                        }
                        case "tilted" -> {
                            return Ctx.VALUE;
                        }
                        default -> throw fail("unexpected <" + name + "> in feature " + currentFeature());
                    }
                case RECTS:
                    expectItem(name, "rects");
                    if (featureRectCount == HaarCascade.MAX_RECTS) {
                        throw fail("feature " + currentFeature() + " has more than " + HaarCascade.MAX_RECTS
                                + " rectangles");
                    }
                    return Ctx.VALUE;
                case VALUE:
                    throw fail("unexpected element <" + name + "> inside <" + names[depth] + ">");
                case IGNORED:
                    return Ctx.IGNORED;
                default:
                    throw new IllegalStateException("unhandled element role " + parent);
            }
        }

        private void expectItem(String name, String list) throws SAXException {
            if (!name.equals("_")) {
                throw fail("unexpected <" + name + "> in <" + list + ">, expected <_> items");
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) throws SAXException {
            if (depth == 0) {
                return;
            }
            Ctx role = ctx[depth];
            if (role == Ctx.VALUE) {
                if (text.length() + length > MAX_TEXT_CHARS) {
                    throw fail("<" + names[depth] + "> holds more than " + MAX_TEXT_CHARS + " characters");
                }
                text.append(ch, start, length);
            } else if (role != Ctx.IGNORED && role != Ctx.STORAGE && role != Ctx.CASCADE) {
                for (int i = start; i < start + length; i++) {
                    if (!Character.isWhitespace(ch[i])) {
                        throw fail("unexpected text inside <" + names[depth] + ">");
                    }
                }
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) throws SAXException {
            Ctx role = ctx[depth];
            Ctx parent = depth > 1 ? ctx[depth - 1] : null;
            switch (role) {
                case VALUE -> value(parent, qName, text.toString().trim());
                case STAGE -> endStage();
                case WEAK -> endTree();
                case FEATURE -> endFeature();
                default -> {
                    // containers need no work on close
                }
            }
            depth--;
            text.setLength(0);
        }

        private void value(Ctx parent, String name, String value) throws SAXException {
            switch (parent) {
                case CASCADE -> cascadeValue(name, value);
                case FEATURE_PARAMS -> {
                    int categories = parseInt(value, "maxCatCount");
                    if (categories != 0) {
                        throw fail("maxCatCount " + categories + " means a categorical (LBP) cascade;"
                                + " only HAAR cascades are supported");
                    }
                }
                case STAGE -> stageValue(name, value);
                case WEAK -> treeValue(name, value);
                case FEATURE -> {
                    String[] tokens = tokens(value);
                    if (tokens.length != 1 || !(tokens[0].equals("0") || tokens[0].equals("1"))) {
                        throw fail("<tilted> of feature " + currentFeature() + " must be 0 or 1, got '"
                                + shorten(value) + "'");
                    }
                    if (featureTiltFlag >= 0) {
                        throw fail("more than one <tilted> in feature " + currentFeature());
                    }
                    featureTiltFlag = tokens[0].equals("1") ? 1 : 0;
                }
                case RECTS -> rectValue(value);
                default -> throw new IllegalStateException("value element under " + parent);
            }
        }

        private void cascadeValue(String name, String value) throws SAXException {
            switch (name) {
                case "stageType" -> {
                    stageType = value;
                    if (!value.equals("BOOST")) {
                        throw fail("stageType '" + shorten(value) + "' is not supported (only BOOST)");
                    }
                }
                case "featureType" -> {
                    featureType = value;
                    if (!value.equals("HAAR")) {
                        throw fail("featureType '" + shorten(value) + "' is not supported (only HAAR)");
                    }
                }
                case "width" -> width = parseCount(value, "width", 3, MAX_WINDOW_SIDE);
                case "height" -> height = parseCount(value, "height", 3, MAX_WINDOW_SIDE);
                case "stageNum" -> {
                    stageNum = parseCount(value, "stageNum", 1, MAX_STAGES);
                    if (stageThresholds.size() > stageNum) {
                        throw fail("stageNum " + stageNum + " but " + stageThresholds.size() + " stages precede it");
                    }
                }
                default -> throw new IllegalStateException("unhandled cascade value " + name);
            }
        }

        private void beginStage() throws SAXException {
            int stages = stageThresholds.size();
            if (stages == MAX_STAGES) {
                throw fail("more than " + MAX_STAGES + " stages");
            }
            if (stageNum >= 0 && stages == stageNum) {
                throw fail("more stages than stageNum " + stageNum);
            }
            stageDeclaredTrees = -1;
            stageHasThreshold = false;
            stageHasTreeList = false;
            stageThresholds.add(Float.NaN);
            stageTreeStart.add(treeNodeStart.size());
        }

        private int currentStage() {
            return stageThresholds.size() - 1;
        }

        private void stageValue(String name, String value) throws SAXException {
            if (name.equals("maxWeakCount")) {
                if (stageDeclaredTrees >= 0) {
                    throw fail("more than one <maxWeakCount> in stage " + currentStage());
                }
                stageDeclaredTrees = parseCount(value, "maxWeakCount of stage " + currentStage(), 1,
                        limits.maxTreesPerStage());
                int read = treeNodeStart.size() - stageTreeStart.get(currentStage());
                if (read > stageDeclaredTrees) {
                    throw fail("stage " + currentStage() + " has more weak classifiers than its maxWeakCount "
                            + stageDeclaredTrees);
                }
            } else {
                if (stageHasThreshold) {
                    throw fail("more than one <stageThreshold> in stage " + currentStage());
                }
                stageThreshold = parseFloat(value, "stageThreshold of stage " + currentStage());
                stageHasThreshold = true;
            }
        }

        private void endStage() throws SAXException {
            int stage = currentStage();
            if (!stageHasThreshold) {
                throw fail("stage " + stage + " has no <stageThreshold>");
            }
            if (stageDeclaredTrees < 0) {
                throw fail("stage " + stage + " has no <maxWeakCount>");
            }
            int trees = treeNodeStart.size() - stageTreeStart.get(stage);
            if (trees != stageDeclaredTrees) {
                throw fail("stage " + stage + " has " + trees + " weak classifiers but maxWeakCount "
                        + stageDeclaredTrees);
            }
            stageThresholds.set(stage, stageThreshold);
        }

        private void beginTree() throws SAXException {
            int inStage = treeNodeStart.size() - stageTreeStart.get(currentStage());
            if (stageDeclaredTrees >= 0 && inStage == stageDeclaredTrees) {
                throw fail("stage " + currentStage() + " has more weak classifiers than its maxWeakCount "
                        + stageDeclaredTrees);
            }
            if (inStage == limits.maxTreesPerStage() || treeNodeStart.size() == limits.maxTrees()) {
                throw fail("too many weak classifiers (at most " + limits.maxTreesPerStage() + " a stage and "
                        + limits.maxTrees() + " in all)");
            }
            treeNodes = null;
            treeLeaves = null;
        }

        private void treeValue(String name, String value) throws SAXException {
            String where = " of a weak classifier in stage " + currentStage();
            String[] tokens = tokens(value);
            if (name.equals("internalNodes")) {
                if (treeNodes != null) {
                    throw fail("more than one <internalNodes>" + where);
                }
                if (tokens.length == 0 || tokens.length % 4 != 0) {
                    throw fail("<internalNodes>" + where + " must hold groups of 4 numbers"
                            + " 'left right featureIdx threshold', got " + tokens.length + " numbers");
                }
                if (tokens.length / 4 > MAX_NODES_PER_TREE) {
                    throw fail("a weak classifier in stage " + currentStage() + " has more than "
                            + MAX_NODES_PER_TREE + " nodes");
                }
                int[] nodes = new int[tokens.length];
                for (int i = 0; i < tokens.length; i++) {
                    nodes[i] = i % 4 == 3
                            ? Float.floatToRawIntBits(parseFloat(tokens[i], "node threshold" + where))
                            : parseInt(tokens[i], "internalNodes" + where);
                }
                treeNodes = nodes;
            } else {
                if (treeLeaves != null) {
                    throw fail("more than one <leafValues>" + where);
                }
                if (tokens.length == 0 || tokens.length > MAX_NODES_PER_TREE + 1) {
                    throw fail("<leafValues>" + where + " must hold 1 to " + (MAX_NODES_PER_TREE + 1)
                            + " numbers, got " + tokens.length);
                }
                float[] leaves = new float[tokens.length];
                for (int i = 0; i < tokens.length; i++) {
                    leaves[i] = parseFloat(tokens[i], "leafValues" + where);
                }
                treeLeaves = leaves;
            }
        }

        private void endTree() throws SAXException {
            String where = "a weak classifier in stage " + currentStage();
            if (treeNodes == null) {
                throw fail(where + " has no <internalNodes>");
            }
            if (treeLeaves == null) {
                throw fail(where + " has no <leafValues>");
            }
            int nodes = treeNodes.length / 4;
            if (treeLeaves.length != nodes + 1) {
                throw fail(where + " has " + nodes + " nodes, so needs " + (nodes + 1) + " leafValues, got "
                        + treeLeaves.length);
            }
            // every node but the root and every leaf must be the child of exactly one node, and children come
            // after their parent: then the tree is a proper binary tree and every walk ends at a leaf
            int[] nodeParents = new int[nodes];
            int[] leafParents = new int[nodes + 1];
            for (int n = 0; n < nodes; n++) {
                for (int side = 0; side < 2; side++) {
                    int child = treeNodes[4 * n + side];
                    if (child > 0) {
                        if (child <= n || child >= nodes) {
                            throw fail(where + ": node " + n + " has child node " + child + ", which must lie in ("
                                    + n + ", " + nodes + ")");
                        }
                        nodeParents[child]++;
                    } else {
                        if (-(long) child > nodes) {
                            throw fail(where + ": node " + n + " points to leaf " + (-(long) child) + " of "
                                    + (nodes + 1));
                        }
                        leafParents[-child]++;
                    }
                }
            }
            for (int n = 1; n < nodes; n++) {
                if (nodeParents[n] != 1) {
                    throw fail(where + ": node " + n + " is referenced " + nodeParents[n] + " times, not once");
                }
            }
            for (int leaf = 0; leaf <= nodes; leaf++) {
                if (leafParents[leaf] != 1) {
                    throw fail(where + ": leaf " + leaf + " is referenced " + leafParents[leaf] + " times, not once");
                }
            }
            treeNodeStart.add(nodeLeft.size());
            treeLeafStart.add(leafValues.size());
            for (int n = 0; n < nodes; n++) {
                nodeLeft.add(treeNodes[4 * n]);
                nodeRight.add(treeNodes[4 * n + 1]);
                int feature = treeNodes[4 * n + 2];
                if (feature < 0 || feature >= MAX_FEATURES) {
                    throw fail(where + ": featureIdx " + feature + " is out of range");
                }
                nodeFeature.add(feature);
                nodeThreshold.add(Float.intBitsToFloat(treeNodes[4 * n + 3]));
            }
            for (float leaf : treeLeaves) {
                leafValues.add(leaf);
            }
        }

        private void beginFeature() throws SAXException {
            if (featureTilted.size() == MAX_FEATURES) {
                throw fail("more than " + MAX_FEATURES + " features");
            }
            featureRectCount = 0;
            featureTiltFlag = -1;
            featureHasRects = false;
            featureTilted.add(0);
        }

        private int currentFeature() {
            return featureTilted.size() - 1;
        }

        private void rectValue(String value) throws SAXException {
            String[] tokens = tokens(value);
            String where = "rectangle " + featureRectCount + " of feature " + currentFeature();
            if (tokens.length != 5) {
                throw fail(where + " must be 'x y w h weight', got " + tokens.length + " numbers");
            }
            for (int i = 0; i < 4; i++) {
                featureRects.add(parseInt(tokens[i], where));
            }
            float weight = parseFloat(tokens[4], "weight of " + where);
            if (Math.abs(weight) > MAX_RECT_WEIGHT) {
                throw fail("weight " + tokens[4] + " of " + where + " is outside [-" + (int) MAX_RECT_WEIGHT + ", "
                        + (int) MAX_RECT_WEIGHT + "]");
            }
            featureWeights.add(weight);
            featureRectCount++;
        }

        private void endFeature() throws SAXException {
            if (featureRectCount == 0) {
                throw fail("feature " + currentFeature() + " has no rectangles");
            }
            for (int r = featureRectCount; r < HaarCascade.MAX_RECTS; r++) {
                for (int i = 0; i < 4; i++) {
                    featureRects.add(0);
                }
                featureWeights.add(0f);
            }
            featureTilted.set(currentFeature(), Math.max(0, featureTiltFlag));
            featureRectCounts.add(featureRectCount);
        }

        /** Cross-checks that need the whole file, then the cascade. */
        HaarCascade build() {
            requirePresent(sawCascade, "no <cascade> element under <opencv_storage>");
            requirePresent(stageType != null, "<cascade> has no <stageType>");
            requirePresent(featureType != null, "<cascade> has no <featureType>");
            requirePresent(width > 0, "<cascade> has no <width>");
            requirePresent(height > 0, "<cascade> has no <height>");
            requirePresent(sawFeatureParams, "<cascade> has no <featureParams>");
            requirePresent(stageNum > 0, "<cascade> has no <stageNum>");
            requirePresent(sawStages, "<cascade> has no <stages>");
            requirePresent(sawFeatures, "<cascade> has no <features>");
            int stages = stageThresholds.size();
            if (stages != stageNum) {
                throw invalid("stageNum is " + stageNum + " but the file has " + stages + " stages");
            }
            int features = featureTilted.size();
            requirePresent(features > 0, "<features> is empty");
            int nodes = nodeFeature.size();
            for (int n = 0; n < nodes; n++) {
                if (nodeFeature.get(n) >= features) {
                    throw invalid("a weak classifier uses featureIdx " + nodeFeature.get(n) + " but there are only "
                            + features + " features");
                }
            }
            for (int f = 0; f < features; f++) {
                boolean tilted = featureTilted.get(f) == 1;
                for (int r = 0; r < featureRectCounts.get(f); r++) {
                    checkRect(f, r, tilted);
                }
            }
            stageTreeStart.add(treeNodeStart.size());
            treeNodeStart.add(nodeLeft.size());
            treeLeafStart.add(leafValues.size());
            boolean[] tilted = new boolean[features];
            for (int f = 0; f < features; f++) {
                tilted[f] = featureTilted.get(f) == 1;
            }
            return new HaarCascade(source, width, height, stageThresholds.toArray(), stageTreeStart.toArray(),
                    treeNodeStart.toArray(), treeLeafStart.toArray(), nodeLeft.toArray(), nodeRight.toArray(),
                    nodeFeature.toArray(), nodeThreshold.toArray(), leafValues.toArray(), featureRects.toArray(),
                    featureWeights.toArray(), tilted);
        }

        /**
         * A rectangle must lie inside the window. An upright one covers [x, x+w) x [y, y+h); a tilted one
         * reads the rotated integral image at (x, y), (x-h, y+h), (x+w, y+w) and (x+w-h, y+w+h), which must all
         * be window corners or inside it.
         */
        private void checkRect(int feature, int r, boolean tilted) {
            int base = 12 * feature + 4 * r;
            long x = featureRects.get(base);
            long y = featureRects.get(base + 1);
            long w = featureRects.get(base + 2);
            long h = featureRects.get(base + 3);
            boolean inside = tilted
                    ? w > 0 && h > 0 && y >= 0 && x - h >= 0 && x + w <= width && y + w + h <= height
                    : w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= width && y + h <= height;
            if (!inside) {
                throw invalid((tilted ? "tilted " : "") + "rectangle " + r + " (" + x + " " + y + " " + w + " " + h
                        + ") of feature " + feature + " is not inside the " + width + "x" + height + " window");
            }
        }

        private void requirePresent(boolean present, String problem) {
            if (!present) {
                throw invalid(problem);
            }
        }

        private BadInputException invalid(String problem) {
            return new BadInputException("bad cascade file " + source + ": " + problem);
        }

        private String[] tokens(String value) {
            return value.isEmpty() ? new String[0] : WHITESPACE.split(value);
        }

        private int parseInt(String token, String what) throws SAXException {
            if (!INTEGER.matcher(token).matches()) {
                throw fail(what + ": '" + shorten(token) + "' is not an integer");
            }
            long value = Long.parseLong(token);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw fail(what + ": " + token + " is out of range");
            }
            return (int) value;
        }

        private int parseCount(String value, String what, int min, int max) throws SAXException {
            String[] tokens = tokens(value);
            if (tokens.length != 1) {
                throw fail(what + " must be one integer, got '" + shorten(value) + "'");
            }
            int count = parseInt(tokens[0], what);
            if (count < min || count > max) {
                throw fail(what + " " + count + " is outside [" + min + ", " + max + "]");
            }
            return count;
        }

        private float parseFloat(String value, String what) throws SAXException {
            String[] tokens = tokens(value);
            if (tokens.length != 1 || !DECIMAL.matcher(tokens[0]).matches()) {
                throw fail(what + ": '" + shorten(value) + "' is not a finite decimal number");
            }
            // through double, as OpenCV reads reals, so that rare double-rounding cases agree with it too
            float parsed = (float) Double.parseDouble(tokens[0]);
            if (!Float.isFinite(parsed)) {
                throw fail(what + ": " + tokens[0] + " is out of float range");
            }
            return parsed;
        }

        private static String shorten(String value) {
            String line = oneLine(value);
            return line.length() > 40 ? line.substring(0, 40) + "..." : line;
        }
    }

    /** A growable int array. */
    private static final class Ints {
        private int[] data = new int[64];
        private int size;

        void add(int value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        int get(int index) {
            return data[index];
        }

        void set(int index, int value) {
            data[index] = value;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    /** A growable float array. */
    private static final class Floats {
        private float[] data = new float[64];
        private int size;

        void add(float value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        float get(int index) {
            return data[index];
        }

        void set(int index, float value) {
            data[index] = value;
        }

        int size() {
            return size;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    /** The input grew past the size limit while being read. */
    private static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /** Ends the read with an error once more than {@code limit} bytes have come through. */
    private static final class SizeLimitedStream extends FilterInputStream {
        private final long limit;
        private long count;

        SizeLimitedStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                account(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                account(n);
            }
            return n;
        }

        private void account(int n) throws IOException {
            count += n;
            if (count > limit) {
                throw new TooLargeException("more than the " + (limit >> 20) + " MiB limit");
            }
        }
    }
}
