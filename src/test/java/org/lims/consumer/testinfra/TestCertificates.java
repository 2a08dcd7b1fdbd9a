package org.lims.consumer.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * TLS material made at test time (nothing committed): a CA, a server certificate it signed for localhost and
 * 127.0.0.1, and a second CA that signed nothing (a trust store that trusts the wrong CA). Made with the JDK's own
 * keytool: the JDK has no public API to sign a certificate, and keytool {@code -signer} (JDK 17) does it in one step.
 * EC P-256 keys: keytool makes them in a fraction of an RSA key's time.
 *
 * @param keyStore       PKCS12: the server's key and chain [server, CA] (Kafka's {@code ssl.keystore.*})
 * @param trustStore     PKCS12: the CA (the clients' {@code ssl.truststore.*})
 * @param otherTrustStore PKCS12: a CA that did not sign the server certificate
 * @param chainPem       PEM: server certificate and CA (stunnel's {@code cert})
 * @param keyPem         PEM: the server's unencrypted PKCS#8 key (stunnel's {@code key})
 * @param password       of the stores and the key, random per run
 */
public record TestCertificates(Path keyStore, Path trustStore, Path otherTrustStore, Path chainPem, Path keyPem, String password) {

    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            String pw = UUID.randomUUID().toString();
            Path work = dir.resolve("ca-and-server.p12");
            keytool(pw, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=lims test CA",
                    "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign", "-validity", "2", "-keystore", work.toString(), "-storetype", "PKCS12");
            keytool(pw, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-signer", "ca", "-validity", "2", "-ext", "san=dns:localhost,ip:127.0.0.1", "-ext", "eku=serverAuth",
                    "-ext", "ku:c=digitalSignature", "-keystore", work.toString(), "-storetype", "PKCS12");
            keytool(pw, "-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=some other CA",
                    "-ext", "bc:c", "-validity", "2", "-keystore", work.toString(), "-storetype", "PKCS12");
            KeyStore all = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(work)) {
                all.load(in, pw.toCharArray());
            }
            Key key = all.getKey("server", pw.toCharArray());
            Certificate[] chain = all.getCertificateChain("server");
            TestCertificates c = new TestCertificates(dir.resolve("server.p12"), dir.resolve("truststore.p12"), dir.resolve("other-ca.p12"),
                    dir.resolve("server-chain.pem"), dir.resolve("server-key.pem"), pw);
            KeyStore server = KeyStore.getInstance("PKCS12");
            server.load(null, null);
            server.setKeyEntry("server", key, pw.toCharArray(), chain);
            store(server, c.keyStore, pw);
            store(trusting(all.getCertificate("ca")), c.trustStore, pw);
            store(trusting(all.getCertificate("other")), c.otherTrustStore, pw);
            StringBuilder pems = new StringBuilder();
            for (Certificate cert : chain) {
                pems.append(pem("CERTIFICATE", cert.getEncoded()));
            }
            Files.writeString(c.chainPem, pems);
            Files.writeString(c.keyPem, pem("PRIVATE KEY", key.getEncoded()));
            // the CAs' private keys are not needed after signing
            Files.delete(work);
            return c;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore trusting(Certificate ca) throws IOException, java.security.GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca);
        return ts;
    }

    private static void store(KeyStore store, Path file, String pw) throws IOException, java.security.GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, pw.toCharArray());
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String password, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-storepass", password, "-keypass", password));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
