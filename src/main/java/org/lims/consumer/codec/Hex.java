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
     * A digit's value shifted for the high half of a byte ({@code HIGH}) or not ({@code LOW}), by byte value, and
     * negative for anything that is no hex digit: a pair decodes as {@code HIGH[a] | LOW[b]}, negative when either is
     * not a digit. Two lookups in tables that stay in the L1 cache; the decode loop runs over every byte of every
     * image, in a catch-up mostly as C1 code, which optimizes a loop little (four pairs an iteration, one test).
     */
    private static final int[] HIGH = new int[256];
    private static final int[] LOW = new int[256];

    static {
        java.util.Arrays.fill(HIGH, Integer.MIN_VALUE);
        java.util.Arrays.fill(LOW, Integer.MIN_VALUE);
        for (int c = 0; c < 128; c++) {
            if (VALUES[c] >= 0) {
                HIGH[c] = VALUES[c] << 4;
                LOW[c] = VALUES[c];
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
        int[] high = HIGH;
        int[] low = LOW;
        while (j + 7 < end) {
            int a = high[json[j] & 0xff] | low[json[j + 1] & 0xff];
            int b = high[json[j + 2] & 0xff] | low[json[j + 3] & 0xff];
            int c = high[json[j + 4] & 0xff] | low[json[j + 5] & 0xff];
            int d = high[json[j + 6] & 0xff] | low[json[j + 7] & 0xff];
            if ((a | b | c | d) < 0) {
                // one of the four is not a pair of digits: the loop below finds which
                break;
            }
            out[n] = (byte) a;
            out[n + 1] = (byte) b;
            out[n + 2] = (byte) c;
            out[n + 3] = (byte) d;
            n += 4;
            j += 8;
        }
        while (j + 1 < end) {
            int v = high[json[j] & 0xff] | low[json[j + 1] & 0xff];
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
