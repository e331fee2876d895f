using AltinnApp.Core.Api;
using AltinnApp.Testing;

namespace AltinnApp.Core.Tests;

/// <summary>Every route the module calls must exist, with its method, in Altinn's own OpenAPI documents.</summary>
public class ContractTests
{
    public static IEnumerable<object[]> ModuleRoutes() => AppRoutes.All.Select(r => new object[] { r.Method, r.Route });

    [Theory]
    [MemberData(nameof(ModuleRoutes))]
    public void Every_route_the_module_calls_is_in_the_OpenAPI_documents(string method, string route)
    {
        var documents = OpenApiRoutes.Load();
        Assert.True(documents.Contains(method, "/{org}/{app}/" + route), $"{method} /{{org}}/{{app}}/{route} is not in the Altinn app OpenAPI documents");
    }
}
