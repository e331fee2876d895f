using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AltinnApp.Simulator.Tests.Support;

/// <summary>
/// A fresh simulator state for one test: resets, registers the test client and offers the steps of the
/// user guide (grant → token → exchange → app calls).
/// </summary>
public sealed class SimulatorHarness
{
    public const string ClientId = "test-client";
    public const string App = "/brg/aarsregnskap";
    public const string OwnOrg = "950474084";
    public const int OwnPartyId = 500700;

    public SimulatorHarness(SimulatorFactory factory)
    {
        Factory = factory;
        Http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // xunit constructors cannot await; nothing here captures a synchronization context.
        Http.PostAsync("/_sim/reset", null).GetAwaiter().GetResult().EnsureSuccessStatusCode();
    }

    public SimulatorFactory Factory { get; }
    public HttpClient Http { get; }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content = null, string? bearer = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    public async Task RegisterClientAsync(string? externalRef = null, IEnumerable<string>? organisations = null, string[]? scopes = null)
    {
        var keys = TestKeys.Shared;
        var body = new JsonObject
        {
            ["clientId"] = ClientId,
            ["jwks"] = new JsonArray(keys.PublicJwk()),
            ["certificates"] = new JsonArray(keys.CertificateBase64),
            ["scopes"] = new JsonArray((scopes ?? ["altinn:instances.read", "altinn:instances.write"]).Select(s => (JsonNode)s!).ToArray()),
            ["systemUsers"] = new JsonArray((organisations ?? [OwnOrg])
                .Select(o => (JsonNode)new JsonObject { ["organizationNumber"] = o, ["externalRef"] = externalRef }).ToArray()),
            ["consumerOrganizationNumber"] = "313725138",
        };
        var response = await Http.PostAsync("/_sim/clients", Json(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public Task<HttpResponseMessage> PostGrantAsync(string assertion, string grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer") =>
        Http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["assertion"] = assertion,
        }));

    public async Task<string> MaskinportenTokenAsync(GrantBuilder? grant = null)
    {
        var response = await PostGrantAsync((grant ?? new GrantBuilder()).Build());
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    public async Task<string> ExchangeAsync(string maskinportenToken)
    {
        var response = await SendAsync(HttpMethod.Get, "/authentication/api/v1/exchange/maskinporten", bearer: maskinportenToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The whole login: register, grant, Maskinporten token, exchange.</summary>
    public async Task<string> AltinnTokenAsync()
    {
        await RegisterClientAsync();
        return await ExchangeAsync(await MaskinportenTokenAsync());
    }

    /// <summary>localtest's token for its one test system user, which belongs to <see cref="OwnOrg"/>.</summary>
    public async Task<string> LocaltestTokenAsync() =>
        await Http.GetStringAsync($"/Home/GetTestSystemUserToken?systemUserId={LocaltestSystemUserId}&scope=altinn:instances.read%20altinn:instances.write");

    public const string LocaltestSystemUserId = "d111dbab-d619-4f15-bf29-58fe570a9ae6";

    /// <summary>
    /// An Altinn token for the system user of <paramref name="org"/>: localtest's for <see cref="OwnOrg"/>,
    /// otherwise the whole Maskinporten login with the test client registered for that organisation
    /// (localtest has no system user for any other organisation).
    /// </summary>
    public async Task<string> SystemUserTokenAsync(string org = OwnOrg)
    {
        if (org == OwnOrg) return await LocaltestTokenAsync();
        await RegisterClientAsync(organisations: [org]);
        return await ExchangeAsync(await MaskinportenTokenAsync(new GrantBuilder { OrganizationNumber = org }));
    }

    public async Task<JsonObject> CreateInstanceAsync(string token, object? prefill = null, string org = OwnOrg, string app = App)
    {
        var body = new JsonObject { ["instanceOwner"] = new JsonObject { ["organisationNumber"] = org } };
        if (prefill is not null) body["prefill"] = JsonSerializer.SerializeToNode(prefill);
        var response = await SendAsync(HttpMethod.Post, $"{app}/instances/create", Json(body), token);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static string InstancePath(JsonObject instance, string app = App) => $"{app}/instances/{instance["id"]!.GetValue<string>()}";

    /// <summary>The id of the instance's form data element (the first element with no filename).</summary>
    public static string ModelId(JsonObject instance) =>
        instance["data"]!.AsArray().First(d => d!["filename"] is null && d!["dataType"]!.GetValue<string>() != "ref-data-as-pdf")!["id"]!.GetValue<string>();

    public async Task<JsonObject> GetInstanceAsync(string token, JsonObject instance, string app = App)
    {
        var response = await SendAsync(HttpMethod.Get, InstancePath(instance, app), bearer: token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    public async Task PutModelAsync(string token, JsonObject instance, object values, string app = App)
    {
        var response = await SendAsync(HttpMethod.Put, $"{InstancePath(instance, app)}/data/{ModelId(instance)}/type/model?language=nb",
            Json(JsonSerializer.SerializeToNode(values)!), token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task<JsonObject> CountersAsync() =>
        JsonNode.Parse(await Http.GetStringAsync("/_sim/counters"))!.AsObject();

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    public static JsonObject DecodePayload(string jwt) =>
        JsonNode.Parse(WebEncoders.Base64UrlDecode(jwt.Split('.')[1]))!.AsObject();

    public static ByteArrayContent Upload(byte[] bytes, string contentType, string? contentDisposition)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (contentDisposition is not null) content.Headers.TryAddWithoutValidation("Content-Disposition", contentDisposition);
        return content;
    }
}
