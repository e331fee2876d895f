using AltinnApp.Core;
using AltinnApp.Core.Files;

namespace AltinnApp.Core.Tests;

/// <summary>File names from a server, and private files: what a hostile server or another local user cannot make the module do.</summary>
public class HostileFileTests
{
    [Theory]
    [InlineData("../../x.pdf", "_.._x.pdf")]
    [InlineData("/etc/passwd", "_etc_passwd")]
    [InlineData("C:\\Windows\\win.ini", "C__Windows_win.ini")]
    [InlineData("%2e%2e%2fup.pdf", "_up.pdf")]
    [InlineData("\u202Efdp.exe", "fdp.exe.download")]
    [InlineData("invoice\u202Egnp.ps1", "invoicegnp.ps1.download")]
    [InlineData("run.PS1", "run.PS1.download")]
    [InlineData("link.lnk", "link.lnk.download")]
    [InlineData("setup.msi", "setup.msi.download")]
    [InlineData("CON", "_CON")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("Com1.tar.gz", "_Com1.tar.gz")]
    [InlineData("lpt9 .pdf", "_lpt9 .pdf")]
    [InlineData("console.pdf", "console.pdf")]
    [InlineData("a\u001b[31mred\u001b[0m\u0007.pdf", "ared.pdf")]
    [InlineData("title\u001b]0;pwned\u0007.txt", "title.txt")]
    [InlineData("line\nbreak.txt", "line break.txt")]
    [InlineData("zero\u200Bwidth.pdf", "zerowidth.pdf")]
    [InlineData("rapport.pdf", "rapport.pdf")]
    [InlineData("årsregnskap 2025.pdf", "årsregnskap 2025.pdf")]
    public void A_server_name_becomes_one_portable_visible_harmless_name(string given, string expected)
    {
        Assert.Equal(expected, SafeFileName.From(given, "fallback.bin"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("...")]
    [InlineData(". . .")]
    [InlineData("\u202E\u200B")]
    [InlineData("\u001b[2J")]
    public void A_name_that_is_nothing_once_cleaned_takes_the_fallback_cleaned_the_same_way(string given)
    {
        Assert.Equal("_.._x-1.pdf", SafeFileName.From(given, "../../x-1.pdf"));
        Assert.Equal("_CON.xml", SafeFileName.From(given, "CON.xml"));
        Assert.Equal("data", SafeFileName.From(given, " .. "));
    }

    [Fact]
    public void A_path_outside_the_folder_is_refused_after_normalisation()
    {
        var folder = Path.Combine(Path.GetTempPath(), "altinnapp-pathin-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(Path.Combine(folder, "a.pdf"), SafeFileName.PathIn(folder, "a.pdf", "SaveData"));
        foreach (var bad in new[] { "../a.pdf", "/etc/passwd", "sub/a.pdf", "..", "." })
        {
            var ex = Assert.Throws<AltinnException>(() => SafeFileName.PathIn(folder, bad, "SaveData"));
            Assert.Equal("Altinn.SaveData.BadResponse", ex.ErrorId);
        }
    }
}
