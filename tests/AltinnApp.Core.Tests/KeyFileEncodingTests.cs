using System.Text;
using AltinnApp.Core.Auth;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Key files as Windows PowerShell 5.1 writes them: with a UTF-8 byte order mark (Out-File -Encoding UTF8,
/// Set-Content -Encoding UTF8) or as UTF-16 (Out-File and '>' by default). Each must load as the same key.
/// </summary>
public sealed class KeyFileEncodingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("altinnapp-keyfile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Encodings => new() { "utf8", "utf8-bom", "utf16le-bom", "utf16be-bom" };

    private static byte[] Encode(string text, string encoding) => encoding switch
    {
        "utf8" => new UTF8Encoding(false).GetBytes(text),
        "utf8-bom" => new UTF8Encoding(true).GetPreamble().Concat(new UTF8Encoding(false).GetBytes(text)).ToArray(),
        "utf16le-bom" => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray(),
        "utf16be-bom" => Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(text)).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_jwk_file_loads_whatever_byte_order_mark_it_starts_with(string encoding)
    {
        using var generated = KeyGenerator.Create(2048, "kid-bom");
        var path = Path.Combine(_folder, $"key-{encoding}.jwk");
        File.WriteAllBytes(path, Encode(generated.PrivateKeyText(PrivateKeyFormat.Jwk), encoding));

        using var key = (RsaSigningKey)KeyLoader.FromJwkFile(path, null);

        Assert.Equal("kid-bom", key.KeyId);
    }

    [Fact]
    public void The_text_has_no_byte_order_mark_left_in_it()
    {
        var text = KeyLoader.Text(Encode("{\"kty\":\"RSA\"}", "utf8-bom"));
        Assert.Equal("{\"kty\":\"RSA\"}", text);
    }
}
