using System.Net;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Tests;

/// <summary>What the engine lets out (log lines, exception messages and their inner exceptions) carries no secret.</summary>
public class RedactionTests
{
    private const string Jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu";
    private const string PersonNumber = "08089403198";

    private static string Pem => "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";

    [Fact]
    public void The_redactor_masks_tokens_bearer_credentials_keys_grants_and_person_numbers()
    {
        var text = $"token {Jwt}; Authorization: Bearer abcdefghijklmnop; {Pem}; grant_type=x&assertion=abc.def.ghi; owner {PersonNumber}; org 950474084; party 500700";
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain(Jwt, redacted);
        Assert.DoesNotContain("abcdefghijklmnop", redacted);
        Assert.DoesNotContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", redacted);
        Assert.DoesNotContain("abc.def.ghi", redacted);
        Assert.DoesNotContain(PersonNumber, redacted);
        Assert.Contains("080894*****", redacted);
        Assert.Contains("org 950474084", redacted); // organisation numbers and party ids are not personal data
        Assert.Contains("party 500700", redacted);
    }

    [Theory]
    [InlineData("00000000-0000-4000-8000-00000000000d")]
    [InlineData("7d7e83d0-02c6-496c-b4ee-a08089403198")]
    [InlineData("7d7e83d0-02c6-496c-b4ee-08089403198f")]
    public void Digits_inside_an_id_are_not_taken_for_a_person_number(string id)
    {
        Assert.Equal($"data element {id} of instance 500700/{id}", Redactor.Redact($"data element {id} of instance 500700/{id}"));
    }

    [Theory]
    [InlineData("person 08089403198.", "person 080894*****.")]
    [InlineData("{\"personNumber\":\"08089403198\"}", "{\"personNumber\":\"080894*****\"}")]
    [InlineData("ssn=08089403198&x=1", "ssn=080894*****&x=1")]
    public void A_person_number_in_text_is_masked(string text, string expected)
    {
        Assert.Equal(expected, Redactor.Redact(text));
    }

    [Fact]
    public void An_AltinnException_redacts_its_message_and_every_inner_exception_and_keeps_their_types_and_stack_traces()
    {
        Exception original;
        try
        {
            ThrowNested();
            throw new InvalidOperationException("not reached");
        }
        catch (Exception ex)
        {
            original = ex;
        }

        var wrapped = new AltinnException("Altinn.Test.Failed", AltinnErrorKind.ConnectionError, $"failed for {PersonNumber} with {Jwt}", original);
        Assert.DoesNotContain(PersonNumber, wrapped.Message);
        Assert.DoesNotContain(Jwt, wrapped.Message);

        var chain = new List<Exception>();
        for (var e = wrapped.InnerException; e != null; e = e.InnerException) chain.Add(e);
        Assert.Equal(2, chain.Count);
        var outer = Assert.IsType<RedactedException>(chain[0]);
        var inner = Assert.IsType<RedactedException>(chain[1]);
        Assert.Equal(typeof(HttpRequestException).FullName, outer.OriginalType);
        Assert.Equal(typeof(WebException).FullName, inner.OriginalType);
        Assert.Contains(nameof(ThrowNested), outer.StackTrace);
        foreach (var e in chain)
        {
            Assert.DoesNotContain(Jwt, e.Message);
            Assert.DoesNotContain(PersonNumber, e.Message);
            Assert.DoesNotContain("BEGIN PRIVATE KEY", e.Message);
        }

        var everything = wrapped.ToString();
        Assert.DoesNotContain(Jwt, everything);
        Assert.DoesNotContain(PersonNumber, everything);
        Assert.Contains(typeof(WebException).FullName, everything);
    }

    [Fact]
    public void An_AltinnException_inside_another_is_not_wrapped_again()
    {
        var first = new AltinnException("Altinn.Test.First", AltinnErrorKind.InvalidData, "first");
        var second = new AltinnException("Altinn.Test.Second", AltinnErrorKind.InvalidData, "second", first);
        Assert.Same(first, second.InnerException);
    }

    private static void ThrowNested()
    {
        try
        {
            throw new WebException($"proxy said: Authorization: Bearer {Jwt}; {Pem}");
        }
        catch (WebException inner)
        {
            throw new HttpRequestException($"request for person {PersonNumber} failed", inner);
        }
    }
}
