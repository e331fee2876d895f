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
    public void A_requester_net_does_not_name_is_served_only_the_modules_own_assemblies()
    {
        // a dependency asked for without a requester may be another module's: its own copy, or the Framework's, should answer
        Assert.Null(_resolver.Find(new AssemblyName("Polly.Core") { Version = _shipped }, null));
        Assert.Null(_resolver.Find(new AssemblyName("Not.Shipped"), null));
        File.Copy(typeof(AltinnApp.Core.AltinnException).Assembly.Location, Path.Combine(_dependencies, "AltinnApp.Core.dll"));
        Assert.NotNull(_resolver.Find(new AssemblyName("AltinnApp.Core"), null));
    }

    [Fact]
    public void A_strong_named_request_for_another_publishers_assembly_of_the_same_name_is_left_alone()
    {
        var shipped = AssemblyName.GetAssemblyName(Path.Combine(_dependencies, "Polly.Core.dll"));
        var other = new AssemblyName("Polly.Core") { Version = _shipped };
        other.SetPublicKeyToken(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        Assert.Null(_resolver.Find(other, Ours));
        var same = new AssemblyName("Polly.Core") { Version = _shipped };
        same.SetPublicKeyToken(shipped.GetPublicKeyToken());
        Assert.NotNull(_resolver.Find(same, Ours));
    }

    [Fact]
    public void Resources_and_names_that_are_not_file_names_are_never_ours()
    {
        File.Copy(Path.Combine(_dependencies, "Polly.Core.dll"), Path.Combine(_dependencies, "Polly.Core.resources.dll"));
        Assert.Null(_resolver.Find(new AssemblyName("Polly.Core.resources"), Ours));
        Assert.Null(_resolver.Find(new AssemblyName { Name = "../Polly.Core" }, Ours));
    }

    [Fact]
    public void A_damaged_file_makes_the_answer_no_rather_than_an_exception()
    {
        File.WriteAllBytes(Path.Combine(_dependencies, "Broken.dll"), new byte[] { 0x4D, 0x5A, 0, 1, 2, 3 });
        Assert.Null(_resolver.Find(new AssemblyName("Broken"), Ours));
    }

    [Fact]
    public void The_handler_never_throws_whoever_asks_and_whatever_they_ask_for()
    {
        File.WriteAllBytes(Path.Combine(_dependencies, "AltinnApp.Broken.dll"), new byte[] { 0x4D, 0x5A, 0, 1, 2, 3 });
        // the requester is the test assembly: not the module's, so nothing is looked at
        Assert.Null(_resolver.Handle(this, new ResolveEventArgs("Polly.Core", typeof(DependencyFolderResolverTests).Assembly)));
        // no requester: our own name, but the file is damaged
        Assert.Null(_resolver.Handle(this, new ResolveEventArgs("AltinnApp.Broken", null)));
        // a display name that is not one
        Assert.Null(_resolver.Handle(this, new ResolveEventArgs("Polly.Core, Version=not-a-version", null)));
    }

    [Fact]
    public void A_folder_that_only_starts_like_the_module_folder_is_not_the_module()
    {
        var sibling = _module + "-other" + Path.DirectorySeparatorChar + "Other.dll";
        Assert.Null(_resolver.Find(new AssemblyName("Polly.Core") { Version = _shipped }, sibling));
    }
}
