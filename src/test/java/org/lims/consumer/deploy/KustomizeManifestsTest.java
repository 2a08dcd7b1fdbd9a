package org.lims.consumer.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment (kustomize/): base, stg and prod rendered with {@code kubectl kustomize} (or the
 * kustomize binary), every document read into its typed Kubernetes class with no unknown field, and
 * the properties that matter asserted. Without a renderer on the machine the render tests are skipped
 * with the reason printed, and every source file under kustomize/ is still checked against the model.
 */
class KustomizeManifestsTest {

    static final Path KUSTOMIZE = Path.of("kustomize");
    static final Path ROUTES = Path.of("src/main/resources/routes");
    static final Path RESOURCES = Path.of("src/main/resources");
    static final String NAMESPACE = "leaf-image-management-system";
    static final String KAFKA = "kafka-service.leaf-image-management-system.svc.cluster.local:9092";
    static final String MONGODB = "mongodb-consumer.leaf-image-management-system.svc.cluster.local:27017";
    static final String APP = "lims-consumer";
    static final String ROUTES_MOUNT = "/etc/lims-consumer/routes";
    static final String CONFIG_MOUNT = "/etc/lims-consumer/config";

    private static final Map<String, List<HasMetadata>> RENDERED = new LinkedHashMap<>();

    /** The rendered target as typed objects; skipped (with the reason) when no renderer is installed. */
    static synchronized List<HasMetadata> rendered(String target) {
        Optional<List<String>> renderer = Manifests.renderer();
        if (renderer.isEmpty()) {
            String reason = "neither kubectl nor kustomize is on PATH: rendering of kustomize/" + target
                    + " skipped; the source files are still checked against the Kubernetes model";
            System.out.println("KustomizeManifestsTest: " + reason);
            Assumptions.abort(reason);
        }
        return RENDERED.computeIfAbsent(target, t -> {
            String yaml = Manifests.render(renderer.get(), KUSTOMIZE.resolve(t));
            List<HasMetadata> objects = new ArrayList<>();
            for (JsonNode doc : Manifests.documents(yaml)) {
                objects.add(Manifests.typed(doc, "kustomize/" + t + " (rendered)"));
            }
            return objects;
        });
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        assertEquals(1, found.size(), "exactly one " + type.getSimpleName());
        return found.get(0);
    }

    static GenericKubernetesResource custom(List<HasMetadata> objects, String kind) {
        return all(objects, GenericKubernetesResource.class).stream().filter(r -> kind.equals(r.getKind())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    /** The ConfigMap a kustomize generator made from {@code name} (its name carries a hash suffix). */
    static ConfigMap configMap(List<HasMetadata> objects, String name) {
        return all(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals(name) || c.getMetadata().getName().matches(name + "-[a-z0-9]{10}"))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name));
    }

    static Container container(List<HasMetadata> objects) {
        PodSpec pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
        assertEquals(1, pod.getContainers().size());
        return pod.getContainers().get(0);
    }

