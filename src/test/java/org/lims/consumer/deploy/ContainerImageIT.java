package org.lims.consumer.deploy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.api.Http;
import org.lims.consumer.config.Settings;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image ({@code target/jib-image.tar}, built by Jib when {@code -Dimage.base} is given): it holds
 * exactly the production jar's content, dependencies and the app's jar in layers of their own, and the class-data
 * sharing archive its own JVM wrote in the training catch-up (the JVM of the started image maps it); its configuration is
 * what the Deployment assumes; started from its own root filesystem (read-only, uid 10001, the Deployment's
 * environment and ConfigMap mounts) it gets ready, syncs and serves REST; rebuilt from the same sources it has the
 * same digest. Skipped, with the reason, where the image was not built or cannot be started (not root).
 */
@ExtendWith(LimsInfrastructure.class)
class ContainerImageIT {

    static final String MAIN = "org.lims.consumer.Application";
    static final String APP_JAR = "/app/classpath/lims-consumer-app.jar";
    static final String ARCHIVE = "/app/cds/lims-consumer.jsa";
    static ContainerImage image;
    static Deployment deployment;
    static List<HasMetadata> stg;

    @BeforeAll
    static void unpack() throws Exception {
        String unavailable = System.getProperty("image.unavailable", "");
        skipUnless(unavailable.isBlank(), "no base image could be built here: " + unavailable);
        skipUnless(Files.isRegularFile(ContainerImage.TAR), ContainerImage.TAR + " was not built: the image is built at package when "
                + "-Dimage.base is given (.ci/run gives a base it builds from Debian packages) or with -P image");
        skipUnless("0".equals(ContainerImage.run(List.of("id", "-u"), 10).trim()), "starting the image needs root (mount and pid namespaces, chroot)");
        skipUnless(Manifests.onPath("jq").isPresent() && Manifests.onPath("unshare").isPresent(),
                "jq and unshare (util-linux) are needed to start the image: apt-get install jq");
        long started = System.nanoTime();
        image = ContainerImage.unpack(LimsInfrastructure.tempDir("lims-image"));
        System.out.printf(Locale.ROOT, "image: unpacked in %.1f s%n", (System.nanoTime() - started) / 1e9);
        if (Manifests.renderer().isPresent()) {
            deployment = KustomizeManifestsTest.one(KustomizeManifestsTest.rendered("overlays/prod"), Deployment.class);
            stg = KustomizeManifestsTest.rendered("overlays/stg");
        } else {
            deployment = Manifests.YAML.readValue(Path.of("kustomize/base/deployment.yaml").toFile(), Deployment.class);
        }
    }

    /** Skipped with the reason; in CI only when .ci/run said why it could not build a base (then the first check skips). */
    static void skipUnless(boolean condition, String reason) {
        if (!condition) {
            System.out.println("ContainerImageIT skipped: " + reason);
            assertTrue(System.getenv("CI") == null || !System.getProperty("image.unavailable", "").isBlank(), "CI must build and start the image: " + reason);
            Assumptions.abort(reason);
        }
    }

