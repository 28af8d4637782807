package org.siamese4j.model.io;

/** What a container section holds. The codes are part of the file format: never renumber them. */
public enum SectionType {
    BYTES(1, 1, "bytes"),
    UTF8(2, 1, "UTF-8 text"),
    FLOAT32(3, 4, "float32 values"),
    INT32(4, 4, "int32 values"),
    INT64(5, 8, "int64 values"),
    FLOAT64(6, 8, "float64 values");

    private static final SectionType[] BY_CODE = new SectionType[256];

    static {
        for (SectionType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final int elementBytes;
    private final String description;

    SectionType(int code, int elementBytes, String description) {
        this.code = code;
        this.elementBytes = elementBytes;
        this.description = description;
    }

    /** The u8 stored in the section table. */
    public int code() {
        return code;
    }

    /** Bytes per element; a section's length must be a multiple of it. */
    public int elementBytes() {
        return elementBytes;
    }

    /** For messages: "holds int32 values". */
    public String description() {
        return description;
    }

    /** The type for a stored code, or null for a code this build does not know. */
    static SectionType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
