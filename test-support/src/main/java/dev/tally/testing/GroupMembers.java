package dev.tally.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Who is in a consumer group, as its coordinator says. */
public final class GroupMembers {

  private GroupMembers() {
  }

  /** The group instance id of every member, sorted; {@code none} for a dynamic member. */
  public static List<String> instanceIds(String bootstrapServers, String group) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS)
          .members().stream().map(member -> member.groupInstanceId().orElse("none")).sorted().toList();
    }
  }
}
