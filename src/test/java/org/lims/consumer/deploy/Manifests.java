package org.lims.consumer.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * Reads Kubernetes manifests into fabric8's typed object model, strictly: a field the model does not
 * know (a typo such as {@code livenesProbe}, a field at the wrong level) is an error, not a silently
 * kept extra. fabric8 classes keep unknown fields in {@code additionalProperties} instead of failing, so
 * the check walks the deserialized object graph for non-empty ones. Prometheus Operator objects (CRDs)
 * are read as {@link GenericKubernetesResource} and their spec into small strict records.
 */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper STRICT = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** apiVersion/kind -> typed class: a kind missing here is an error (nothing unchecked slips through). */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "monitoring.coreos.com/v1/ServiceMonitor", GenericKubernetesResource.class,
            "monitoring.coreos.com/v1/PrometheusRule", GenericKubernetesResource.class);

    private Manifests() {
    }

    // --- reading

    static List<JsonNode> documents(String yaml) {
        try (var parser = YAML.getFactory().createParser(yaml)) {
            List<JsonNode> docs = new ArrayList<>();
            for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One document into its typed class, failing on an unknown kind or an unknown field anywhere in it. */
    static HasMetadata typed(JsonNode doc, String where) {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
            throw new AssertionError(where + ": no typed model for " + key + " (add it to Manifests.KINDS with a check)");
        }
        HasMetadata object = YAML.convertValue(doc, type);
        String name = object.getMetadata() == null ? "?" : object.getMetadata().getName();
        List<String> unknown = unknownFields(object, key + " " + name);
        if (!unknown.isEmpty()) {
            throw new AssertionError(where + ": fields the Kubernetes model does not know: " + unknown);
        }
        if (object instanceof GenericKubernetesResource crd) {
            customResourceSpec(crd, where);
        }
        return object;
    }

    static List<String> unknownFields(Object object, String path) {
        List<String> problems = new ArrayList<>();
        walk(object, path, problems);
        return problems;
    }

    private static void walk(Object o, String path, List<String> problems) {
        if (o == null) {
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems));
            return;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.") || o instanceof GenericKubernetesResource) {
            return; // strings, numbers; custom resources are checked by customResourceSpec
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object value = read(f, o);
                if (f.getName().equals("additionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": " + extra.keySet());
                    }
                } else {
                    JsonProperty json = f.getAnnotation(JsonProperty.class);
                    walk(value, path + "." + (json != null && !json.value().isEmpty() ? json.value() : f.getName()), problems);
                }
            }
        }
    }

    private static Object read(Field f, Object o) {
        try {
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + f, e);
        }
    }

    // --- Prometheus Operator objects: the fields this project uses, strictly (unknown fields fail)

    record ServiceMonitorSpec(LabelSelector selector, List<Endpoint> endpoints, NamespaceSelector namespaceSelector,
                              String jobLabel) {
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {
    }

    record Endpoint(String port, String path, String scheme, String interval, String scrapeTimeout, Boolean honorLabels) {
    }

    record PrometheusRuleSpec(List<RuleGroup> groups) {
    }

    record RuleGroup(String name, String interval, String limit, @JsonProperty("query_offset") String queryOffset,
                     @JsonProperty("partial_response_strategy") String partialResponseStrategy,
                     Map<String, String> labels, List<Rule> rules) {
    }

    record Rule(String alert, String record, String expr, @JsonProperty("for") String forDuration,
                @JsonProperty("keep_firing_for") String keepFiringFor,
                Map<String, String> labels, Map<String, String> annotations) {
    }

    static Object customResourceSpec(GenericKubernetesResource crd, String where) {
        Object spec = crd.getAdditionalProperties().get("spec");
        Class<?> type = switch (crd.getKind()) {
            case "ServiceMonitor" -> ServiceMonitorSpec.class;
            case "PrometheusRule" -> PrometheusRuleSpec.class;
            default -> throw new AssertionError(where + ": unchecked custom resource " + crd.getKind());
        };
        Object typed = STRICT.convertValue(spec, type);
        if (typed instanceof ServiceMonitorSpec sm) {
            List<String> unknown = unknownFields(sm.selector(), "ServiceMonitor.spec.selector");
            if (!unknown.isEmpty()) {
                throw new AssertionError(where + ": unknown fields " + unknown);
            }
        }
        return typed;
    }

    // --- rendering with kubectl kustomize (or the kustomize binary)

    /** The command that renders a kustomization, or empty with the reason printed when none is installed. */
    static Optional<List<String>> renderer() {
        Optional<Path> kubectl = onPath("kubectl");
        if (kubectl.isPresent()) {
            return Optional.of(List.of(kubectl.get().toString(), "kustomize"));
        }
        Optional<Path> kustomize = onPath("kustomize");
        return kustomize.map(p -> List.of(p.toString(), "build"));
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static String render(List<String> renderer, Path kustomization) {
        List<String> command = new ArrayList<>(renderer);
        command.add(kustomization.toString());
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": no answer in 120 s");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "): " + stderr);
            }
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
