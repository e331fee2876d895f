// the Unix-only calls run behind OperatingSystem.IsWindows() checks
#pragma warning disable CA1416
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

    [Fact]
    public void A_private_file_is_mode_600_from_its_creation()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = Directory.CreateTempSubdirectory("altinnapp-private-").FullName;
        try
        {
            var viaRuntime = Path.Combine(folder, "a");
            using (OwnerOnly.CreateNew(viaRuntime))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(viaRuntime));
            }

            // the open(2) path older runtimes take
            var viaOpen = Path.Combine(folder, "b");
            using (OwnerOnly.Unix.CreateNew(viaOpen))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(viaOpen));
            }

            Assert.ThrowsAny<IOException>(() => OwnerOnly.Unix.CreateNew(viaOpen).Dispose()); // never an existing file
            Assert.ThrowsAny<IOException>(() => OwnerOnly.CreateNew(viaOpen).Dispose());
            var link = Path.Combine(folder, "link");
            File.CreateSymbolicLink(link, Path.Combine(folder, "target"));
            Assert.ThrowsAny<IOException>(() => OwnerOnly.Unix.CreateNew(link).Dispose()); // nor through a link left in its place
            Assert.False(File.Exists(Path.Combine(folder, "target")));

            var sub = Path.Combine(folder, "sub");
            OwnerOnly.CreateFolder(sub);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(sub));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_secret_never_sits_in_a_file_others_can_open()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = Directory.CreateTempSubdirectory("altinnapp-secret-").FullName;
        try
        {
            var path = Path.Combine(folder, "key.json");
            var seen = new List<(string Path, UnixFileMode Mode)>();
            AtomicFile.WriteSecret(path, false, "secret"u8.ToArray(), p =>
            {
                // every file in the folder when protection is asked for: the temporary one must already be private
                foreach (var file in Directory.GetFiles(folder)) seen.Add((Path.GetFileName(file), File.GetUnixFileMode(file)));
                File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            });
            Assert.NotEmpty(seen);
            Assert.All(seen, s => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, s.Mode));
            Assert.Equal("secret", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
