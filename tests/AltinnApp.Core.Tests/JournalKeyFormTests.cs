using AltinnApp.Core.Journal;

namespace AltinnApp.Core.Tests;

/// <summary>A key is compared exactly: one that only looks like another (a space at an end, an invisible character) is refused.</summary>
public sealed class JournalKeyFormTests
{
    [Theory]
    [InlineData("950474084-2025-aarsregnskap")]
    [InlineData("case 2025/17")]            // a space inside is part of the key
    [InlineData("ØKONOMI-2025-æøå")]
    public void A_key_that_is_what_it_shows_is_taken(string key) => JournalKeys.RequireUsable(key, "NewInstance");

    [Theory]
    [InlineData("k1 ", "a space at its end")]
    [InlineData(" k1", "a space at its start")]
    [InlineData("k1\t", "U+0009 at its end")]
    [InlineData("k\u00a01", "U+00A0 at position 2")]
    [InlineData("k1\u200b", "U+200B at position 3")]
    [InlineData("k\r\n1", "U+000D at position 2")]
    public void A_key_that_only_looks_like_another_is_refused(string key, string said)
    {
        var ex = Assert.Throws<AltinnArgumentException>(() => JournalKeys.RequireUsable(key, "NewInstance"));
        Assert.Equal("Altinn.NewInstance.InvalidKey", ex.ErrorId);
        Assert.Contains(said, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_key_is_refused() =>
        Assert.Equal("Altinn.NewInstance.InvalidKey", Assert.Throws<AltinnArgumentException>(() => JournalKeys.RequireUsable("", "NewInstance")).ErrorId);

    [Fact]
    public void A_person_number_in_a_refused_key_is_masked() =>
        Assert.DoesNotContain("08089403198", Assert.Throws<AltinnArgumentException>(() => JournalKeys.RequireUsable("08089403198-2025 ", "NewInstance")).Message);
}
