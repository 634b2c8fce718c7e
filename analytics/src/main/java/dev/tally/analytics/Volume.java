package dev.tally.analytics;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Money moved in one currency: sums in minor units and the number of money events.
 *
 * <p>Internal to the topology (repartition topic, window store, suppression buffer); its wire form
 * is three big-endian longs. The published form is {@link VolumeResult}.
 */
public record Volume(long deposited, long withdrawn, long count) {

  public static final Serde<Volume> SERDE = Serdes.serdeFrom(new VolumeSerializer(), new VolumeDeserializer());

  private static final int SIZE = 3 * Long.BYTES;

  public static Volume deposit(long amount) {
    return new Volume(amount, 0, 1);
  }

  public static Volume withdrawal(long amount) {
    return new Volume(0, amount, 1);
  }

  public Volume plus(Volume other) {
    return new Volume(deposited + other.deposited, withdrawn + other.withdrawn, count + other.count);
  }

  private static final class VolumeSerializer implements Serializer<Volume> {
    @Override
    public byte[] serialize(String topic, Volume volume) {
      if (volume == null) {
        return null;
      }
      return ByteBuffer.allocate(SIZE).putLong(volume.deposited).putLong(volume.withdrawn).putLong(volume.count).array();
    }
  }

  private static final class VolumeDeserializer implements Deserializer<Volume> {
    @Override
    public Volume deserialize(String topic, byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      if (bytes.length != SIZE) {
        throw new SerializationException("a volume is " + SIZE + " bytes, not " + bytes.length);
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      return new Volume(buffer.getLong(), buffer.getLong(), buffer.getLong());
    }
  }
}
