package dev.tally.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml read as compose reads it, since no Docker engine runs here: its variables
 * interpolated (compose's {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:?error}}, {@code $$}),
 * then the YAML parsed and checked: secrets required, never defaulted; each service on its own
 * least-privileged database role; settings that reach the container that uses them.
 */
class ComposeFileTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Z0-9_]+)(?::([-?])([^}]*))?}");
  /** Every variable the file requires ({@code ${NAME:?error}}), each given the value {@code <NAME>-secret}. */
  private static final Map<String, String> SECRETS = required();

  @Test
  void refusesToStartWithoutEachSecret() throws IOException {
    assertThat(SECRETS).containsKeys("TALLY_POSTGRES_PASSWORD", "TALLY_WRITER_PASSWORD", "TALLY_READER_PASSWORD");
    String text = Files.readString(ROOT.resolve("docker-compose.yml"));
    for (String secret : SECRETS.keySet()) {
      Map<String, String> without = new HashMap<>(SECRETS);
      without.remove(secret);
      assertThatThrownBy(() -> interpolate(text, without)).as(secret).hasMessageContaining("set " + secret);
    }
  }

  @Test
  void everyPasswordComesFromARequiredSecret() throws IOException {
    for (var service : services().entrySet()) {
      environment(service.getValue()).forEach((name, value) -> {
        if (name.contains("PASSWORD")) {
          assertThat(SECRETS).as("%s of %s", name, service.getKey()).containsValue((String) value);
        }
      });
    }
    assertThat(Files.readString(ROOT.resolve("docker-compose.yml"))).doesNotContainPattern("PASSWORD[A-Z_]*:-");
  }

  @Test
  void eachServiceUsesItsOwnRoleAndNoneTheSuperuser() throws IOException {
    Map<String, Map<String, Object>> services = services();
    Map<String, Object> postgres = environment(services.get("postgres"));
    Map<String, Object> projector = environment(services.get("projector"));
    Map<String, Object> queryApi = environment(services.get("query-api"));

    assertThat(projector).containsEntry("SPRING_DATASOURCE_USERNAME", "tally_writer")
        .containsEntry("SPRING_DATASOURCE_PASSWORD", SECRETS.get("TALLY_WRITER_PASSWORD"));
    assertThat(queryApi).containsEntry("SPRING_DATASOURCE_USERNAME", "tally_reader")
        .containsEntry("SPRING_DATASOURCE_PASSWORD", SECRETS.get("TALLY_READER_PASSWORD"));
    assertThat(postgres).containsEntry("POSTGRES_PASSWORD", SECRETS.get("TALLY_POSTGRES_PASSWORD"));
    assertThat(postgres.get("POSTGRES_USER")).as("the superuser").isNotIn("tally_writer", "tally_reader");
    assertThat(Files.readString(ROOT.resolve("docs/compose/roles.sh")))
        .contains("writer_role=tally_writer", "reader_role=tally_reader", "/etc/tally/roles.sql");
  }

  @Test
  void everyMountedFileExistsAndTheInitScriptRuns() throws IOException {
    List<String> mounts = services().values().stream()
        .flatMap(service -> ((List<?>) service.getOrDefault("volumes", List.of())).stream())
        .map(String::valueOf).filter(volume -> volume.startsWith("./")).toList();
    assertThat(mounts).contains("./docs/compose/roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro",
        "./docs/compose/roles.sql:/etc/tally/roles.sql:ro");
    for (String mount : mounts) {
      assertThat(ROOT.resolve(mount.substring(2, mount.indexOf(':')))).as(mount).isRegularFile();
    }
    assertThat(Files.isExecutable(ROOT.resolve("docs/compose/roles.sh"))).isTrue();
  }

  @Test
  void thePartitionCountReachesTheTopicsContainer() throws IOException {
    Map<String, Object> topics = services().get("topics");
    assertThat(environment(topics)).containsEntry("TALLY_PARTITIONS", "12");
    String script = String.valueOf(((List<?>) topics.get("command")).getFirst());
    assertThat(script).contains("--partitions ${TALLY_PARTITIONS:-12}").doesNotContain("--partitions 12");

    String text = Files.readString(ROOT.resolve("docker-compose.yml"));
    Map<String, String> more = new HashMap<>(SECRETS);
    more.put("TALLY_PARTITIONS", "48");
    Map<String, Object> chosen = environment(services(interpolate(text, more)).get("topics"));
    assertThat(chosen).containsEntry("TALLY_PARTITIONS", "48");
  }

  /**
   * The compose file lists its topics by hand (a shell script in the topics container); this keeps
   * it equal to what the local stack creates for every registered aggregate: same names, same
   * retention.
   */
  @Test
  void theTopicsContainerCreatesTheTopicsOfEveryRegisteredAggregate() throws IOException {
    String script = String.valueOf(((List<?>) services().get("topics").get("command")).getFirst());
    for (NewTopic topic : LocalTopics.plan(12)) {
      String retention = topic.configs().get(TopicConfig.RETENTION_MS_CONFIG);
      assertThat(script).as("docker-compose.yml's topics container creates %s", topic.name())
          .containsPattern("--topic " + Pattern.quote(topic.name()) + " [^\\n]*--config retention.ms="
              + Pattern.quote(retention) + "(\\s|$)");
    }
  }

  private static Map<String, Map<String, Object>> services() throws IOException {
    return services(interpolate(Files.readString(ROOT.resolve("docker-compose.yml")), SECRETS));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services(String yaml) {
    Map<String, Object> compose = new Yaml().load(yaml);
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> environment(Map<String, Object> service) {
    Map<String, Object> environment = (Map<String, Object>) service.getOrDefault("environment", Map.of());
    Map<String, Object> values = new HashMap<>();
    environment.forEach((name, value) -> values.put(name, String.valueOf(value)));
    return values;
  }

  private static Map<String, String> required() {
    try {
      Map<String, String> required = new HashMap<>();
      Matcher matcher = VARIABLE.matcher(Files.readString(ROOT.resolve("docker-compose.yml")));
      while (matcher.find()) {
        if ("?".equals(matcher.group(2))) {
          required.put(matcher.group(1), matcher.group(1) + "-secret");
        }
      }
      return Map.copyOf(required);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compose's interpolation: {@code $$} is a literal {@code $}; an unset {@code ${VAR:?error}} fails with its error. */
  private static String interpolate(String text, Map<String, String> env) {
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String replacement;
      if (matcher.group().equals("$$")) {
        replacement = "$";
      } else {
        String value = env.get(matcher.group(1));
        boolean unset = value == null || value.isEmpty();
        if ("?".equals(matcher.group(2)) && unset) {
          throw new IllegalStateException("required variable " + matcher.group(1) + " is missing: " + matcher.group(3));
        }
        replacement = unset ? (matcher.group(2) == null ? "" : matcher.group(3)) : value;
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
