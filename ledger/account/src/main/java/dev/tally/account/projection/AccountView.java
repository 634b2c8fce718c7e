package dev.tally.account.projection;

import dev.tally.runtime.projection.ProjectionView;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The account projection's one fold: account events into the {@code accounts} row of their account
 * and one {@code account_transactions} line per money event ({@link #line}). Batches fold with it
 * ({@link AccountBatch}), and so does every fold of the log outside the projector.
 *
 * <p>An opening fills in the account's facts (owner, currency, opening time) whenever it is
 * folded; everything else moves only with a newer version, so a replayed event changes nothing. The
 * balance is the event's {@code balanceAfter}, as the writer decided it; a whole history checks that
 * each one follows from the balance before and the amount ({@link #refusal}).
 *
 * <p>Its rows as text ({@link #rows}, {@link #rowsAdded}) are what {@link AccountProjection}'s relations
 * render in SQL: a read model is verified against a fold of the log by comparing the two.
 */
public final class AccountView implements ProjectionView<AccountEvent, AccountRow> {

  /** The one instance: the view has no state of its own. */
  public static final AccountView VIEW = new AccountView();

  private AccountView() {
  }

  @Override
  public AccountRow initialState() {
    return AccountRow.UNKNOWN;
  }

  @Override
  public AccountRow evolve(AccountRow row, AccountEvent event) {
    AccountRow known = event instanceof AccountEvent.Opened opened
        ? new AccountRow(opened.accountId(), opened.owner(), opened.currency(), row.balance(), row.status(),
            row.version(), opened.occurredAt(), row.updatedAt())
        : row;
    if (event.version() <= known.version()) {
      return known;
    }
    Long balance = switch (event) {
      case AccountEvent.Opened opened -> 0L;
      case AccountEvent.Deposited deposited -> deposited.balanceAfter();
      case AccountEvent.Withdrawn withdrawn -> withdrawn.balanceAfter();
      case AccountEvent.Closed closed -> known.balance();
    };
    AccountRow.Status status = switch (event) {
      case AccountEvent.Opened opened -> AccountRow.Status.OPEN;
      case AccountEvent.Closed closed -> AccountRow.Status.CLOSED;
      case AccountEvent.Deposited deposited -> known.status();
      case AccountEvent.Withdrawn withdrawn -> known.status();
    };
    return new AccountRow(event.accountId(), known.owner(), known.currency(), balance, status, event.version(),
        known.openedAt(), event.occurredAt());
  }

  /** A money event whose {@code balanceAfter} is not the balance before it plus or minus its amount. */
  @Override
  public Optional<String> refusal(AccountRow row, AccountEvent event) {
    if (row.balance() == null) {
      return Optional.empty();
    }
    return switch (event) {
      case AccountEvent.Deposited d -> follows(row, d, row.balance() + d.amount(), d.balanceAfter());
      case AccountEvent.Withdrawn w -> follows(row, w, row.balance() - w.amount(), w.balanceAfter());
      case AccountEvent.Opened opened -> Optional.empty();
      case AccountEvent.Closed closed -> Optional.empty();
    };
  }

  private static Optional<String> follows(AccountRow row, AccountEvent event, long expected, long balanceAfter) {
    return balanceAfter == expected ? Optional.empty()
        : Optional.of("inconsistent: version " + event.version() + " of account " + event.accountId()
            + " says balance " + balanceAfter + " after balance " + row.balance() + ", not " + expected);
  }

  /** The account's {@code accounts} row, once it has been opened (the model has no row for one that was not). */
  @Override
  public List<Row> rows(AccountRow a) {
    return a.opened() ? List.of(new Row(AccountProjection.ACCOUNTS, a.accountId().toString(),
        a.accountId().toString() + '|' + a.owner() + '|' + a.currency() + '|' + a.balance() + '|' + a.status() + '|'
            + a.version() + '|' + micros(a.openedAt()) + '|' + micros(a.updatedAt()))) : List.of();
  }

  /** The {@code account_transactions} line a money event adds. */
  @Override
  public List<Row> rowsAdded(AccountEvent event, AccountRow after) {
    return line(event).map(l -> List.of(new Row(AccountProjection.TRANSACTIONS, l.accountId() + "@" + l.version(),
        l.accountId().toString() + '|' + l.version() + '|' + l.type() + '|' + l.amount() + '|' + l.balanceAfter() + '|'
            + l.reference() + '|' + micros(l.occurredAt()) + '|' + l.eventId()))).orElse(List.of());
  }

  /** Microseconds since the epoch: PostgreSQL's {@code (extract(epoch FROM t) * 1000000)::bigint}. */
  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  /** The history line a money event adds; empty for the others. */
  public static Optional<TransactionLine> line(AccountEvent event) {
    return switch (event) {
      case AccountEvent.Deposited d -> Optional.of(new TransactionLine(d.accountId(), d.version(),
          TransactionLine.Type.DEPOSIT, d.amount(), d.balanceAfter(), d.reference(), d.occurredAt(), d.eventId()));
      case AccountEvent.Withdrawn w -> Optional.of(new TransactionLine(w.accountId(), w.version(),
          TransactionLine.Type.WITHDRAWAL, w.amount(), w.balanceAfter(), w.reference(), w.occurredAt(), w.eventId()));
      case AccountEvent.Opened opened -> Optional.empty();
      case AccountEvent.Closed closed -> Optional.empty();
    };
  }
}
