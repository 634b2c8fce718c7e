package dev.tally.account.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.projector.Events;
import dev.tally.projector.Fold;
import dev.tally.projector.Ledger;
import dev.tally.projector.ReadModel;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Batches of many events: coalesced per account, written with a few statements, idempotent. */
class AccountBatchTest {

  private DataSource db;

  @BeforeEach
  void database() {
    db = ReadModel.dataSource(ReadModel.create());
  }

  private long write(List<SpecificRecord> events) throws SQLException {
    AccountBatch batch = new AccountBatch();
    events.forEach(event -> batch.add(AccountEvents.fromAvro(event)));
    try (Connection connection = db.getConnection()) {
      connection.setAutoCommit(false);
      long rows = batch.write(connection);
      connection.commit();
      return rows;
    }
  }

  @Test
  void aBatchCoalescesEachAccountIntoOneRowWrite() throws SQLException {
    UUID alice = UUID.randomUUID();
    UUID bob = UUID.randomUUID();
    long rows = write(List.of(
        Events.opened(alice, "alice", "EUR"),
        Events.opened(bob, "bob", "USD"),
        Events.deposited(alice, 2, 100, 100, "a1"),
        Events.deposited(bob, 2, 40, 40, "b1"),
        Events.withdrawn(alice, 3, 30, 70, "a2"),
        Events.withdrawn(bob, 3, 40, 0, "b2"),
        Events.closed(bob, 4)));

    assertThat(rows).as("2 account rows + 4 history lines").isEqualTo(6);
    assertThat(ReadModel.query(db, "SELECT owner || ' ' || balance || ' ' || status || ' ' || version FROM accounts ORDER BY owner"))
        .containsExactly("alice 70 OPEN 3", "bob 0 CLOSED 4");
    assertThat(ReadModel.query(db, "SELECT count(*) FROM account_transactions")).containsExactly("4");
  }

  @Test
  void aBatchForAccountsOpenedEarlierUpdatesOnlyWhatItKnows() throws SQLException {
    UUID alice = UUID.randomUUID();
    write(List.of(Events.opened(alice, "alice", "EUR"), Events.deposited(alice, 2, 100, 100, "in"),
        Events.withdrawn(alice, 3, 100, 0, "out")));

    // Only a close in this batch: the balance is not in it and must stay as it was.
    write(List.of(Events.closed(alice, 4)));

    assertThat(ReadModel.query(db, "SELECT balance || ' ' || status || ' ' || version FROM accounts"))
        .containsExactly("0 CLOSED 4");
  }

  @Test
  void replayingAnyPartOfTheLogInAnyBatchingLeavesTheFoldOfTheLog() throws SQLException {
    List<SpecificRecord> log = new Ledger(7, 50, Clock.systemUTC()).next(3000);
    write(log.subList(0, 2000));
    write(log.subList(1000, 3000));
    ReadModel.Dump once = ReadModel.dump(db);
    assertThat(once).isEqualTo(Fold.of(log));

    // Everything again, in different batches, with duplicates inside a batch.
    List<SpecificRecord> withDuplicates = new ArrayList<>(log.subList(0, 500));
    withDuplicates.addAll(log.subList(0, 1500));
    write(withDuplicates);
    write(log);
    assertThat(ReadModel.dump(db)).isEqualTo(once);
  }

  @Test
  void anOlderEventAfterANewerOneInTheSameBatchDoesNotMoveTheRowBack() throws SQLException {
    UUID alice = UUID.randomUUID();
    write(List.of(Events.opened(alice, "alice", "EUR"), Events.deposited(alice, 2, 100, 100, "a"),
        Events.deposited(alice, 3, 50, 150, "b"), Events.deposited(alice, 2, 100, 100, "a")));

    assertThat(ReadModel.query(db, "SELECT balance || ' ' || version FROM accounts")).containsExactly("150 3");
    assertThat(ReadModel.query(db, "SELECT count(*) FROM account_transactions")).containsExactly("2");
  }
}
