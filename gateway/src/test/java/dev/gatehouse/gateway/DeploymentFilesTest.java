package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.config.DatabaseUrl;
import dev.gatehouse.gateway.config.GatewaySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * No container engine or cluster exists on the build machines, so the deployment files are checked
 * against the code instead: configurations load with the strict loader, environment variables are
 * ones Gatehouse reads, ports and probes match the configuration, commands and jar paths exist.
 */
class DeploymentFilesTest {
    static final Path ROOT = Path.of("..");
    static final Path DOCKER = ROOT.resolve("docker");
    /** Every environment variable Gatehouse (or its launchers) reads. */
    static final Set<String> KNOWN_ENV = Set.of("DATABASE_URL", "EXTERNAL_MIGRATION", "GATEHOUSE_CONFIG", "JAVA_OPTS",
            "GATEHOUSE_SSO_KEY_ENCRYPTION_KEY");

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private GatewaySettings settings(String hocon, Map<String, String> env) throws IOException {
        Path f = dir.resolve("c" + System.nanoTime() + ".conf");
        Files.writeString(f, hocon);
        Config c = ConfigLoader.load(f, env);
        if (!c.getString("gatehouse.sso.key-encryption-key-file").isBlank()) {
            // the file is the pod's (a mounted Secret), read with the rest of the settings: a key of ours stands in
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            Path file = dir.resolve("sso.key");
            Files.writeString(file, java.util.Base64.getEncoder().encodeToString(key) + "\n");
            c = c.withValue("gatehouse.sso.key-encryption-key-file",
                    com.typesafe.config.ConfigValueFactory.fromAnyRef(file.toString()));
        }
        return GatewaySettings.from(c); // the database and sso sections too
    }

