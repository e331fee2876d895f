using System.Globalization;
using System.Text;

namespace AltinnApp.Simulator.Pdf;

/// <summary>
/// Writes a small, valid PDF 1.4 receipt: Helvetica (a base-14 font, so nothing is embedded),
/// WinAnsi text (Latin-1), one content stream per page, and an xref table with exact byte offsets.
/// The content streams are not compressed so tests can find the values in the bytes.
/// </summary>
public static class ReceiptPdf
{
    private const int LinesPerPage = 48;
    private const int MaxLineLength = 90;
    private const int FontSize = 11;
    private const int Leading = 15;
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public static byte[] Create(string title, IEnumerable<string> lines)
    {
        var wrapped = new List<string> { title, "" };
        foreach (var line in lines) wrapped.AddRange(Wrap(line));
        var pages = wrapped.Chunk(LinesPerPage).ToList();

        // Objects: 1 catalog, 2 page tree, 3 font, then per page: page object and its content stream.
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "", // the page tree, filled in once page numbers are known
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        };
        var pageIds = new List<int>();
        foreach (var page in pages)
        {
            int pageId = objects.Count + 1;
            int contentId = pageId + 1;
            pageIds.Add(pageId);
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {contentId} 0 R >>");
            string content = PageContent(page);
            objects.Add($"<< /Length {Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream");
        }
        objects[1] = $"<< /Type /Pages /Kids [{string.Join(' ', pageIds.Select(id => $"{id} 0 R"))}] /Count {pageIds.Count} >>";

        using var output = new MemoryStream();
        void Write(string text) { var bytes = Latin1.GetBytes(text); output.Write(bytes); }

        Write("%PDF-1.4\n");
        output.Write([(byte)'%', 0xE2, 0xE3, 0xCF, 0xD3, (byte)'\n']); // marks the file as binary
        var offsets = new List<long>();
        for (int i = 0; i < objects.Count; i++)
        {
            offsets.Add(output.Position);
            Write($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        long xref = output.Position;
        var table = new StringBuilder();
        table.Append($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) table.Append(offset.ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n \n");
        table.Append($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        Write(table.ToString());
        return output.ToArray();
    }

    private static string PageContent(IEnumerable<string> lines)
    {
        var content = new StringBuilder();
        content.Append($"BT\n/F1 {FontSize} Tf\n{Leading} TL\n50 800 Td\n");
        foreach (var line in lines) content.Append('(').Append(Escape(line)).Append(") Tj T*\n");
        content.Append("ET");
        return content.ToString();
    }

    /// <summary>PDF string escaping; characters outside Latin-1 become '?'.</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': escaped.Append(@"\\"); break;
                case '(': escaped.Append(@"\("); break;
                case ')': escaped.Append(@"\)"); break;
                case '\r': case '\n': case '\t': escaped.Append(' '); break;
                default: escaped.Append(c is >= ' ' and <= '\u00FF' and not (>= '\u007F' and < '\u00A0') ? c : '?'); break;
            }
        }
        return escaped.ToString();
    }

    private static IEnumerable<string> Wrap(string line)
    {
        if (line.Length <= MaxLineLength) { yield return line; yield break; }
        for (int start = 0; start < line.Length; start += MaxLineLength)
            yield return (start == 0 ? "" : "  ") + line.Substring(start, Math.Min(MaxLineLength, line.Length - start));
    }
}
