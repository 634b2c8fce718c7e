package dev.tally.analytics;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import tools.jackson.databind.json.JsonMapper;

/**
 * One published result: the final money volume of one currency in one window.
 *
 * <p>Record key {@code <currency>@<windowStart>}, for example {@code EUR@2026-11-24T10:15:00Z};
 * value this record as UTF-8 JSON, for example
 * {@code {"currency":"EUR","windowStart":"2026-11-24T10:15:00Z","windowEnd":"2026-11-24T10:16:00Z","deposited":1000,"withdrawn":300,"count":2}}.
 * Amounts are in minor units of the currency; {@code count} is the number of money events.
 */
@JsonPropertyOrder({"currency", "windowStart", "windowEnd", "deposited", "withdrawn", "count"})
public record VolumeResult(String currency, String windowStart, String windowEnd, long deposited, long withdrawn,
    long count) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public static VolumeResult of(String currency, Instant windowStart, Instant windowEnd, Volume volume) {
    return new VolumeResult(currency, windowStart.toString(), windowEnd.toString(), volume.deposited(),
        volume.withdrawn(), volume.count());
  }

  /** The record key of a window's result. */
  public static String key(String currency, Instant windowStart) {
    return currency + "@" + windowStart;
  }

  public String key() {
    return currency + "@" + windowStart;
  }

  public String toJson() {
    return JSON.writeValueAsString(this);
  }

  public static VolumeResult fromJson(String json) {
    return JSON.readValue(json, VolumeResult.class);
  }
}
