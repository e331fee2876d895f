using System.Reflection;
using System.Text.RegularExpressions;
using AltinnApp.Core;
using AltinnApp.Core.Auth;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Every ErrorId the engine and the cmdlets can report is in <see cref="ErrorCatalogue"/>: read from the source
/// itself, so an id added without its entry, or misspelt, fails here.
/// </summary>
public class ErrorCatalogueTests
{
    // a plain literal id, "Altinn.Journal.FolderMissing" or "Altinn.InvalidPersonNumber"
    private static readonly Regex LiteralId = new(@"(?<!\$)""(Altinn\.[A-Za-z]+(?:\.[A-Za-z]+)?)""");

    // an interpolated id with a fixed reason, $"Altinn.{operation}.FolderMissing"
    private static readonly Regex InterpolatedId = new(@"\$""Altinn\.\{[^}""]+\}\.([A-Za-z]+)""");

    // any other way of building an id in place: a reason that is not a catalogue constant
    private static readonly Regex BuiltId = new(@"\$""Altinn\.|""Altinn\.[A-Za-z.]*""\s*\+");

    // ErrorCatalogue.Id("Connect", ErrorReason.MissingKey) or ErrorCatalogue.Id(operation, "Literal")
    private static readonly Regex IdCall = new(@"ErrorCatalogue\.Id\(\s*(""(?<op>[A-Za-z]*)""|(?<var>[A-Za-z.]+))\s*,\s*((?:Core\.)?ErrorReason\.(?<const>[A-Za-z]+)|""(?<lit>[A-Za-z]+)""|(?<other>[^)]+))\)");

