using System.Reflection;
using AltinnApp.Init;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Windows PowerShell 5.1 resolves the module's dependencies through this (there is no Windows PowerShell
/// here to run it in): our own requests get our files, anyone else's are left alone.
/// </summary>
public sealed class DependencyFolderResolverTests : IDisposable
{
    private readonly string _module = Directory.CreateTempSubdirectory("altinnapp-module-").FullName;
    private readonly string _dependencies;
    private readonly DependencyFolderResolver _resolver;
    private readonly Version _shipped;

    public DependencyFolderResolverTests()
    {
        _dependencies = Directory.CreateDirectory(Path.Combine(_module, "Dependencies")).FullName;
        var polly = typeof(Polly.ResiliencePipeline).Assembly;
        File.Copy(polly.Location, Path.Combine(_dependencies, "Polly.Core.dll"));
        _shipped = polly.GetName().Version;
        _resolver = new DependencyFolderResolver(_dependencies, _module);
    }

    public void Dispose() => Directory.Delete(_module, recursive: true);

    private string Ours => Path.Combine(_module, "AltinnApp.PowerShell.dll");

    [Fact]
    public void A_request_from_the_module_gets_the_shipped_file()
    {
        var found = _resolver.Find(new AssemblyName("Polly.Core") { Version = _shipped }, Ours);
        Assert.Equal(Path.Combine(_dependencies, "Polly.Core.dll"), found);
    }

    [Fact]
    public void An_older_version_is_served_as_a_binding_redirect_would_and_a_newer_one_is_not()
    {
        Assert.NotNull(_resolver.Find(new AssemblyName("Polly.Core") { Version = new Version(7, 0, 0, 0) }, Ours));
        Assert.Null(_resolver.Find(new AssemblyName("Polly.Core") { Version = new Version(99, 0, 0, 0) }, Ours));
    }

    [Fact]
    public void Another_modules_request_is_left_alone()
    {
        var elsewhere = Path.Combine(Path.GetTempPath(), "OtherModule", "Other.dll");
        Assert.Null(_resolver.Find(new AssemblyName("Polly.Core") { Version = _shipped }, elsewhere));
        Assert.Null(_resolver.Find(new AssemblyName("Polly.Core") { Version = _shipped }, string.Empty)); // a dynamic assembly
    }

    [Fact]
    public void A_requester_net_does_not_name_is_served_only_what_the_module_ships()
    {
        Assert.NotNull(_resolver.Find(new AssemblyName("Polly.Core") { Version = _shipped }, null));
        Assert.Null(_resolver.Find(new AssemblyName("Not.Shipped"), null));
    }

    [Fact]
    public void A_folder_that_only_starts_like_the_module_folder_is_not_the_module()
    {
        var sibling = _module + "-other" + Path.DirectorySeparatorChar + "Other.dll";
        Assert.Null(_resolver.Find(new AssemblyName("Polly.Core") { Version = _shipped }, sibling));
    }
}
