using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AltinnApp.Core.Api;
using AltinnApp.Core.Http;
using AltinnApp.Core.Session;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Prefill values become the text Altinn's <c>InstansiationInstance.Prefill</c> (Dictionary&lt;string, string&gt;) takes,
/// whatever the culture; a 400 ValidationProblemDetails names its fields in the message and as data.
/// </summary>
public class PrefillAndValidationErrorTests
{
    /// <summary>
    /// A culture that writes numbers and times the Norwegian way (',' before decimals, a space between thousands,
    /// '.' between hours and minutes). The test projects run with invariant globalization, so nb-NO itself is not
    /// there: this is the invariant culture with nb-NO's separators.
    /// </summary>
    private static CultureInfo NorwegianLike()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = "\u00a0";
        culture.NumberFormat.CurrencyDecimalSeparator = ",";
        culture.DateTimeFormat.TimeSeparator = ".";
        culture.DateTimeFormat.DateSeparator = ".";
        culture.DateTimeFormat.ShortDatePattern = "dd.MM.yyyy";
        return culture;
    }

    private static T UnderCulture<T>(CultureInfo culture, Func<T> action)
    {
        var previous = CultureInfo.CurrentCulture;
        var previousUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
            CultureInfo.CurrentUICulture = previousUi;
        }
    }

    [Fact]
    public void Values_are_invariant_text_under_a_culture_with_comma_decimals()
    {
        var values = new Dictionary<string, object>
        {
            ["amount"] = 12345,
            ["big"] = 1234567L,
            ["price"] = 1234.5m,
            ["ratio"] = 0.1d,
            ["huge"] = 1e20d,
            ["single"] = 2.5f,
            ["singleTenth"] = 0.1f,
            ["price0"] = 1234.50m,
            ["approved"] = true,
            ["rejected"] = false,
            ["due"] = new DateTime(2026, 5, 31),
            ["localDay"] = new DateTime(2026, 5, 31, 0, 0, 0, DateTimeKind.Local),
            ["at"] = new DateTime(2026, 5, 31, 13, 45, 0),
            ["atUtc"] = new DateTime(2026, 5, 31, 0, 0, 0, DateTimeKind.Utc),
            ["precise"] = new DateTime(2026, 5, 31, 13, 45, 0, 250, DateTimeKind.Utc),
            ["offset"] = new DateTimeOffset(2026, 5, 31, 13, 45, 0, TimeSpan.FromHours(2)),
            ["day"] = DayOfWeek.Monday,
            ["id"] = new Guid("232c5390-9479-4506-a266-9890d7287bfb"),
            ["text"] = "1 234,5",
        };

        var culture = NorwegianLike();
        // the culture is in force: the same number written with it has a comma and a space
        Assert.Equal("1\u00a0234,5", UnderCulture(culture, () => 1234.5m.ToString("N1")));
        var result = UnderCulture(culture, () => PrefillValues.ToStrings(values, "NewInstance"));

        Assert.Equal("12345", result["amount"]);
        Assert.Equal("1234567", result["big"]);
        Assert.Equal("1234.5", result["price"]);
        Assert.Equal("0.1", result["ratio"]);
        Assert.Equal("100000000000000000000", result["huge"]);
        Assert.Equal("2.5", result["single"]);
        Assert.Equal("0.1", result["singleTenth"]);      // not the double 0.10000000149011612 the float widens to
        Assert.Equal("1234.50", result["price0"]);       // a decimal keeps the digits it was given
        Assert.Equal("true", result["approved"]);
        Assert.Equal("false", result["rejected"]);
        Assert.Equal("2026-05-31", result["due"]);
        Assert.Equal("2026-05-31", result["localDay"]);
        Assert.Equal("2026-05-31T13:45:00", result["at"]);
        Assert.Equal("2026-05-31T00:00:00Z", result["atUtc"]);
        Assert.Equal("2026-05-31T13:45:00.25Z", result["precise"]);
        Assert.Equal("2026-05-31T13:45:00+02:00", result["offset"]);
        Assert.Equal("Monday", result["day"]);
        Assert.Equal("232c5390-9479-4506-a266-9890d7287bfb", result["id"]);
        Assert.Equal("1 234,5", result["text"]);
    }

    [Fact]
    public void A_null_value_is_left_out()
    {
        var result = PrefillValues.ToStrings(new Dictionary<string, object> { ["a"] = "x", ["b"] = null }, "NewInstance");
        Assert.Equal(new[] { "a" }, result.Keys.ToArray());
    }

    [Theory]
    [InlineData("nested", "a nested object")]
    [InlineData("list", "a list of values")]
    public void A_nested_object_or_a_list_is_refused_naming_the_key(string key, string what)
    {
        var values = new Dictionary<string, object>
        {
            ["ok"] = "x",
            ["nested"] = new Dictionary<string, object> { ["street"] = "Storgata 1" },
            ["list"] = new List<object> { "a", "b" },
        };
        var only = new Dictionary<string, object> { ["ok"] = "x", [key] = values[key] };

        var ex = Assert.Throws<AltinnArgumentException>(() => PrefillValues.ToStrings(only, "NewInstance"));
        Assert.Equal("Altinn.NewInstance.PrefillNotFlat", ex.ErrorId);
        Assert.Equal(AltinnErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains($"Prefill field '{key}' is {what}", ex.Message);
        Assert.Contains("one flat value per field", ex.Message);
        Assert.Contains("Set-AltinnData -Value", ex.Message);
    }

    [Fact]
    public void Not_a_number_is_refused() =>
        Assert.Equal("Altinn.NewInstance.InvalidPrefill",
            Assert.Throws<AltinnArgumentException>(() => PrefillValues.ToStrings(new Dictionary<string, object> { ["x"] = double.NaN }, "NewInstance")).ErrorId);

    private sealed class Recorder(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public readonly List<string> Bodies = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken));
            return answer(request);
        }
    }

    private const string ValidationProblem =
        "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.1\",\"title\":\"One or more validation errors occurred.\",\"status\":400," +
        "\"errors\":{\"$.prefill.amount\":[\"The JSON value could not be converted to System.String. Path: $.prefill.amount | LineNumber: 0 | BytePositionInLine: 77.\"]," +
        "\"instansiationInstance\":[\"The instansiationInstance field is required.\"]},\"traceId\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00\"}";

    [Fact]
    public async Task The_create_body_carries_every_prefill_value_as_a_json_string()
    {
        var handler = new Recorder(_ => new HttpResponseMessage(HttpStatusCode.Created)
        {
            Content = new StringContent("{\"id\":\"500700/232c5390-9479-4506-a266-9890d7287bfb\",\"appId\":\"brg/aarsregnskap\",\"data\":[]}", Encoding.UTF8, "application/json"),
        });
        using var session = await TestSessions.ConnectAsync(handler);
        var prefill = PrefillValues.ToStrings(new Dictionary<string, object> { ["amount"] = 12345, ["approved"] = true, ["due"] = new DateTime(2026, 5, 31) }, "NewInstance");
        await session.Client.Instances.CreateInstanceAsync(new AppIdentifier("brg", "aarsregnskap"), new InstanceOwnerSpec { OrganizationNumber = "950474084" }, null, null, prefill, "nb", null, CancellationToken.None);

        using var sent = JsonDocument.Parse(handler.Bodies.Single());
        var values = sent.RootElement.GetProperty("prefill");
        Assert.All(values.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        Assert.Equal("12345", values.GetProperty("amount").GetString());
        Assert.Equal("true", values.GetProperty("approved").GetString());
        Assert.Equal("2026-05-31", values.GetProperty("due").GetString());
    }

    [Fact]
    public void A_validation_problem_is_read_field_by_field_in_the_servers_order()
    {
        var body = ErrorMapper.ParseBody(ValidationProblem, "application/problem+json");
        Assert.Equal("One or more validation errors occurred.", body.Summary);
        Assert.Equal(new[] { "$.prefill.amount", "instansiationInstance" }, body.ValidationErrors.Keys.ToArray());
        Assert.Equal("The instansiationInstance field is required.", body.ValidationErrors["instansiationInstance"].Single());
    }

    [Fact]
    public async Task A_400_validation_problem_names_each_field_in_the_message_and_carries_them_as_data()
    {
        var handler = new Recorder(_ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent(ValidationProblem, Encoding.UTF8, "application/problem+json"),
        });
        using var session = await TestSessions.ConnectAsync(handler);
        var ex = await Assert.ThrowsAsync<AltinnApiException>(() => session.Client.Instances.CreateInstanceAsync(new AppIdentifier("brg", "aarsregnskap"),
            new InstanceOwnerSpec { OrganizationNumber = "950474084" }, null, null, new Dictionary<string, string> { ["amount"] = "1" }, "nb", null, CancellationToken.None));

        Assert.Equal("Altinn.NewInstance.BadRequest", ex.ErrorId);
        Assert.Equal(AltinnErrorKind.InvalidData, ex.Kind);
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("One or more validation errors occurred", ex.Message);
        Assert.Contains("  - $.prefill.amount: The JSON value could not be converted to System.String.", ex.Message);
        Assert.Contains("  - instansiationInstance: The instansiationInstance field is required.", ex.Message);
        Assert.Contains("Exception.ValidationErrors", ex.Message);
        Assert.Equal(new[] { "$.prefill.amount", "instansiationInstance" }, ex.ValidationErrors.Keys.ToArray());
        Assert.StartsWith("The JSON value could not be converted to System.String.", ex.ValidationErrors["$.prefill.amount"].Single());
        // a create that Altinn refused with a 400 is not repeated
        Assert.Single(handler.Bodies);
    }

    [Fact]
    public async Task Field_messages_are_redacted_and_a_body_level_error_is_labelled()
    {
        const string body = "{\"title\":\"One or more validation errors occurred.\",\"status\":400,\"errors\":{\"\":[\"A non-empty request body is required.\"],\"$.instanceOwner.personNumber\":[\"08089403198 is not valid\"]}}";
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json") };
        var ex = await ErrorMapper.ToExceptionAsync(response, "NewInstance", "Creating an instance");

        Assert.Contains("  - (request body): A non-empty request body is required.", ex.Message);
        Assert.DoesNotContain("08089403198", ex.Message);
        Assert.DoesNotContain("08089403198", ex.ValidationErrors["$.instanceOwner.personNumber"].Single());
        Assert.Equal("A non-empty request body is required.", ex.ValidationErrors[""].Single());
    }

    [Fact]
    public void Errors_without_a_map_leave_validation_errors_empty() =>
        Assert.Empty(ErrorMapper.ParseBody("{\"title\":\"Not Found\",\"status\":404}", "application/problem+json").ValidationErrors);
}
