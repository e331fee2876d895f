using Microsoft.AspNetCore.Mvc.Testing;

namespace AltinnApp.Simulator.Tests.Support;

/// <summary>The simulator in-process; one per test class, reset before each test.</summary>
public sealed class SimulatorFactory : WebApplicationFactory<Program>
{
    /// <summary>The issuer (and grant aud) the simulator derives from the test host's base address.</summary>
    public const string Issuer = "http://localhost/";
}