    [Fact]
    public void Every_id_in_the_source_is_in_the_catalogue()
    {
        var unknown = new List<string>();
        var found = 0;
        foreach (var (file, text) in SourceFiles())
        {
            foreach (Match m in LiteralId.Matches(text))
            {
                found++;
                if (!ErrorCatalogue.IsKnown(m.Groups[1].Value)) unknown.Add($"{file}: {m.Groups[1].Value}");
            }

            foreach (Match m in InterpolatedId.Matches(text))
            {
                found++;
                if (!ErrorCatalogue.IsKnownReason(m.Groups[1].Value)) unknown.Add($"{file}: {m.Value} (reason {m.Groups[1].Value})");
            }

            foreach (Match m in BuiltId.Matches(text))
            {
                var interpolated = InterpolatedId.Match(text, m.Index);
                if (interpolated.Success && interpolated.Index == m.Index) continue;
                unknown.Add($"{file}: {Line(text, m.Index)} builds an id in place; use ErrorCatalogue.Id with an ErrorReason constant");
            }

            foreach (Match m in IdCall.Matches(text))
            {
                found++;
                var reason = m.Groups["const"].Success ? ReasonConstant(m.Groups["const"].Value) : m.Groups["lit"].Success ? m.Groups["lit"].Value : null;
                if (reason == null) continue; // a reason held in a variable: the tests below cover each source of one
                var known = m.Groups["op"].Success
                    ? ErrorCatalogue.IsKnown(ErrorCatalogue.Id(m.Groups["op"].Value, reason))
                    : ErrorCatalogue.IsKnownReason(reason);
                if (!known) unknown.Add($"{file}: {m.Value}");
            }
        }

        Assert.True(found > 100, $"only {found} ids found in src: is the source still where the test looks?");
        Assert.True(unknown.Count == 0, "Not in ErrorCatalogue:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void Every_reason_an_http_answer_maps_to_is_in_the_catalogue()
    {
        for (var status = 100; status < 600; status++)
        {
            Assert.True(ErrorCatalogue.IsKnown(ErrorCatalogue.Id("GetInstance", ErrorMapper.ReasonFor(status))), $"status {status}: {ErrorMapper.ReasonFor(status)}");
        }
    }

    [Theory]
    [InlineData("invalid_grant", "MP-100")]
    [InlineData("invalid_grant", "MP-110")]
    [InlineData("invalid_grant", "MP-120")]
    [InlineData("invalid_grant", "MP-121")]
    [InlineData("invalid_grant", "MP-122")]
    [InlineData("invalid_grant", "MP-123")]
    [InlineData("invalid_grant", "MP-124")]
    [InlineData("invalid_grant", "MP-130")]
    [InlineData("invalid_grant", "MP-012")]
    [InlineData("invalid_scope", "MP-200")]
    [InlineData("invalid_scope", "MP-201")]
    [InlineData("invalid_scope", "MP-250")]
    [InlineData("invalid_scope", "MP-251")]
    [InlineData("invalid_authorization_details", "MP-301")]
    [InlineData("invalid_altinn_customer_configuration", "MP-303")]
    [InlineData("invalid_request", "MP-011")]
    [InlineData("invalid_grant", "Issue time is after now")]
    [InlineData("invalid_client", "no such client")]
    [InlineData("invalid_scope", "no such scope")]
    [InlineData("invalid_grant", "something else")]
    [InlineData("invalid_request", "something else")]
    [InlineData("unauthorized_client", "")]
    [InlineData("unsupported_grant_type", "")]
    [InlineData(null, null)]
    public void Every_reason_a_maskinporten_refusal_maps_to_is_in_the_catalogue(string error, string description)
    {
        var reason = MaskinportenTokenSource.Classify(error, description, new GrantRequest { ClientId = "c", SystemUserOrganization = "950474084" }).Reason;
        Assert.True(ErrorCatalogue.IsKnown(ErrorCatalogue.Id("Maskinporten", reason)), reason);
    }

    [Fact]
    public void Every_connect_parameter_reported_as_missing_or_invalid_is_in_the_catalogue()
    {
        // the engine's builder checks Connect-Altinn's parameters
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "AltinnApp.Core", "Session", "ConnectOptionsBuilder.cs"));
        var missing = Regex.Matches(text, @"\bMissing\(""([A-Za-z]+)""").Select(m => m.Groups[1].Value).ToList();
        var secrets = Regex.Matches(text, @"\bSecretText\([A-Za-z]+, ""([A-Za-z]+)""\)").Select(m => m.Groups[1].Value).ToList();
        var ranges = Regex.Matches(text, @"\b(?:OutOfRange\(nameof\(([A-Za-z]+)\)|RequireRange\([^;]*nameof\(([A-Za-z]+)\)\))").Select(m => m.Groups[1].Value + m.Groups[2].Value).ToList();
        Assert.Equal(5, ranges.Distinct().Count());
        foreach (var name in ranges) Assert.True(ErrorCatalogue.IsKnown("Altinn.Connect." + ErrorReason.InvalidParameter(name)), name);
        Assert.NotEmpty(missing);
        Assert.NotEmpty(secrets);
        foreach (var name in missing.Concat(secrets)) Assert.True(ErrorCatalogue.IsKnown("Altinn.Connect." + ErrorReason.MissingParameter(name)), name);
        foreach (var name in secrets) Assert.True(ErrorCatalogue.IsKnown("Altinn.Connect." + ErrorReason.InvalidParameter(name)), name);
    }

