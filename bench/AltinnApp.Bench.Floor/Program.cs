// The floor of the benchmark: one submission after another with a bare HttpClient, sending the
// requests AltinnApp's pipeline sends (same routes, query strings, bodies, content types and
// Accept-Encoding), with no retry, logging, models or PowerShell. What is left is the server's cost.
//
//   dotnet AltinnApp.Bench.Floor.dll --base-uri http://127.0.0.1:5099/ --count 300 --warmup 20 --receipts <folder>
//       runs once and prints one JSON line: per submission, the milliseconds of each step;
//   dotnet AltinnApp.Bench.Floor.dll --base-uri http://127.0.0.1:5099/ --serve
//       reads "submit <count> <folder>" lines on stdin and answers each with such a JSON line, so one
//       warmed-up process serves every round of the benchmark, as the module's long-lived pwsh does;
//       "jit" answers with the number of methods the process has compiled so far.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

var options = Options.Parse(args);
using var handler = new HttpClientHandler
{
    AllowAutoRedirect = false,
    UseCookies = false,
    AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
};
using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(100) };
http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("AltinnApp", "0.1.0"));

// The token is not part of what is measured: localtest's endpoint hands out an Altinn token that the
// simulator's app routes accept like an exchanged one, so the floor needs no key of its own.
// Localtest's one test system user (d111dbab-…, organisation 950474084): the token acts for that organisation
// whatever is asked, so --organization must be 950474084 (the default).
if (options.Organization != "950474084")
    throw new ArgumentException($"--organization {options.Organization}: localtest's test system user belongs to 950474084, so its token cannot file for another organisation.");
var tokenUri = new Uri(options.BaseUri, "Home/GetTestSystemUserToken?systemUserId=d111dbab-d619-4f15-bf29-58fe570a9ae6&scope=altinn%3Ainstances.read%20altinn%3Ainstances.write");
using (var tokenResponse = await http.GetAsync(tokenUri))
{
    tokenResponse.EnsureSuccessStatusCode();
    var token = (await tokenResponse.Content.ReadAsStringAsync()).Trim().Trim('"');
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
}

var appBase = new Uri(options.BaseUri, options.App + "/");
var receipts = options.Receipts;

if (!options.Serve)
{
    Directory.CreateDirectory(receipts);
    for (int i = 0; i < options.Warmup; i++) await SubmitAsync();
    Console.Out.WriteLine(await RunAsync(options.Count));
    return 0;
}

Console.Out.WriteLine("{\"ready\":true}");
Console.Out.Flush();
string? line;
while ((line = Console.In.ReadLine()) != null)
{
    var parts = line.Split(' ', 3);
    if (parts[0] == "exit") break;
    if (parts[0] == "jit")
    {
        // the methods this process has compiled so far: the benchmark warms the floor up until the count stops growing
        Console.Out.WriteLine(System.Runtime.JitInfo.GetCompiledMethodCount());
        Console.Out.Flush();
        continue;
    }

    if (parts.Length < 3 || parts[0] != "submit" || !int.TryParse(parts[1], out var count))
    {
        Console.Error.WriteLine($"unknown command: {line}");
        return 2;
    }

    receipts = parts[2];
    Directory.CreateDirectory(receipts);
    Console.Out.WriteLine(await RunAsync(count));
    Console.Out.Flush();
}

return 0;

async Task<string> RunAsync(int count)
{
    var results = new List<Dictionary<string, double>>(count);
    for (int i = 0; i < count; i++) results.Add(await SubmitAsync());
    return JsonSerializer.Serialize(new { submissions = results });
}

