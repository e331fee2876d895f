using System.Reflection;
using System.Runtime.Loader;
using AltinnApp.LoadContext;

namespace AltinnApp.Core.Tests;

/// <summary>
/// The module's load context decides, per assembly, between its own folder and the default context.
/// Polly.Core stands in for any dependency the module ships: the test host has its own copy in the
/// default context, like another module would.
/// </summary>
public sealed class EngineLoadContextTests : IDisposable
{
    private static readonly Assembly HostPolly = typeof(Polly.ResiliencePipeline).Assembly;
    private readonly string _folder = Directory.CreateTempSubdirectory("altinnapp-alc-").FullName;

    public EngineLoadContextTests() => File.Copy(HostPolly.Location, Path.Combine(_folder, "Polly.Core.dll"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_shipped_dependency_loads_from_the_folder_into_the_module_context_beside_the_hosts_copy()
    {
        var context = new EngineLoadContext(_folder, new Dictionary<string, string>());
        var loaded = context.LoadFromAssemblyName(new AssemblyName("Polly.Core"));

        Assert.Same(context, AssemblyLoadContext.GetLoadContext(loaded));
        Assert.NotSame(HostPolly, loaded);
        Assert.Equal(Path.Combine(_folder, "Polly.Core.dll"), loaded.Location);
        Assert.Same(loaded, context.LoadFromAssemblyName(new AssemblyName("Polly.Core"))); // one copy per context
    }

    [Fact]
    public void What_the_runtime_provides_at_the_same_or_a_newer_version_is_left_to_the_default_context()
    {
        var platform = new Dictionary<string, string> { ["Polly.Core"] = HostPolly.Location };
        var context = new EngineLoadContext(_folder, platform);

        var loaded = context.LoadFromAssemblyName(new AssemblyName("Polly.Core") { Version = HostPolly.GetName().Version });

        Assert.Same(HostPolly, loaded);
    }

    [Fact]
    public void A_runtime_copy_older_than_the_one_asked_for_is_not_used()
    {
        var platform = new Dictionary<string, string> { ["Polly.Core"] = HostPolly.Location };
        var context = new EngineLoadContext(_folder, platform);
        var shipped = Path.Combine(_folder, "Polly.Core.dll");

        Assert.False(context.RuntimeProvides(new AssemblyName("Polly.Core") { Version = new Version(99, 0, 0, 0) }, shipped));
        Assert.True(context.RuntimeProvides(new AssemblyName("Polly.Core") { Version = new Version(1, 0, 0, 0) }, shipped));
        Assert.False(context.RuntimeProvides(new AssemblyName("Not.In.The.Platform") { Version = new Version(1, 0) }, shipped));
    }

    [Fact]
    public void Assemblies_the_module_does_not_ship_come_from_the_default_context()
    {
        var context = new EngineLoadContext(_folder, new Dictionary<string, string>());
        var loaded = context.LoadFromAssemblyName(typeof(System.Text.Json.JsonSerializer).Assembly.GetName());

        Assert.Same(typeof(System.Text.Json.JsonSerializer).Assembly, loaded);
    }

    [Fact]
    public void The_platform_list_is_the_runtimes_trusted_assemblies()
    {
        var platform = EngineLoadContext.ReadPlatformAssemblies();

        Assert.True(platform.ContainsKey("System.Private.CoreLib"));
        Assert.True(platform.ContainsKey("system.text.json")); // by simple name, any case
    }

    [Fact]
    public void The_default_contexts_question_is_answered_for_the_engine_alone()
    {
        var engine = typeof(AltinnApp.Core.AltinnException).Assembly;
        File.Copy(engine.Location, Path.Combine(_folder, "AltinnApp.Core.dll"));
        var context = new EngineLoadContext(_folder, new Dictionary<string, string>());

        var answered = EngineResolver.Answer(context, new AssemblyName("AltinnApp.Core"));
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(answered));
        Assert.Null(EngineResolver.Answer(context, new AssemblyName("Polly.Core"))); // a dependency: only through the module's context
        Assert.Null(EngineResolver.Answer(null, new AssemblyName("AltinnApp.Core"))); // not imported (yet, or any more)
    }

    [Fact]
    public void A_damaged_engine_file_makes_the_answer_no_rather_than_an_exception()
    {
        File.WriteAllBytes(Path.Combine(_folder, "AltinnApp.Core.dll"), new byte[] { 0x4D, 0x5A, 0, 1, 2, 3 });
        var context = new EngineLoadContext(_folder, new Dictionary<string, string>());

        Assert.Null(EngineResolver.Answer(context, new AssemblyName("AltinnApp.Core")));
    }

    [Fact]
    public void A_newer_engine_than_the_folder_holds_is_not_answered()
    {
        File.Copy(typeof(AltinnApp.Core.AltinnException).Assembly.Location, Path.Combine(_folder, "AltinnApp.Core.dll"));
        var context = new EngineLoadContext(_folder, new Dictionary<string, string>());

        Assert.Null(EngineResolver.Answer(context, new AssemblyName("AltinnApp.Core") { Version = new Version(99, 0, 0, 0) }));
    }
}
