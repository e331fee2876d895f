using AltinnApp.Core;
using AltinnApp.Init;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Windows PowerShell 5.1 on a .NET Framework older than 4.7.2 is refused at import, with what to install
/// (there is no Windows here: the decision is tested on the registry's Release values).
/// </summary>
public class FrameworkRequirementTests
{
    [Theory]
    [InlineData(394802, "4.6.2")]
    [InlineData(460805, "4.7")]
    [InlineData(461310, "4.7.1")]
    public void An_older_framework_is_refused_naming_it_and_what_to_install(int release, string installed)
    {
        var problem = FrameworkRequirement.Problem(release);

        Assert.NotNull(problem);
        Assert.Contains($".NET Framework {installed} ", problem);
        Assert.Contains("4.7.2 or later", problem);
        Assert.Contains("https://dotnet.microsoft.com/download/dotnet-framework", problem);
        Assert.Contains("pwsh", problem);
    }

    [Theory]
    [InlineData(461808)] // 4.7.2 on Windows 10 1803
    [InlineData(461814)] // 4.7.2 elsewhere
    [InlineData(528040)] // 4.8
    [InlineData(533320)] // 4.8.1
    public void Four_seven_two_and_later_pass(int release) => Assert.Null(FrameworkRequirement.Problem(release));

    [Fact]
    public void An_unreadable_release_does_not_block_the_import() => Assert.Null(FrameworkRequirement.Problem(null));

    [Fact]
    public void The_import_error_is_in_the_catalogue() => Assert.True(ErrorCatalogue.IsKnown("Altinn.Import.DotNetFrameworkTooOld"));
}
