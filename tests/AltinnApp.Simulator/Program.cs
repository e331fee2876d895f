using AltinnApp.Simulator.Apps;
using AltinnApp.Simulator.Control;
using AltinnApp.Simulator.Exchange;
using AltinnApp.Simulator.Infrastructure;
using AltinnApp.Simulator.Maskinporten;
using AltinnApp.Simulator.Storage;
using AltinnApp.Simulator.Vendor;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// Uploads go to temporary files; allow the app library's 2000 MB request limit (reference §6.2).
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 2000L * 1024 * 1024);
builder.Services.ConfigureHttpJsonOptions(options => SimJson.Configure(options.SerializerOptions));

builder.Services.AddSingleton<SimulatorKeys>();
builder.Services.AddSingleton<SimulatorSettings>();
builder.Services.AddSingleton<PdfFaults>();
builder.Services.AddSingleton<Counters>();
builder.Services.AddSingleton<RequestLog>();
builder.Services.AddSingleton<TokenGeneration>();
builder.Services.AddSingleton<FaultInjector>();
builder.Services.AddSingleton<SystemUserDirectory>();
builder.Services.AddSingleton<ClientRegistry>();
builder.Services.AddSingleton<JtiCache>();
builder.Services.AddSingleton<GrantLog>();
builder.Services.AddSingleton<GrantValidator>();
builder.Services.AddSingleton<TokenIssuer>();
builder.Services.AddSingleton<AltinnAuth>();
builder.Services.AddSingleton<AppRegistry>();
builder.Services.AddSingleton<PartyRegistry>();
builder.Services.AddSingleton<BlobStore>();
builder.Services.AddSingleton<InstanceStore>();
builder.Services.AddSingleton<InstanceService>();
builder.Services.AddSingleton<AppCallFilter>();
builder.Services.AddSingleton<VendorStore>();

var app = builder.Build();

app.UseRouting();
app.UseMiddleware<SimulatorMiddleware>();

app.MapControl();
app.MapMaskinporten();
app.MapExchange();
app.MapApps();
app.MapVendor();

app.Lifetime.ApplicationStarted.Register(() =>
{
    // Under WebApplicationFactory there is no socket and so no address to announce.
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
    if (addresses is { Count: > 0 })
        Console.WriteLine($"SIMULATOR READY {addresses.First()}");
});

app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