    [Fact]
    public void Every_metadata_refusal_reason_is_in_the_catalogue()
    {
        // ServerErrors.MetadataReason names these; its switch gives each its advice
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "AltinnApp.Core", "Api", "ServerErrors.cs"));
        var reasons = Regex.Matches(text, @"return ErrorReason\.([A-Za-z]+);").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("TooLarge", reasons);
        foreach (var reason in reasons) Assert.True(ErrorCatalogue.IsKnown(ErrorCatalogue.Id("AddAttachment", reason)), reason);
    }

    [Theory]
    [InlineData("NoFolder")]
    [InlineData("IsDirectory")]
    [InlineData("Exists")]
    [InlineData("NotFound", "File")]
    [InlineData("NotFound", "Journal")]
    [InlineData("Empty")]
    [InlineData("CannotReadFile")]
    public void A_unified_synonym_is_gone(string reason, string operation = null)
    {
        if (operation == null)
        {
            Assert.DoesNotContain(ErrorCatalogue.All, e => e.Reason == reason);
            Assert.Null(typeof(ErrorReason).GetField(reason));
        }

        Assert.False(ErrorCatalogue.IsKnown(ErrorCatalogue.Id(operation ?? "File", reason)));
        Assert.False(ErrorCatalogue.IsKnown(ErrorCatalogue.Id(operation ?? "SaveData", reason)));
    }

    [Theory]
    [InlineData("Altinn.Journal.FolderMissing", true)]
    [InlineData("Altinn.SaveData.FolderMissing", true)]
    [InlineData("Altinn.File.FolderMissing", true)]
    [InlineData("Altinn.ProcessNext.ValidationFailed", true)]
    [InlineData("Altinn.Session.NotConnected", true)]
    [InlineData("Altinn.InvalidApp", true)]
    [InlineData("Altinn.GetInstance.InvalidApp", true)]
    [InlineData("Altinn.GetInstance.Http418", true)]
    [InlineData("Altinn.Connect.MissingClientId", true)]
    [InlineData("Altinn.Certificate.NotFound", true)]
    [InlineData("Altinn.Journal.FolderMisssing", false)]
    [InlineData("Altinn.Jurnal.FolderMissing", false)]
    [InlineData("Altinn.SetData.ValidationFailed", false)]
    [InlineData("Altinn.Session.Timeout", false)]
    [InlineData("Altinn.FolderMissing", false)]
    [InlineData("Altinn.GetInstance.HttpXYZ", false)]
    [InlineData("Altinn.journal.folderMissing", false)]
    [InlineData("Altinn.A.B.C", false)]
    [InlineData("AltinnX.Journal.FolderMissing", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsKnown_takes_the_catalogue_s_ids_only(string errorId, bool known)
    {
        Assert.Equal(known, ErrorCatalogue.IsKnown(errorId));
    }

    [Fact]
    public void Every_entry_has_a_meaning_an_operation_and_a_constant_and_no_two_overlap()
    {
        var constants = typeof(ErrorReason).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)).ToHashSet();
        foreach (var entry in ErrorCatalogue.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(entry.Meaning), entry.Id);
            Assert.NotEmpty(entry.Operations);
            // Missing<Parameter> and Invalid<Parameter> are made by ErrorReason's two methods
            Assert.True(constants.Contains(entry.Reason) || entry.Reason.StartsWith("Missing", StringComparison.Ordinal) || entry.Reason.StartsWith("Invalid", StringComparison.Ordinal), entry.Id);
        }

        var pairs = ErrorCatalogue.All.SelectMany(e => e.Operations.Select(o => o + "." + e.Reason)).ToList();
        Assert.Empty(pairs.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key));
        foreach (var reason in constants) Assert.True(ErrorCatalogue.All.Any(e => e.Reason == reason), $"ErrorReason.{reason} has no entry");
    }

    private static string ReasonConstant(string name) =>
        (string)typeof(ErrorReason).GetField(name, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) ?? "(no ErrorReason." + name + ")";

    private static string Line(string text, int index)
    {
        var start = text.LastIndexOf('\n', index) + 1;
        var end = text.IndexOf('\n', index);
        return text.Substring(start, (end < 0 ? text.Length : end) - start).Trim();
    }

    private static IEnumerable<(string File, string Text)> SourceFiles()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file);
            // build output, and the catalogue itself (its ids are what the others are checked against)
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p == "bin" || p == "obj")) continue;
            if (relative == Path.Combine("AltinnApp.Core", "ErrorCatalogue.cs")) continue;
            yield return (relative, File.ReadAllText(file));
        }
    }

    /// <summary>The checkout: the first folder above this assembly that holds AltinnApp.psd1, never past the checkout's own root.</summary>
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AltinnApp.psd1"))) return dir.FullName;
            // .git is a folder in a clone and a file in a worktree: either way the checkout ends here
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git"))) break;
            dir = dir.Parent;
        }

        throw new InvalidOperationException($"No AltinnApp.psd1 above {AppContext.BaseDirectory} within the checkout.");
    }
}
