package io.sqreenrelay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The Kubernetes example ({@code deploy/kubernetes/}) against what the relay really reads and serves: its ports
 * resolved from {@code application.properties} with the ConfigMap's values, the health paths of Camel's management
 * server, the environment variables {@code application.properties} and {@code log4j2.properties} read, and the
 * image's user, exposed ports and writable folders from the Jib configuration in {@code pom.xml}.
 */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("deploy/kubernetes");

    private static final Pattern PROPERTY_REFERENCE = Pattern.compile("\\{\\{([^{}]*)}}");

    private static final Map<String, Map<String, Object>> BY_KIND = new HashMap<>();
    private static Properties properties;
    private static Document pom;

    @BeforeAll
    static void load() throws Exception {
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
                    Map<String, Object> manifest = map(document);
                    assertThat(BY_KIND.put((String) manifest.get("kind"), manifest)).as("one %s", manifest.get("kind")).isNull();
                }
            }
        }
        properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(reader);
        }
        pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    }

    @Test
    void theKustomizationAppliesEveryManifest() throws IOException {
        List<String> files;
        try (Stream<Path> list = Files.list(MANIFESTS)) {
            files = list.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .filter(f -> !f.equals("kustomization.yaml")).toList();
        }
        assertThat(list(BY_KIND.get("Kustomization"), "resources")).containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void twoReplicasAndEverySelectorFindsThem() {
        Map<String, Object> deployment = BY_KIND.get("Deployment");
        assertThat(at(deployment, "spec", "replicas")).isEqualTo(2);
        Map<String, Object> podLabels = map(at(deployment, "spec", "template", "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(map(at(deployment, "spec", "selector", "matchLabels")));
        assertThat(podLabels).containsAllEntriesOf(map(at(BY_KIND.get("Service"), "spec", "selector")));
        assertThat(podLabels).containsAllEntriesOf(map(at(BY_KIND.get("PodDisruptionBudget"), "spec", "selector", "matchLabels")));
    }

    @Test
    void theContainerPortsAreTheRelaysPortsAndTheImagesExposedOnes() {
        int webhook = relayPort("relay.http-port");
        int management = relayPort("relay.management-port");
        assertThat(management).as("health and metrics never on the webhook port").isNotEqualTo(webhook);
        assertThat(containerPort("webhook")).isEqualTo(webhook);
        assertThat(containerPort("management")).isEqualTo(management);
        assertThat(texts("//plugin[artifactId='jib-maven-plugin']/configuration/container/ports/port"))
                .containsExactlyInAnyOrder(String.valueOf(webhook), String.valueOf(management));
    }

    @Test
    void theProbesAskTheManagementPortForLivenessAndReadiness() {
        Map<String, Object> container = container();
        for (String probe : List.of("startupProbe", "livenessProbe")) {
            assertThat(at(container, probe, "httpGet", "path")).as(probe).isEqualTo(healthPath() + "/live");
            assertThat(containerPort(at(container, probe, "httpGet", "port"))).as(probe).isEqualTo(relayPort("relay.management-port"));
        }
        assertThat(at(container, "readinessProbe", "httpGet", "path")).isEqualTo(healthPath() + "/ready");
        assertThat(containerPort(at(container, "readinessProbe", "httpGet", "port"))).isEqualTo(relayPort("relay.management-port"));

        Map<String, Object> scrape = map(at(BY_KIND.get("Deployment"), "spec", "template", "metadata", "annotations"));
        assertThat(scrape).containsEntry("prometheus.io/port", String.valueOf(relayPort("relay.management-port")))
                .containsEntry("prometheus.io/path", managementPath() + "/metrics");
    }

    @Test
    void theServiceExposesTheWebhookPortOnly() {
        List<Object> ports = list(BY_KIND.get("Service"), "spec", "ports");
        assertThat(ports).hasSize(1);
        assertThat(containerPort(map(ports.get(0)).get("targetPort"))).isEqualTo(relayPort("relay.http-port"));
    }

    @Test
    void everyVariableIsOneTheRelayReads() throws IOException {
        Set<String> read = new TreeSet<>();
        read.addAll(matches(Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)"), Files.readString(Path.of("application.properties"))));
        read.addAll(matches(Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)"),
                Files.readString(Path.of("src/main/resources/log4j2.properties"))));
        assertThat(read).contains("HTTP_PORT", "RABBITMQ_URI", "LOG_FORMAT");

        assertThat(settings().keySet()).isNotEmpty().allSatisfy(name -> assertThat(read).as("variables the relay reads").contains(name));
        for (Object env : container().get("env") == null ? List.of() : list(container(), "env")) {
            assertThat(read).contains((String) map(env).get("name"));
        }
        List<Object> sources = list(container(), "envFrom");
        assertThat(sources.stream().map(s -> map(s).containsKey("configMapRef")
                ? at(map(s), "configMapRef", "name") : at(map(s), "secretRef", "name")))
                .containsExactlyInAnyOrder(at(BY_KIND.get("ConfigMap"), "metadata", "name"), at(BY_KIND.get("Secret"), "metadata", "name"));
    }

    @Test
    void theImagesUserRunsItAndTheReadOnlyImageGetsWritableVolumesForDataAndLogs() {
        String user = texts("/project/properties/relay.image.user").get(0);
        assertThat(at(BY_KIND.get("Deployment"), "spec", "template", "spec", "securityContext", "runAsUser")).isEqualTo(Integer.parseInt(user));
        assertThat(at(container(), "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        List<String> mounts = list(container(), "volumeMounts").stream().map(m -> (String) map(m).get("mountPath")).toList();
        for (String folder : List.of("DATA_DIR", "LOG_DIR")) {
            String path = settings().getOrDefault(folder,
                    texts("//plugin[artifactId='jib-maven-plugin']/configuration/container/environment/" + folder).get(0));
            assertThat(mounts).as(folder + " " + path).anyMatch(mount -> path.startsWith(mount + "/"));
        }
    }

    /** The ConfigMap's and the Secret's variables, as the container sees them. */
    private static Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        map(BY_KIND.get("ConfigMap").get("data")).forEach((name, value) -> settings.put(name, String.valueOf(value)));
        map(BY_KIND.get("Secret").get("stringData")).forEach((name, value) -> settings.put(name, String.valueOf(value)));
        return settings;
    }

    /** A port setting of application.properties, resolved as Camel would with the manifests' variables. */
    private static int relayPort(String property) {
        return Integer.parseInt(resolve("{{" + property + "}}", settings()));
    }

    /** {@code {{name}}} and {@code {{env:NAME:default}}}, innermost first, the way Camel's placeholders nest. */
    private static String resolve(String text, Map<String, String> env) {
        for (Matcher m = PROPERTY_REFERENCE.matcher(text); m.find(); m = PROPERTY_REFERENCE.matcher(text)) {
            String reference = m.group(1);
            String value;
            if (reference.startsWith("env:")) {
                String[] nameAndDefault = reference.substring("env:".length()).split(":", 2);
                value = env.getOrDefault(nameAndDefault[0], nameAndDefault.length > 1 ? nameAndDefault[1] : "");
            } else {
                value = properties.getProperty(reference);
                assertThat(value).as("property %s in application.properties", reference).isNotNull();
            }
            text = text.substring(0, m.start()) + value.trim() + text.substring(m.end());
        }
        return text;
    }

    /** Camel's management server: {@code camel.management.path}, default {@code /observe} (camel-main options). */
    private static String managementPath() {
        return properties.getProperty("camel.management.path", "/observe");
    }

    /** {@code camel.management.health-path}, default {@code /health}: {@code /observe/health/live} and {@code /ready}. */
    private static String healthPath() {
        return managementPath() + properties.getProperty("camel.management.health-path", "/health");
    }

    private static Map<String, Object> container() {
        List<Object> containers = list(BY_KIND.get("Deployment"), "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    /** A container port given by name or number. */
    private static int containerPort(Object nameOrNumber) {
        for (Object port : list(container(), "ports")) {
            Map<String, Object> p = map(port);
            if (nameOrNumber.equals(p.get("name")) || nameOrNumber.equals(p.get("containerPort"))) {
                return (Integer) p.get("containerPort");
            }
        }
        throw new AssertionError("no container port " + nameOrNumber);
    }

    private static List<String> texts(String xpath) {
        try {
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, pom, XPathConstants.NODESET);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                texts.add(nodes.item(i).getTextContent().trim());
            }
            assertThat(texts).as("pom.xml %s", xpath).isNotEmpty();
            return texts;
        } catch (javax.xml.xpath.XPathExpressionException e) {
            throw new IllegalArgumentException(xpath, e);
        }
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        for (Matcher m = pattern.matcher(text); m.find(); ) {
            found.add(m.group(1));
        }
        return found;
    }

    private static Object at(Map<String, Object> node, String... path) {
        Object value = node;
        for (String key : path) {
            value = map(value).get(key);
            assertThat(value).as(String.join(".", path)).isNotNull();
        }
        return value;
    }

    private static List<Object> list(Map<String, Object> node, String... path) {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) at(node, path);
        return list;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }
}