    @Test
    void itHoldsTheProductionJarsContentInLayersAndWhatTheDeploymentAssumes() throws Exception {
        List<ContainerImage.Layer> layers = ContainerImage.layers();
        long compressed = 0;
        long unpacked = 0;
        for (ContainerImage.Layer l : layers) {
            compressed += l.compressedBytes();
            unpacked += l.bytes();
            System.out.printf(Locale.ROOT, "image layer %s: %,d bytes compressed, %,d unpacked, %,d paths, e.g. %s%n", l.file().substring(0, 12),
                    l.compressedBytes(), l.bytes(), l.paths().size(), l.paths().stream().filter(p -> !p.endsWith("/")).findFirst().orElse("-"));
        }
        System.out.printf(Locale.ROOT, "image: %d layers, %.1f MiB compressed, %.1f MiB unpacked, digest %s%n", layers.size(),
                compressed / 1048576.0, unpacked / 1048576.0, Files.readString(ContainerImage.DIGEST).trim());

        int libs = layerHolding(layers, "/app/libs/");
        int app = layerHolding(layers, APP_JAR);
        int archive = layerHolding(layers, ARCHIVE);
        assertTrue(libs > 0 && libs < app && app < archive, "the dependencies above the base, then the app's jar, then its archive: " + layers);
        assertTrue(files(layers.get(libs)).stream().allMatch(p -> p.startsWith("/app/libs/") && p.endsWith(".jar")), "the dependency layer holds jars only");
        assertEquals(List.of(APP_JAR), files(layers.get(app)), "the app's layer holds its jar only");
        assertEquals(List.of(ARCHIVE), files(layers.get(archive)), "the archive's layer holds the archive only");

        // the same classes as the shaded production jar: the runtime dependencies' and the app's own, nothing else
        Path root = image.rootfs();
        Set<String> imageClasses = new TreeSet<>();
        try (Stream<Path> jars = Files.list(root.resolve("app/libs"))) {
            for (Path jar : jars.toList()) {
                imageClasses.addAll(classEntries(jar));
            }
        }
        byte[] appJar = Files.readAllBytes(Path.of("target/lims-consumer-app.jar"));
        assertEquals(appJar.length, Files.size(root.resolve(APP_JAR.substring(1))));
        assertTrue(java.util.Arrays.equals(appJar, Files.readAllBytes(root.resolve(APP_JAR.substring(1)))),
                APP_JAR + " is the app's own jar, target/lims-consumer-app.jar");
        imageClasses.addAll(classEntries(root.resolve(APP_JAR.substring(1))));
        Set<String> shaded = classEntries(ChildProcess.appJar());
        assertEquals(Set.of(), difference(shaded, imageClasses), "classes of the production jar missing from the image");
        assertEquals(Set.of(), difference(imageClasses, shaded), "classes in the image the production jar does not hold");

        // what the Deployment assumes: the user, the ports, the entrypoint (it sets no command), /tmp the only writable path
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        PodSecurityContext pod = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
        assertEquals(pod.getRunAsUser() + ":" + pod.getRunAsGroup(), image.container().path("User").asText());
        Set<String> ports = new TreeSet<>();
        image.container().path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertEquals(new TreeSet<>(container.getPorts().stream().map(p -> p.getContainerPort() + "/tcp").toList()), ports);
        Map<String, String> env = environment(image.container());
        assertEquals(port(container, "http"), env.get("LIMS_HTTP_PORT"));
        assertEquals(port(container, "metrics"), env.get("LIMS_MANAGEMENT_PORT"));
        assertEquals("prod", env.get("CAMEL_MAIN_PROFILE"));
        assertEquals(List.of(), container.getCommand(), "the Deployment runs the image's entrypoint");
        assertEquals(List.of(), container.getArgs(), "the Deployment runs the image's entrypoint");
        List<String> entrypoint = new java.util.ArrayList<>(List.of("java"));
        entrypoint.addAll(org.lims.consumer.bench.ImageJvmFlags.read());
        entrypoint.addAll(List.of("-cp", "@/app/jib-classpath-file", MAIN));
        assertEquals(entrypoint, image.entrypoint(), "java, the JVM flags of pom.xml's Jib configuration, the app");
        assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError") && entrypoint.contains("-Djava.io.tmpdir=/tmp"), entrypoint::toString);
        assertEquals(List.of("/tmp"), container.getVolumeMounts().stream().filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
                .map(VolumeMount::getMountPath).toList(), "the JVM's temporary directory is the only writable mount");
        assertEquals("/app", image.container().path("WorkingDir").asText());
        System.out.println("image config: user " + image.container().path("User").asText() + ", ports " + ports + ", entrypoint "
                + String.join(" ", image.entrypoint()) + ", env " + env);
    }

