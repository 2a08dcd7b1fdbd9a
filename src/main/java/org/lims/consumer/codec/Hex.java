package org.lims.consumer.codec;

/** Lowercase/uppercase hex to bytes and back, without intermediate Strings: images are tens of KB. */
public final class Hex {

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < 10; i++) {
            VALUES['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            VALUES['a' + i] = (byte) (10 + i);
            VALUES['A' + i] = (byte) (10 + i);
        }
    }

    /**
     * Two ASCII hex digits (first digit's byte in the high 8 bits) to their byte value, or -1: one lookup per
     * output byte. The decode loop runs over every byte of every image, and in a catch-up mostly as C1 code,
     * which optimizes a loop little: fewer operations per byte matter more than a small table.
     */
    private static final short[] PAIRS = new short[1 << 16];

    static {
        java.util.Arrays.fill(PAIRS, (short) -1);
        for (int hi = 0; hi < 128; hi++) {
            for (int lo = 0; lo < 128; lo++) {
                if (VALUES[hi] >= 0 && VALUES[lo] >= 0) {
                    PAIRS[(hi << 8) | lo] = (short) ((VALUES[hi] << 4) | VALUES[lo]);
                }
            }
        }
    }

    private Hex() {
    }

    /** A JSON string's hex digits decoded, and the index of its closing quote. */
    public record Quoted(byte[] bytes, int closingQuote) {
    }

    /**
     * Decodes the hex digits of a JSON string straight from the message bytes, from {@code from} (just after the
     * opening quote) to the closing quote, in one pass: pairs are decoded until one is not two hex digits, which
     * must then start with the closing quote; {@code end} is where the message ends in {@code json} (a Kafka
     * record's value is a slice of the fetched bytes). Returns null when the string holds anything but hex digits
     * (an escape, a bad digit) or has an odd length: the caller then decodes Jackson's text, which gives the
     * precise error.
     */
    public static Quoted decodeQuoted(byte[] json, int from, int end) {
        // room for the longest string the message can hold; trimmed once its end is known (one copy, an intrinsic)
        byte[] out = new byte[Math.max(0, end - from) >> 1];
        int n = 0;
        int j = from;
        while (j + 1 < end) {
            int v = PAIRS[((json[j] & 0xff) << 8) | (json[j + 1] & 0xff)];
            if (v < 0) {
                break;
            }
            out[n++] = (byte) v;
            j += 2;
        }
        if (j >= end || json[j] != '"') {
            return null;
        }
        return new Quoted(n == out.length ? out : java.util.Arrays.copyOf(out, n), j);
    }

    public static byte[] decode(char[] chars, int offset, int length) {
        if ((length & 1) != 0) {
            throw new InvalidRecordException(RejectionReason.INVALID_HEX, "field 'data' has an odd number of hex digits (" + length + ")");
        }
        byte[] out = new byte[length >> 1];
        for (int i = 0, j = offset; i < out.length; i++, j += 2) {
            int hi = value(chars[j], j - offset);
            int lo = value(chars[j + 1], j + 1 - offset);
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    public static byte[] decode(String hex) {
        return decode(hex.toCharArray(), 0, hex.length());
    }

    private static int value(char c, int position) {
        int v = c < 128 ? VALUES[c] : -1;
        if (v < 0) {
            throw new InvalidRecordException(RejectionReason.INVALID_HEX,
                    "field 'data' has a non-hex character at position " + position);
        }
        return v;
    }

    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0, j = 0; i < bytes.length; i++) {
            out[j++] = DIGITS[(bytes[i] >> 4) & 0xF];
            out[j++] = DIGITS[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
