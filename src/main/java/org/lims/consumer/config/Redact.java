package org.lims.consumer.config;

/** Keeps credentials out of logs and error lines. */
public final class Redact {

    private Redact() {
    }

    /** mongodb://user:secret@host/db -> mongodb://user:***@host/db */
    public static String uri(String uri) {
        if (uri == null) {
            return null;
        }
        return uri.replaceAll("(://[^:/@]+):[^@/]*@", "$1:***@");
    }
}
