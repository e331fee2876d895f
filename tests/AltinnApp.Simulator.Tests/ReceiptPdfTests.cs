using System.Text.RegularExpressions;
using AltinnApp.Simulator.Pdf;
using AltinnApp.Simulator.Tests.Support;

namespace AltinnApp.Simulator.Tests;

public sealed class ReceiptPdfTests
{
    [Fact]
    public void Strings_are_escaped_and_kept_to_latin1()
    {
        Assert.Equal(@"a \(b\) \\ c", ReceiptPdf.Escape(@"a (b) \ c"));
        Assert.Equal("Ærø ?", ReceiptPdf.Escape("Ærø \u20AC"));
        Assert.Equal("line one", ReceiptPdf.Escape("line\none"));
    }

    [Fact]
    public void Many_lines_make_several_pages_with_correct_offsets()
    {
        var lines = Enumerable.Range(1, 130).Select(i => $"property{i} = value ({i})").Append(new string('x', 200));

        string pdf = PdfAssert.IsValid(ReceiptPdf.Create("Kvittering", lines));

        Assert.Contains("/Count 3", pdf);
        Assert.Equal(3, Regex.Matches(pdf, "/Type /Page ").Count);
        Assert.Contains(@"(property130 = value \(130\)) Tj", pdf);
    }
}
