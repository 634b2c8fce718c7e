package dev.tally.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.tally.runtime.core.TextRule.Violation;
import dev.tally.runtime.core.TextRule.Violation.Blank;
import dev.tally.runtime.core.TextRule.Violation.ControlCharacter;
import dev.tally.runtime.core.TextRule.Violation.Missing;
import dev.tally.runtime.core.TextRule.Violation.TooLong;
import dev.tally.runtime.core.TextRule.Violation.UnpairedSurrogate;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TextRuleTest {

  private static final TextRule ANY = TextRule.text(5);
  private static final TextRule LINE = TextRule.text(5).withoutControls().nonBlank();

  @Test
  void storableTextMayBeEmptyAndHoldControlCharactersButNul() {
    assertThat(ANY.check("")).isEmpty();
    assertThat(ANY.check(" \t\n\r\u001b")).isEmpty();
    assertThat(ANY.check("a\u0000b")).contains(new ControlCharacter('\0', 2));
    assertThat(ANY.check(null)).contains(new Missing());
  }

  @Test
  void unpairedSurrogatesAreRefusedWhereverTheyAre() {
    assertThat(ANY.check("\ud800")).contains(new UnpairedSurrogate('\ud800', 1));
    assertThat(ANY.check("ab\udc00")).contains(new UnpairedSurrogate('\udc00', 3));
    assertThat(ANY.check("\ud83d\ud83d\ude00")).contains(new UnpairedSurrogate('\ud83d', 1));
    assertThat(ANY.check("\ude00\ud83d")).contains(new UnpairedSurrogate('\ude00', 1));
    assertThat(ANY.check("\ud83d\ude00x\ud83d")).as("positions count code points")
        .contains(new UnpairedSurrogate('\ud83d', 3));
    assertThat(ANY.check("\ud83d\ude00")).isEmpty();
  }

  @Test
  void withoutControlsRefusesC0DeleteAndC1ButNotFormatCharacters() {
    for (char control : new char[] {'\u0001', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0080', '\u009f'}) {
      assertThat(LINE.check("a" + control)).as("U+%04X", (int) control).contains(new ControlCharacter(control, 2));
    }
    // Joiners, direction marks, the byte order mark and non-breaking spaces are text (category Cf / Zs).
    assertThat(LINE.check("\u200d\u200c\u200f\ufeff\u00a0")).isEmpty();
  }

  @Test
  void lengthCountsCodePoints() {
    assertThat(ANY.check("\ud83d\ude00".repeat(5))).isEmpty();
    assertThat(ANY.check("\ud83d\ude00".repeat(6))).contains(new TooLong(6, 5));
    assertThat(ANY.check("abcdef")).contains(new TooLong(6, 5));
  }

  @Test
  void nonBlankRefusesEmptyAndWhitespaceOnly() {
    assertThat(LINE.check("")).contains(new Blank());
    assertThat(LINE.check("  ")).contains(new Blank());
    assertThat(LINE.check(" a ")).isEmpty();
    assertThat(ANY.nonBlank().check("\t\n")).contains(new Blank());
  }

  @Test
  void messagesNameWhatIsWrongAndWhere() {
    assertThat(ANY.check("a\u0000").map(Violation::message)).contains(
        "must not contain control characters: U+0000 is at character 2");
    assertThat(ANY.check("\ud800").map(Violation::message)).contains(
        "must be well-formed Unicode: an unpaired surrogate U+D800 is at character 1");
    assertThat(ANY.check("abcdefg").map(Violation::message)).contains(
        "must be at most 5 characters (Unicode code points), not 7");
    assertThat(LINE.describe()).isEqualTo("non-blank Unicode text of at most 5 characters without control characters");
    assertThat(ANY.describe()).isEqualTo("Unicode text of at most 5 characters without NUL");
  }

  @Test
  void aRuleNeedsRoomForText() {
    assertThatIllegalArgumentException().isThrownBy(() -> TextRule.text(0));
  }

  /** The rule is exactly "survives UTF-8, no NUL, no controls if refused, bounded in code points". */
  @Property
  void acceptsExactlyTheTextEveryStoreKeeps(@ForAll("texts") String text) {
    TextRule rule = TextRule.text(8).withoutControls();
    boolean wellFormed = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(text);
    boolean noControls = text.chars().noneMatch(c -> Character.getType(c) == Character.CONTROL);
    boolean shortEnough = !wellFormed || text.codePointCount(0, text.length()) <= 8;
    Optional<Violation> violation = rule.check(text);
    assertThat(violation.isEmpty()).as("accepted").isEqualTo(wellFormed && noControls && shortEnough);
    assertThat(TextRule.text(8).accepts(text)).isEqualTo(wellFormed && text.indexOf('\0') < 0 && shortEnough);
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings()
        .withCharRange('\u0000', '\u00a0')
        .withCharRange('\ud7f0', '\ue010')
        .withChars('\u200d', '\ufeff')
        .ofMaxLength(12);
  }
}
