package org.lims.consumer.deploy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.lims.consumer.testinfra.ChildProcess;

/**
 * The image {@code jib:buildTar} wrote (a docker-archive: manifest, config, gzipped layers), unpacked and started
 * from its own root filesystem by {@code src/test/image/run-image.sh}, where no container runtime can run.
 */
final class ContainerImage {

    static final Path TAR = Path.of("target/jib-image.tar");
    static final Path DIGEST = Path.of("target/jib-image.digest");
    static final Path SCRIPT = Path.of("src/test/image/run-image.sh");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One layer: its compressed and unpacked size, and the paths it holds. */
    record Layer(String file, long compressedBytes, long bytes, List<String> paths) {
    }

    final Path dir;
    final JsonNode config;

    private ContainerImage(Path dir, JsonNode config) {
        this.dir = dir;
        this.config = config;
    }

    static ContainerImage unpack(Path dir) {
        run(List.of("bash", SCRIPT.toString(), "unpack", TAR.toString(), dir.toString()), 300);
        try {
            return new ContainerImage(dir, JSON.readTree(dir.resolve("config.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path rootfs() {
        return dir.resolve("rootfs");
    }

    JsonNode container() {
        return config.path("config");
    }

    List<String> entrypoint() {
        List<String> args = new ArrayList<>();
        container().path("Entrypoint").forEach(a -> args.add(a.asText()));
        return args;
    }

    /** The layers in order, base first, read from the archive. */
    static List<Layer> layers() throws IOException {
        Path work = Files.createTempDirectory("lims-image-layers");
        try {
            run(List.of("tar", "-xf", TAR.toString(), "-C", work.toString()), 120);
            JsonNode manifest = JSON.readTree(work.resolve("manifest.json").toFile()).get(0);
            List<Layer> layers = new ArrayList<>();
            for (JsonNode name : manifest.path("Layers")) {
                Path layer = work.resolve(name.asText());
                long bytes;
                try (InputStream in = new GZIPInputStream(Files.newInputStream(layer), 1 << 16)) {
                    bytes = in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                List<String> paths = run(List.of("tar", "--warning=no-unknown-keyword", "-tzf", layer.toString()), 120).lines()
                        .map(p -> p.startsWith("./") ? p.substring(1) : p.startsWith("/") ? p : "/" + p).toList();
                layers.add(new Layer(name.asText(), Files.size(layer), bytes, paths));
            }
            return layers;
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Starts the image's entrypoint as {@code run-image.sh run} does; {@code mounts} maps host directories to the paths
     * they appear at (read-only), as a pod's volume mounts.
     */
    Process start(Map<String, String> environment, Map<Path, String> mounts, File log) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), "run", dir.toString()));
        environment.forEach((k, v) -> command.add(k + "=" + v));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        StringBuilder m = new StringBuilder();
        mounts.forEach((host, path) -> m.append(host.toAbsolutePath()).append(':').append(path).append(' '));
        builder.environment().put("MOUNTS", m.toString().trim());
        return builder.start();
    }

    /** The app's JVM inside the namespace: the descendant that runs java. */
    static ProcessHandle jvm(Process started) {
        return ChildProcess.jvm(started.toHandle());
    }

    static String run(List<String> command, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile("lims-image", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": no exit within " + timeoutSeconds + " s");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.delete(out);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