    @Test
    void startedFromItsOwnRootFilesystemAsDeployedItGetsReadySyncsAndServesRest() throws Exception {
        Map<String, String> routes;
        Map<String, String> config;
        Map<String, String> deployed;
        if (stg != null) {
            routes = KustomizeManifestsTest.configMap(stg, "lims-consumer-routes").getData();
            config = KustomizeManifestsTest.configMap(stg, "lims-consumer-config").getData();
            deployed = KustomizeManifestsTest.environment(stg);
        } else {
            routes = DeployedConfigIT.generatorFiles("lims-consumer-routes");
            config = DeployedConfigIT.generatorFiles("lims-consumer-config");
            deployed = DeployedConfigIT.baseEnvironmentLiterals();
        }
        Path volumes = LimsInfrastructure.tempDir("lims-image-volumes");
        DeployedConfigIT.write(volumes.resolve("routes"), routes);
        DeployedConfigIT.write(volumes.resolve("config"), config);
        Map<Path, String> mounts = new LinkedHashMap<>();
        mounts.put(volumes.resolve("routes"), KustomizeManifestsTest.ROUTES_MOUNT);
        mounts.put(volumes.resolve("config"), KustomizeManifestsTest.CONFIG_MOUNT);

        TestScope scope = TestScope.create("image");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        int http = LimsApp.freePort();
        int management = LimsApp.freePort();
        Map<String, String> env = new LinkedHashMap<>(deployed);
        scope.appProperties().forEach((k, v) -> env.put(Settings.envName(k), v));
        // the host's network: the ports the Deployment uses may be taken here
        env.put("LIMS_HTTP_PORT", String.valueOf(http));
        env.put("LIMS_MANAGEMENT_PORT", String.valueOf(management));
        env.put("LIMS_KAFKA_GROUP_INSTANCE_ID", "lims-consumer-image-it-0");

        File log = Files.createTempFile("lims-image-run", ".log").toFile();
        long started = System.nanoTime();
        Process process = image.start(env, mounts, log);
        try (LimsEvents events = new LimsEvents(scope); ConsumerDb db = new ConsumerDb(scope)) {
            Http api = new Http(http);
            Http observe = new Http(management);
            await("readiness /observe/health/ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                assertTrue(process.isAlive(), () -> "the image's process exited:\n" + read(log));
                try {
                    return observe.get("/observe/health/ready").status() == 200;
                } catch (java.io.UncheckedIOException notListeningYet) {
                    return false;
                }
            });
            double ready = (System.nanoTime() - started) / 1e9;
            ProcessHandle jvm = ContainerImage.jvm(process);
            String status = Files.readString(Path.of("/proc/" + jvm.pid() + "/status"));
            assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+10001\\s+10001\\s+10001\\s+10001")), status);
            assertTrue(status.lines().anyMatch(l -> l.matches("CapEff:\\s+0+")), "no capabilities: " + status);
            // the image's JVM took its class-data sharing archive (a JVM that does not fit one ignores it silently)
            assertTrue(Files.readAllLines(Path.of("/proc/" + jvm.pid() + "/maps")).stream().anyMatch(l -> l.endsWith(ARCHIVE)),
                    "the JVM maps " + ARCHIVE + ": the archive fits the image's JVM and class path");
            List<String> mountsSeen = Files.readAllLines(Path.of("/proc/" + jvm.pid() + "/mountinfo"));
            assertTrue(mountsSeen.stream().map(l -> l.split(" ")).anyMatch(f -> f[4].equals("/") && f[5].startsWith("ro")),
                    "the root file system is read-only: " + mountsSeen);

            LocalDateTime t0 = LocalDateTime.of(2024, 9, 1, 8, 0);
            events.send("tomato", LimsEvents.record(11, LimsEvents.image(11, 300), t0, null));
            db.awaitRecord("tomato", 11, d -> true, Duration.ofSeconds(60));
            Http.Response image = api.get("/image-plant/tomato/11");
            assertEquals(200, image.status(), image.toString());
            assertEquals(11, image.json().get("id").asInt());

            ProcessHandle.Info info = jvm.info();
            long term = System.nanoTime();
            process.descendants().forEach(ProcessHandle::destroy);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "SIGTERM: the app did not exit in 60 s:\n" + read(log));
            double exit = (System.nanoTime() - term) / 1e9;
            String output = read(log);
            System.out.printf(Locale.ROOT, "image: ready %.1f s after the start (unpacked root, uid 10001, read-only), SIGTERM to exit %.1f s, "
                    + "exit code %d; %s%n", ready, exit, process.exitValue(), info.commandLine().orElse("?"));
            System.out.println("image start-up lines:");
            output.lines().filter(l -> l.startsWith("image:") || l.contains("Bootstrap") || l.contains("is starting with profile")
                    || l.contains("Started sync-batch") || l.contains("ApiServer") || l.contains("Applied batch")
                    || l.contains("shutdown")).forEach(l -> System.out.println("  " + l));
            assertTrue(output.contains("Applied batch"), output);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    void rebuiltFromTheSameSourcesItHasTheSameDigest() throws Exception {
        // new modification times in the app's part: Jib must not carry them into the layers
        FileTime now = FileTime.fromMillis(System.currentTimeMillis());
        for (Path f : List.of(Path.of("target/lims-consumer-app.jar"), Path.of("target/cds/lims-consumer.jsa"))) {
            Files.setLastModifiedTime(f, now);
        }
        Path again = LimsInfrastructure.tempDir("lims-image-again");
        long started = System.nanoTime();
        ContainerImage.run(List.of("./mvnw", "-o", "-q", "-B", "jib:buildTar", "-Dimage.base=" + System.getProperty("image.base"),
                "-Djib.outputPaths.tar=" + again.resolve("image.tar"), "-Djib.outputPaths.digest=" + again.resolve("digest"),
                "-Djib.outputPaths.imageId=" + again.resolve("id"), "-Djib.outputPaths.imageJson=" + again.resolve("image.json")), 600);
        System.out.printf(Locale.ROOT, "image: rebuilt in %.1f s, digest %s%n", (System.nanoTime() - started) / 1e9,
                Files.readString(again.resolve("digest")).trim());
        assertEquals(Files.readString(ContainerImage.DIGEST).trim(), Files.readString(again.resolve("digest")).trim());
    }

    private static int layerHolding(List<ContainerImage.Layer> layers, String prefix) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).paths().stream().anyMatch(p -> p.startsWith(prefix) && !p.endsWith("/"))) {
                return i;
            }
        }
        throw new AssertionError("no layer holds " + prefix);
    }

    private static List<String> files(ContainerImage.Layer layer) {
        return layer.paths().stream().filter(p -> !p.endsWith("/")).toList();
    }

    private static Set<String> classEntries(Path jar) throws java.io.IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            Set<String> names = new TreeSet<>();
            // the shaded jar leaves out module descriptors, which merging breaks
            j.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class")).forEach(names::add);
            return names;
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d.size() > 20 ? new TreeSet<>(new ArrayList<>(d).subList(0, 20)) : d;
    }

    private static Map<String, String> environment(com.fasterxml.jackson.databind.JsonNode container) {
        Map<String, String> env = new HashMap<>();
        container.path("Env").forEach(e -> {
            String[] kv = e.asText().split("=", 2);
            env.put(kv[0], kv[1]);
        });
        return env;
    }

    private static String port(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).map(String::valueOf)
                .findFirst().orElseThrow(() -> new AssertionError("no container port " + name));
    }

    private static String read(File log) {
        try {
            return Files.readString(log.toPath());
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