    @Test
    void dockerfileBuildsTheJarsTheBuildProducesAndRunsTheLaunchers() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        String gatewayPom = Files.readString(ROOT.resolve("gateway/pom.xml"));
        String adminPom = Files.readString(ROOT.resolve("admin-cli/pom.xml"));
        assertThat(gatewayPom).contains("<finalName>gatehouse-gateway</finalName>");
        assertThat(adminPom).contains("<finalName>gatehouse-admin</finalName>");
        assertThat(dockerfile).contains("COPY --from=build /src/gateway/target/gatehouse-gateway.jar /opt/gatehouse/gatehouse-gateway.jar")
                .contains("COPY --from=build /src/admin-cli/target/gatehouse-admin.jar /opt/gatehouse/gatehouse-admin.jar")
                .contains("USER gatehouse").contains("HEALTHCHECK").contains("/dev/tcp/127.0.0.1/9090")
                .contains("GET /healthz").contains("FROM eclipse-temurin:17-jre");
        assertThat(Files.readString(DOCKER.resolve("bin/gatehouse"))).contains("/opt/gatehouse/gatehouse-gateway.jar");
        assertThat(Files.readString(DOCKER.resolve("bin/gatehouse-admin"))).contains("/opt/gatehouse/gatehouse-admin.jar");
        assertThat(DOCKER.resolve("bin/gatehouse")).isExecutable();
        // every COPY source exists in the repository
        Matcher m = Pattern.compile("(?m)^COPY (?!--from)(.+) (\\S+)$").matcher(dockerfile);
        while (m.find()) {
            for (String src : m.group(1).trim().split("\\s+")) {
                assertThat(ROOT.resolve(src)).as("COPY " + src).exists();
            }
        }
    }

    @Test
    void imageConfigurationLoadsAndMatchesTheExposedPorts() throws IOException {
        GatewaySettings s = settings(Files.readString(DOCKER.resolve("gatehouse.conf")),
                Map.of("DATABASE_URL", "postgres://u:p@postgres:5432/gatehouse", "EXTERNAL_MIGRATION", "true"));
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile).contains("EXPOSE " + s.listen().port() + " " + s.management().port());
        assertThat(s.management().host()).isEqualTo("0.0.0.0");
        assertThat(dockerfile).contains("ENV GATEHOUSE_CONFIG=/etc/gatehouse/gatehouse.conf");
    }

    @Test
    void composeRunsTheMigrationFirstAndTheGatewayWithExternalMigration() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("docker-compose.yml")));
        Map<String, Object> services = map(compose.get("services"));
        assertThat(services).containsKeys("postgres", "migrate", "gateway", "nginx", "demo");

        Map<String, Object> migrate = map(services.get("migrate"));
        assertThat(list(migrate.get("command"))).containsExactly("gatehouse-admin", "migrate");
        assertThat(map(map(migrate.get("build"))).get("dockerfile")).isEqualTo("docker/Dockerfile");

        Map<String, Object> gateway = map(services.get("gateway"));
        assertThat(list(gateway.get("command"))).containsExactly("gatehouse");
        assertThat(gateway.get("image")).isEqualTo(migrate.get("image"));
        assertThat(map(map(gateway.get("depends_on")).get("migrate")).get("condition")).isEqualTo("service_completed_successfully");
        Map<String, Object> env = map(gateway.get("environment"));
        assertThat(env.get("EXTERNAL_MIGRATION")).isEqualTo("true");
        for (Map<String, Object> service : List.of(gateway, migrate)) {
            Map<String, Object> e = map(service.get("environment"));
            assertThat(KNOWN_ENV).containsAll(e.keySet());
            DatabaseUrl.parse((String) e.get("DATABASE_URL"), "compose"); // well-formed
        }
        // the database the services name is the one compose creates
        Map<String, Object> pgEnv = map(map(services.get("postgres")).get("environment"));
        assertThat((String) env.get("DATABASE_URL")).isEqualTo("postgres://" + pgEnv.get("POSTGRES_USER") + ":"
                + pgEnv.get("POSTGRES_PASSWORD") + "@postgres:5432/" + pgEnv.get("POSTGRES_DB"));

        // the mounted configuration loads and routes to the demo service
        String mounted = list(gateway.get("volumes")).stream().map(String::valueOf)
                .filter(v -> v.endsWith(":/etc/gatehouse/gatehouse.conf:ro")).findFirst().orElseThrow();
        GatewaySettings s = settings(Files.readString(DOCKER.resolve(mounted.split(":")[0])), Map.of());
        assertThat(s.routes()).anyMatch(r -> r.upstreams().get(0).host().equals("demo"));
        assertThat(s.clientIp().trust().trusted().contains(dev.gatehouse.core.net.IpAddress.parse("127.0.0.1"))).isTrue();

        // nginx shares the gateway's namespace and mounts files that exist
        Map<String, Object> nginx = map(services.get("nginx"));
        assertThat(nginx.get("network_mode")).isEqualTo("service:gateway");
        for (Object v : list(nginx.get("volumes"))) {
            String src = String.valueOf(v).split(":")[0];
            if (!src.equals("./tls")) {
                assertThat(DOCKER.resolve(src)).as(src).exists();
            }
        }
        assertThat(list(gateway.get("ports"))).contains("443:443");
    }

    @Test
    void kubernetesManifestsAgreeWithTheConfiguration() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (var files = Files.list(DOCKER.resolve("k8s"))) {
            for (Path f : files.sorted().toList()) {
                for (Object d : new Yaml().loadAll(Files.readString(f))) {
                    docs.add(map(d));
                }
            }
        }
        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        Map<String, Map<String, Object>> secrets = new java.util.HashMap<>();
        docs.forEach(d -> byKind.put((String) d.get("kind"), d));
        docs.stream().filter(d -> "Secret".equals(d.get("kind")))
                .forEach(d -> secrets.put((String) map(d.get("metadata")).get("name"), d));
        assertThat(byKind).containsKeys("ConfigMap", "Secret", "Job", "Deployment", "PodDisruptionBudget", "Service");

        String conf = (String) map(byKind.get("ConfigMap").get("data")).get("gatehouse.conf");
        GatewaySettings s = settings(conf, Map.of());

        Map<String, Object> deployment = byKind.get("Deployment");
        Map<String, Object> spec = map(deployment.get("spec"));
        assertThat((Integer) spec.get("replicas")).isGreaterThanOrEqualTo(2);
        Map<String, Object> pod = map(map(spec.get("template")).get("spec"));
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        assertThat(list(container.get("command"))).containsExactly("gatehouse");
        Map<String, Object> ready = map(map(container.get("readinessProbe")).get("httpGet"));
        Map<String, Object> live = map(map(container.get("livenessProbe")).get("httpGet"));
        assertThat(ready).containsEntry("path", "/readyz").containsEntry("port", s.management().port());
        assertThat(live).containsEntry("path", "/healthz").containsEntry("port", s.management().port());
        assertThat(list(container.get("ports"))).extracting(p -> map(p).get("containerPort"))
                .contains(s.listen().port(), s.management().port());
        List<String> envNames = list(container.get("env")).stream().map(e -> (String) map(e).get("name")).toList();
        assertThat(KNOWN_ENV).containsAll(envNames);
        assertThat(list(container.get("env"))).anySatisfy(e -> assertThat(map(e)).containsEntry("name", "EXTERNAL_MIGRATION")
                .containsEntry("value", "true"));
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan((int) s.server().drainTimeout().toSeconds());

        Map<String, Object> secretData = map(secrets.get("gatehouse-database").get("stringData"));
        assertThat(KNOWN_ENV).containsAll(secretData.keySet());
        DatabaseUrl.parse((String) secretData.get("DATABASE_URL"), "secret");

        // every replica reads the SSO key-encryption key from the Secret, mounted where the configuration names it
        Path keyFile = Path.of(ConfigLoader.load(Files.writeString(dir.resolve("k8s.conf"), conf), Map.of())
                .getString("gatehouse.sso.key-encryption-key-file"));
        Map<String, Object> mount = list(container.get("volumeMounts")).stream().map(DeploymentFilesTest::map)
                .filter(v -> keyFile.startsWith((String) v.get("mountPath"))).findFirst().orElseThrow();
        Map<String, Object> volume = list(pod.get("volumes")).stream().map(DeploymentFilesTest::map)
                .filter(v -> v.get("name").equals(mount.get("name"))).findFirst().orElseThrow();
        Map<String, Object> secretVolume = map(volume.get("secret"));
        Map<String, Object> item = map(list(secretVolume.get("items")).get(0));
        assertThat(Path.of((String) mount.get("mountPath")).resolve((String) item.get("path"))).isEqualTo(keyFile);
        assertThat(map(secrets.get((String) secretVolume.get("secretName")).get("stringData"))).containsKey((String) item.get("key"));

        Map<String, Object> job = map(map(map(byKind.get("Job").get("spec")).get("template")).get("spec"));
        assertThat(list(map(list(job.get("containers")).get(0)).get("command"))).containsExactly("gatehouse-admin", "migrate");
        assertThat(map(list(job.get("containers")).get(0)).get("image")).isEqualTo(container.get("image"));

        Object podLabels = map(map(map(spec.get("template")).get("metadata"))).get("labels");
        assertThat(map(map(byKind.get("PodDisruptionBudget").get("spec")).get("selector")).get("matchLabels")).isEqualTo(podLabels);
        assertThat(map(byKind.get("Service").get("spec")).get("selector")).isEqualTo(podLabels);
    }
}