    /** The container's environment as the pod sees it: envFrom ConfigMaps, then env (literal values only). */
    static Map<String, String> environment(List<HasMetadata> objects) {
        Container c = container(objects);
        Map<String, String> env = new LinkedHashMap<>();
        c.getEnvFrom().forEach(from -> {
            assertNotNull(from.getConfigMapRef(), "envFrom only from ConfigMaps (the Secret is referenced by key)");
            ConfigMap cm = all(objects, ConfigMap.class).stream()
                    .filter(m -> m.getMetadata().getName().equals(from.getConfigMapRef().getName())).findFirst()
                    .orElseThrow(() -> new AssertionError("envFrom ConfigMap " + from.getConfigMapRef().getName() + " not rendered"));
            env.putAll(cm.getData());
        });
        c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(RESOURCES.resolve("application.properties"))) {
            p.load(in);
        }
        return p;
    }

    static int defaultPort(String key) throws IOException {
        return Integer.parseInt(applicationProperties().getProperty(key).trim());
    }

    static Map<String, String> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(ROUTES)) {
            Map<String, String> routes = new LinkedHashMap<>();
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList()) {
                routes.put(f.getFileName().toString(), Files.readString(f));
            }
            assertFalse(routes.isEmpty(), "route files in " + ROUTES);
            return routes;
        }
    }

    // --- always (no renderer needed): the source files

    @Test
    void everySourceManifestUnderKustomizeIsATypedKubernetesObjectWithoutUnknownFields() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(KUSTOMIZE)) {
            files = walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
        int objects = 0;
        for (Path file : files) {
            for (JsonNode doc : Manifests.documents(Files.readString(file))) {
                String kind = doc.path("kind").asText();
                if (kind.equals("Kustomization") || kind.equals("Component")) {
                    kustomizationReferencesExist(file, doc);
                } else {
                    Manifests.typed(doc, file.toString());
                    objects++;
                }
            }
        }
        assertTrue(objects >= 10, "Kubernetes objects and patches under kustomize/: " + objects);
        kustomizationReferencesExist(Path.of("src/main/kustomization.yaml"),
                Manifests.documents(Files.readString(Path.of("src/main/kustomization.yaml"))).get(0));
    }

    /** Every file a kustomization names exists (what a render would reject, checked without one). */
    static void kustomizationReferencesExist(Path file, JsonNode k) {
        Path dir = file.getParent();
        List<String> refs = new ArrayList<>();
        k.path("resources").forEach(r -> refs.add(r.asText()));
        k.path("components").forEach(r -> refs.add(r.asText()));
        k.path("patches").forEach(p -> {
            if (p.has("path")) {
                refs.add(p.path("path").asText());
            }
        });
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            k.path(generator).forEach(g -> g.path("files").forEach(f -> refs.add(f.asText().replaceFirst("^[^=]*=", ""))));
        }
        for (String ref : refs) {
            assertTrue(Files.exists(dir.resolve(ref)), file + " references " + ref + ", which does not exist");
        }
    }

    @Test
    void theRoutesGeneratorListsEveryRouteFileAndTheProperties() throws IOException {
        JsonNode k = Manifests.documents(Files.readString(Path.of("src/main/kustomization.yaml"))).get(0);
        Map<String, Set<String>> generated = new LinkedHashMap<>();
        k.path("configMapGenerator").forEach(g -> {
            Set<String> files = new TreeSet<>();
            g.path("files").forEach(f -> files.add(f.asText()));
            generated.put(g.path("name").asText(), files);
        });
        Set<String> routes = routeFiles().keySet().stream().map(f -> "resources/routes/" + f).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(routes, generated.get("lims-consumer-routes"), "src/main/kustomization.yaml must list every route file");
        assertEquals(Set.of("resources/application.properties", "resources/application-prod.properties"),
                generated.get("lims-consumer-config"));
    }

    @Test
    void theStrictReadRejectsAFieldTheModelDoesNotKnow() {
        String typo = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: x
                          livenesProbe: {httpGet: {path: /, port: 1}}
                """;
        AssertionError e = assertThrows(AssertionError.class, () -> Manifests.typed(Manifests.documents(typo).get(0), "typo"));
        assertTrue(e.getMessage().contains("livenesProbe"), e.getMessage());
        String crdTypo = """
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: x}
                spec:
                  endpoints: [{port: metrics, pat: /observe/metrics}]
                """;
        assertThrows(IllegalArgumentException.class, () -> Manifests.typed(Manifests.documents(crdTypo).get(0), "crd typo"));
        String unknownKind = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n";
        assertThrows(AssertionError.class, () -> Manifests.typed(Manifests.documents(unknownKind).get(0), "kind"));
    }

    // --- rendered: base, stg, prod

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/stg", "overlays/prod"})
    void rendersIntoTypedObjects(String target) {
        List<HasMetadata> objects = rendered(target);
        Set<String> kinds = objects.stream().map(HasMetadata::getKind).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(kinds.containsAll(Set.of("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy")), kinds.toString());
        assertTrue(objects.stream().allMatch(o -> APP.equals(o.getMetadata().getLabels().get("app.kubernetes.io/name"))),
                "every object carries app.kubernetes.io/name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/stg", "overlays/prod"})
    void overlaysDeployIntoTheLimsNamespaceWithTheInClusterAddresses(String target) {
        List<HasMetadata> objects = rendered(target);
        for (HasMetadata o : objects) {
            assertEquals(NAMESPACE, o.getMetadata().getNamespace(), o.getKind() + " " + o.getMetadata().getName());
        }
        Map<String, String> env = environment(objects);
        assertEquals(KAFKA, env.get("LIMS_KAFKA_BROKERS"));
        assertEquals("prod", env.get("CAMEL_MAIN_PROFILE"), "the app's profile for real infrastructure");
        assertEquals(target.substring("overlays/".length()), env.get("LIMS_ENVIRONMENT"));
        EnvVar mongo = container(objects).getEnv().stream().filter(e -> e.getName().equals("LIMS_MONGODB_URI")).findFirst().orElseThrow();
        assertNull(mongo.getValue(), "the MongoDB URI comes from a Secret, never a literal");
        assertEquals("uri", mongo.getValueFrom().getSecretKeyRef().getKey());
        if (target.endsWith("stg")) {
            Secret secret = one(objects, Secret.class);
            assertEquals(secret.getMetadata().getName(), mongo.getValueFrom().getSecretKeyRef().getName());
            String uri = new String(java.util.Base64.getMimeDecoder().decode(secret.getData().get("uri")), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals("mongodb://" + MONGODB, uri);
        } else {
            assertTrue(all(objects, Secret.class).isEmpty(), "prod credentials are not in the repository");
            assertEquals("lims-consumer-mongodb", mongo.getValueFrom().getSecretKeyRef().getName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/stg", "overlays/prod"})
    void probesResourcesAndSecurityContext(String target) throws IOException {
        List<HasMetadata> objects = rendered(target);
        Deployment deployment = one(objects, Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container c = container(objects);

        // named ports, matching application.properties (and the env, which could override them)
        Map<String, Integer> ports = c.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertEquals(Map.of("http", defaultPort("lims.http.port"), "metrics", defaultPort("lims.management.port")), ports);
        Map<String, String> env = environment(objects);
        assertEquals(String.valueOf(ports.get("http")), env.get("LIMS_HTTP_PORT"));
        assertEquals(String.valueOf(ports.get("metrics")), env.get("LIMS_MANAGEMENT_PORT"));

        // probes: the management server's health groups, on the metrics port
        Function<Probe, String> path = p -> p.getHttpGet().getPath();
        Function<Probe, String> port = p -> p.getHttpGet().getPort().getStrVal();
        assertEquals("/observe/health/live", path.apply(c.getLivenessProbe()));
        assertEquals("/observe/health/ready", path.apply(c.getReadinessProbe()));
        assertEquals("/observe/health/live", path.apply(c.getStartupProbe()));
        for (Probe p : List.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe())) {
            assertEquals("metrics", port.apply(p));
        }
        assertTrue(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold() >= 60,
                "the startup probe allows at least a minute");

        // resources: requests and limits for cpu and memory, the memory limit above the request
        var res = c.getResources();
        for (String r : List.of("cpu", "memory")) {
            assertNotNull(res.getRequests().get(r), "request " + r);
            assertNotNull(res.getLimits().get(r), "limit " + r);
        }
        assertTrue(res.getLimits().get("memory").getNumericalAmount().compareTo(res.getRequests().get("memory").getNumericalAmount()) >= 0);

        // security: non-root, read-only root filesystem with a writable /tmp, no escalation, no capabilities
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        SecurityContext sc = c.getSecurityContext();
        assertTrue(sc.getRunAsNonRoot());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertFalse(Boolean.TRUE.equals(sc.getPrivileged()));
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty());
        assertFalse(pod.getAutomountServiceAccountToken());
        assertFalse(pod.getEnableServiceLinks(), "no <SERVICE>_* variables for camel-main to misread");
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        Map<String, String> mounts = c.getVolumeMounts().stream().collect(Collectors.toMap(m -> m.getMountPath(), m -> m.getName()));
        assertNotNull(volumes.get(mounts.get("/tmp")).getEmptyDir(), "/tmp is a writable emptyDir");

        // static membership from the pod name
        EnvVar instance = c.getEnv().stream().filter(e -> e.getName().equals("LIMS_KAFKA_GROUP_INSTANCE_ID")).findFirst().orElseThrow();
        assertEquals("metadata.name", instance.getValueFrom().getFieldRef().getFieldPath());

        // route files and properties mounted from the generated ConfigMaps, and camel-main pointed at them
        assertEquals("file:" + ROUTES_MOUNT + "/*.camel.yaml", env.get("LIMS_ROUTES_INCLUDE"));
        assertEquals(configMap(objects, "lims-consumer-routes").getMetadata().getName(),
                volumes.get(mounts.get(ROUTES_MOUNT)).getConfigMap().getName());
        ConfigMap config = configMap(objects, "lims-consumer-config");
        assertEquals(config.getMetadata().getName(), volumes.get(mounts.get(CONFIG_MOUNT)).getConfigMap().getName());
        List<String> locations = List.of(env.get("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION").split(","));
        assertEquals(List.of("file:" + CONFIG_MOUNT + "/application.properties", "file:" + CONFIG_MOUNT + "/application-prod.properties"),
                locations, "shared defaults first, the profile's file over them");
        for (String location : locations) {
            assertTrue(config.getData().containsKey(location.substring(location.lastIndexOf('/') + 1)));
        }
        assertEquals(env.get("LIMS_KAFKA_TOPIC_PARTITIONS"), applicationProperties().getProperty("lims.kafka.topic-partitions").trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/stg", "overlays/prod"})
    void configMapsHoldEveryRouteFileAndThePropertiesVerbatim(String target) throws IOException {
        List<HasMetadata> objects = rendered(target);
        assertEquals(routeFiles(), configMap(objects, "lims-consumer-routes").getData());
        Map<String, String> properties = new LinkedHashMap<>();
        for (String f : List.of("application-prod.properties", "application.properties")) {
            properties.put(f, Files.readString(RESOURCES.resolve(f)));
        }
        assertEquals(properties, configMap(objects, "lims-consumer-config").getData());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/stg", "overlays/prod"})
    void serviceDisruptionBudgetAndNetworkPolicySelectThePods(String target) {
        List<HasMetadata> objects = rendered(target);
        Map<String, String> podLabels = one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> selector = one(objects, Deployment.class).getSpec().getSelector().getMatchLabels();
        assertEquals(Map.of("app.kubernetes.io/name", APP), selector, "a selector that overlays never change (immutable)");

        Service service = one(objects, Service.class);
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()));
        Map<String, String> servicePorts = service.getSpec().getPorts().stream()
                .collect(Collectors.toMap(p -> p.getName(), p -> p.getPort() + "->" + p.getTargetPort().getStrVal()));
        assertEquals(Map.of("http", "8080->http", "metrics", "9876->metrics"), servicePorts);

        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
        assertEquals(selector, pdb.getSpec().getSelector().getMatchLabels());
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal(), "drains proceed one pod at a time, even with 1 replica");

        NetworkPolicy np = one(objects, NetworkPolicy.class);
        assertEquals(selector, np.getSpec().getPodSelector().getMatchLabels());
        assertEquals(List.of("Ingress", "Egress"), np.getSpec().getPolicyTypes());
        Set<String> ingressPorts = np.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getStrVal()).collect(Collectors.toSet());
        assertEquals(Set.of("http", "metrics"), ingressPorts);
        var metricsRule = np.getSpec().getIngress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(p -> "metrics".equals(p.getPort().getStrVal()))).findFirst().orElseThrow();
        assertEquals(Map.of("kubernetes.io/metadata.name", "metrics"), metricsRule.getFrom().get(0).getNamespaceSelector().getMatchLabels());
        Set<Integer> egressPorts = np.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet());
        assertEquals(Set.of(9092, 27017, 53), egressPorts, "Kafka, MongoDB and DNS only");
        // kustomize adds the app's selector labels to every matchLabels in a NetworkPolicy: a peer that
        // carries them would select only lims-consumer pods (e.g. no DNS server at all)
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        np.getSpec().getIngress().forEach(r -> peers.addAll(r.getFrom()));
        np.getSpec().getEgress().forEach(r -> peers.addAll(r.getTo()));
        for (NetworkPolicyPeer peer : peers) {
            if (peer.getPodSelector() != null && peer.getPodSelector().getMatchLabels() != null) {
                assertFalse(peer.getPodSelector().getMatchLabels().containsKey("app.kubernetes.io/name"), "peer " + peer);
            }
        }
    }

    @Test
    void ingressOnlyInProdWithTheImageApiPathsAndPing() {
        assertTrue(all(rendered("base"), Ingress.class).isEmpty());
        assertTrue(all(rendered("overlays/stg"), Ingress.class).isEmpty());
        Ingress ingress = one(rendered("overlays/prod"), Ingress.class);
        List<HTTPIngressPath> paths = ingress.getSpec().getRules().stream().flatMap(r -> r.getHttp().getPaths().stream()).toList();
        assertEquals(Set.of("/image-plant", "/ping"), paths.stream().map(HTTPIngressPath::getPath).collect(Collectors.toSet()));
        for (HTTPIngressPath p : paths) {
            assertEquals(APP, p.getBackend().getService().getName());
            assertEquals("http", p.getBackend().getService().getPort().getName());
        }
    }

    @Test
    void prodRunsTwoToPartitionCountReplicasReadOnlyWithAPinnedImage() throws IOException {
        List<HasMetadata> prod = rendered("overlays/prod");
        HorizontalPodAutoscaler hpa = one(prod, HorizontalPodAutoscaler.class);
        int partitions = Integer.parseInt(environment(prod).get("LIMS_KAFKA_TOPIC_PARTITIONS"));
        assertTrue(hpa.getSpec().getMinReplicas() >= 2, "prod keeps at least 2 replicas");
        assertTrue(hpa.getSpec().getMaxReplicas() <= partitions, "replicas beyond the partition count sit idle");
        assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName());
        assertEquals(one(prod, Deployment.class).getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertNull(one(prod, Deployment.class).getSpec().getReplicas(), "the HPA owns the replica count; a re-apply must not reset it");
        // at the HPA's maximum (the partition count) a surge pod can get no partition (range assignor) and so stays unready:
        // the rollout must be free to stop an old pod first, or it waits on the surge pod until its progress deadline
        var rollout = one(prod, Deployment.class).getSpec().getStrategy().getRollingUpdate();
        assertTrue(hpa.getSpec().getMaxReplicas() < partitions || rollout.getMaxUnavailable().getIntVal() >= 1,
                "prod's rollout at " + partitions + " replicas: maxUnavailable " + rollout.getMaxUnavailable());
        assertEquals("true", environment(prod).get("LIMS_API_READ_ONLY"));
        String image = container(prod).getImage();
        assertTrue(image.matches(".+@sha256:[0-9a-f]{64}") || image.matches(".+:\\d+\\.\\d+\\.\\d+"),
                "prod image pinned by version or digest: " + image);

        List<HasMetadata> stg = rendered("overlays/stg");
        assertEquals(1, one(stg, Deployment.class).getSpec().getReplicas());
        assertTrue(all(stg, HorizontalPodAutoscaler.class).isEmpty());
        var stgMemory = container(stg).getResources().getLimits().get("memory").getNumericalAmount();
        var prodMemory = container(prod).getResources().getLimits().get("memory").getNumericalAmount();
        assertTrue(stgMemory.compareTo(prodMemory) < 0, "stg runs on less memory than prod");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/stg", "overlays/prod"})
    void metricsComponentScrapesTheManagementPortAndShipsRulesAndDashboard(String target) throws IOException {
        List<HasMetadata> objects = rendered(target);
        GenericKubernetesResource sm = custom(objects, "ServiceMonitor");
        assertEquals("prometheus", sm.getMetadata().getLabels().get("release"));
        var spec = (Manifests.ServiceMonitorSpec) Manifests.customResourceSpec(sm, target);
        Service service = one(objects, Service.class);
        assertTrue(service.getMetadata().getLabels().entrySet().containsAll(spec.selector().getMatchLabels().entrySet()),
                "the ServiceMonitor selects the Service");
        assertEquals("metrics", spec.endpoints().get(0).port());
        assertEquals("/observe/metrics", spec.endpoints().get(0).path());

        GenericKubernetesResource rule = custom(objects, "PrometheusRule");
        var rules = (Manifests.PrometheusRuleSpec) Manifests.customResourceSpec(rule, target);
        assertFalse(rules.groups().isEmpty() || rules.groups().get(0).rules().isEmpty(), "at least one rule");
        assertTrue(rules.groups().stream().flatMap(g -> g.rules().stream()).allMatch(r -> r.expr() != null && !r.expr().isBlank()));

        ConfigMap dashboard = all(objects, ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals("lims-consumer-dashboard"))
                .findFirst().orElseThrow();
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
        assertEquals(Set.of("lims-consumer.json"), dashboard.getData().keySet());
        JsonNode json = Manifests.YAML.readTree(dashboard.getData().get("lims-consumer.json"));
        assertFalse(json.path("title").asText().isBlank(), "a Grafana dashboard with a title");
    }
}
