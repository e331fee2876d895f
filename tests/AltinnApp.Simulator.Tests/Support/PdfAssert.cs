using System.Text;
using System.Text.RegularExpressions;

namespace AltinnApp.Simulator.Tests.Support;

/// <summary>Checks that bytes are a well-formed PDF: header, trailer, and an xref whose offsets point at the objects.</summary>
public static class PdfAssert
{
    public static string IsValid(byte[] pdf)
    {
        string text = Encoding.Latin1.GetString(pdf);
        Assert.StartsWith("%PDF-1.4", text);
        Assert.EndsWith("%%EOF\n", text);

        var startXref = Regex.Match(text, @"startxref\n(\d+)\n%%EOF\n$");
        Assert.True(startXref.Success, "no startxref");
        int xref = int.Parse(startXref.Groups[1].Value);
        Assert.Equal("xref", text.Substring(xref, 4));

        var header = Regex.Match(text[xref..], @"^xref\n0 (\d+)\n");
        int count = int.Parse(header.Groups[1].Value);
        var entries = Regex.Matches(text[xref..], @"(\d{10}) (\d{5}) ([nf]) \n");
        Assert.Equal(count, entries.Count);
        for (int i = 1; i < count; i++)
        {
            int offset = int.Parse(entries[i].Groups[1].Value);
            Assert.StartsWith($"{i} 0 obj", text[offset..]);
        }
        foreach (Match stream in Regex.Matches(text, @"<< /Length (\d+) >>\nstream\n"))
        {
            int length = int.Parse(stream.Groups[1].Value);
            int start = stream.Index + stream.Length;
            Assert.Equal("\nendstream", text.Substring(start + length, "\nendstream".Length));
        }
        Assert.Contains("/BaseFont /Helvetica", text);
        return text;
    }
}
