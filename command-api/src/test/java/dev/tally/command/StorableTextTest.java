package dev.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.account.wire.AccountBinding;
import dev.tally.account.domain.Account;
import dev.tally.account.domain.AccountCommand;
import dev.tally.account.domain.AccountEvent;
import dev.tally.account.domain.AccountRejection;
import dev.tally.account.domain.AccountState;
import dev.tally.runtime.core.Decision;
import dev.tally.schemas.AvroCodec;
import dev.tally.schemas.event.AccountOpened;
import dev.tally.schemas.event.MoneyDeposited;
import dev.tally.testing.AccountEvents;
import dev.tally.testing.TestInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.apache.avro.specific.SpecificRecord;

/**
 * Whatever text the account's rules accept, the log and every projection keep exactly: through
 * the writer's Avro encoding and into a real PostgreSQL {@code text}, it comes back equal.
 */
class StorableTextTest {

  private static final Account DECIDER = Account.DECIDER;
  private static final AccountBinding BINDING = new AccountBinding();
  private static final AccountState OPEN = DECIDER.fold(List.of(new AccountEvent.AccountOpened("Ada", "EUR")));

  private static Connection postgres;

  @BeforeContainer
  static void connect() throws SQLException {
    postgres = TestInfrastructure.postgres().connect();
  }

  @AfterContainer
  static void disconnect() throws SQLException {
    postgres.close();
  }

  @Property(tries = 3000)
  void acceptedTextComesBackEqualFromTheLogAndFromPostgresql(@ForAll("texts") String text) throws SQLException {
    for (AccountEvent event : accepted(DECIDER.decide(new AccountCommand.OpenAccount(text, "EUR"), DECIDER.initialState()))) {
      AccountOpened logged = (AccountOpened) throughTheLog(event, 1);
      assertThat(logged.getOwner()).as("owner after Avro").isEqualTo(text);
      assertThat(throughPostgresql(logged.getOwner())).as("owner in PostgreSQL").isEqualTo(text);
    }
    for (AccountEvent event : accepted(DECIDER.decide(new AccountCommand.Deposit(1, text), OPEN))) {
      MoneyDeposited logged = (MoneyDeposited) throughTheLog(event, 2);
      assertThat(logged.getReference()).as("reference after Avro").isEqualTo(text);
      assertThat(throughPostgresql(logged.getReference())).as("reference in PostgreSQL").isEqualTo(text);
    }
    Statistics.label("reference").coverage(c -> {
      c.check("accepted").count(n -> n > 0);
      c.check("rejected").count(n -> n > 0);
    });
  }

  private static List<AccountEvent> accepted(Decision<AccountEvent, AccountRejection> decision) {
    List<AccountEvent> events = switch (decision) {
      case Decision.Accepted<AccountEvent, AccountRejection> accepted -> accepted.events();
      case Decision.Rejected<AccountEvent, AccountRejection> rejected -> List.of();
    };
    if (decision instanceof Decision.Accepted<?, ?> && events.getFirst() instanceof AccountEvent.MoneyDeposited) {
      Statistics.label("reference").collect("accepted");
    } else if (decision instanceof Decision.Rejected<AccountEvent, AccountRejection> r
        && r.rejection() instanceof AccountRejection.InvalidReference) {
      Statistics.label("reference").collect("rejected");
    }
    return events;
  }

  /** As the writer appends it and a projection reads it back: Avro single-object encoding. */
  private static SpecificRecord throughTheLog(AccountEvent event, long version) {
    SpecificRecord record = BINDING.event(event, AccountEvents.metadata(UUID.randomUUID().toString(), version, Instant.now()));
    return AvroCodec.standard().decode(AvroCodec.standard().encode(record));
  }

  private static String throughPostgresql(String text) throws SQLException {
    try (PreparedStatement select = postgres.prepareStatement("SELECT ?::text")) {
      select.setString(1, text);
      try (ResultSet result = select.executeQuery()) {
        result.next();
        return result.getString(1);
      }
    }
  }

  /** Text of every kind, weighted towards what stores refuse or alter: controls, NUL, unpaired surrogates. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> pieces = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8)),
        Tuple.of(3, Arbitraries.strings().alpha().numeric().withChars(' ', '-', '\\', '\'', '"').ofMaxLength(8)),
        Tuple.of(1, Arbitraries.chars().range('\u0000', '\u001f').map(String::valueOf)),
        Tuple.of(1, Arbitraries.chars().range('\u007f', '\u009f').map(String::valueOf)),
        Tuple.of(1, Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf)),
        Tuple.of(3, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT).map(Character::toString)),
        Tuple.of(1, Arbitraries.of("\ufffe", "\uffff", "\ufeff", "\u200d", "\u202e", "\ufdd0", "\\", "\\0", "\\N")));
    return pieces.list().ofMaxSize(10).map(list -> String.join("", list));
  }
}
