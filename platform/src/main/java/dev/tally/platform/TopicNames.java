package dev.tally.platform;

import dev.tally.schemas.Topics;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Names of the topics a service uses ({@code tally.topics.*}); the defaults are the contract's. */
@ConfigurationProperties("tally.topics")
public record TopicNames(
    @DefaultValue(Topics.ACCOUNT_EVENTS) String accountEvents,
    @DefaultValue(Topics.ACCOUNT_COMMANDS) String accountCommands,
    @DefaultValue(Topics.ACCOUNT_COMMAND_RESULTS) String accountCommandResults,
    @DefaultValue(Topics.ACCOUNT_EVENTS_DEAD_LETTERS) String accountEventsDeadLetters) {
}