async Task<Dictionary<string, double>> SubmitAsync()
{
    var clock = Stopwatch.StartNew();
    var steps = new Dictionary<string, double>();

    // New-AltinnInstance -Prefill: POST instances/create
    var createBody = $"{{\"instanceOwner\":{{\"organisationNumber\":\"{options.Organization}\"}},\"prefill\":{{\"property1\":\"value1\"}}}}";
    string instanceId, modelId;
    using (var response = await SendAsync(HttpMethod.Post, "instances/create?language=nb", Json(createBody)))
    using (var doc = await ReadJsonAsync(response))
    {
        instanceId = doc.RootElement.GetProperty("id").GetString()!;
        modelId = FindElement(doc.RootElement, "model");
    }
    steps["create"] = Lap(clock);

    // Set-AltinnData -DataType model -Value @{...}: PUT data/{id}/type/model
    var dataBody = "{\"property1\":\"value4\",\"property2\":\"value5\",\"property3\":\"value6\"}";
    using (var response = await SendAsync(HttpMethod.Put, $"instances/{instanceId}/data/{modelId}/type/model?language=nb", Json(dataBody)))
    using (await ReadJsonAsync(response)) { }
    steps["setData"] = Lap(clock);

    // Invoke-AltinnProcessNext: PUT process/next (no body), then GET the instance
    string pdfId;
    using (var response = await SendAsync(HttpMethod.Put, $"instances/{instanceId}/process/next?language=nb", null))
    using (await ReadJsonAsync(response)) { }
    using (var response = await SendAsync(HttpMethod.Get, $"instances/{instanceId}", null))
    using (var doc = await ReadJsonAsync(response))
    {
        pdfId = FindElement(doc.RootElement, "ref-data-as-pdf");
    }
    steps["processNext"] = Lap(clock);

    // Save-AltinnReceipt: GET data/{pdfId}/type/ref-data-as-pdf as the guide does, streamed to a file
    var receiptRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(appBase, $"instances/{instanceId}/data/{pdfId}/type/ref-data-as-pdf?language=nb"));
    receiptRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/pdf"));
    using (var response = await http.SendAsync(receiptRequest, HttpCompletionOption.ResponseHeadersRead))
    {
        Require(response);
        var path = Path.Combine(receipts, instanceId.Replace('/', '-') + ".pdf");
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(file);
    }
    steps["receipt"] = Lap(clock);
    steps["total"] = steps.Values.Sum();
    return steps;
}

async Task<HttpResponseMessage> SendAsync(HttpMethod method, string relative, HttpContent? content)
{
    var request = new HttpRequestMessage(method, new Uri(appBase, relative)) { Content = content };
    var response = await http.SendAsync(request);
    Require(response);
    return response;
}

static HttpContent Json(string text)
{
    var content = new StringContent(text, Encoding.UTF8);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    return content;
}

static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response)
{
    await using var stream = await response.Content.ReadAsStreamAsync();
    return await JsonDocument.ParseAsync(stream);
}

static string FindElement(JsonElement instance, string dataType)
{
    foreach (var element in instance.GetProperty("data").EnumerateArray())
    {
        if (element.GetProperty("dataType").GetString() == dataType) return element.GetProperty("id").GetString()!;
    }

    throw new InvalidOperationException($"The instance has no '{dataType}' data element.");
}

static void Require(HttpResponseMessage response)
{
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
    }
}

static double Lap(Stopwatch clock)
{
    var ms = clock.Elapsed.TotalMilliseconds;
    clock.Restart();
    return ms;
}

internal sealed record Options(Uri BaseUri, string App, string Organization, int Count, int Warmup, string Receipts, bool Serve)
{
    public static Options Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var serve = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--serve") serve = true;
            else if (i + 1 < args.Length) map[args[i].TrimStart('-')] = args[++i];
        }

        string Get(string name, string? fallback = null) =>
            map.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required.");
        var baseUri = Get("base-uri");
        return new Options(new Uri(baseUri.EndsWith('/') ? baseUri : baseUri + "/"), Get("app", "brg/aarsregnskap"), Get("organization", "950474084"),
            int.Parse(Get("count", "300")), int.Parse(Get("warmup", "20")), Get("receipts", Path.Combine(Path.GetTempPath(), "altinnapp-floor-receipts")), serve);
    }
}
