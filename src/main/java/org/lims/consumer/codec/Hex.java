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

    private Hex() {
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
