using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AltinnApp.Core
{
    /// <summary>
    /// Text that came from a server (names, titles, error and validation texts) made safe to show in a console or use
    /// in a file name: no terminal escape sequences, control characters or invisible bidirectional/format marks
    /// (a right-to-left override makes "fdp.exe" read as "exe.pdf").
    /// </summary>
    public static class ServerText
    {
        // CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \) and two-character ESC sequences, and their 8-bit forms
        private static readonly Regex Escapes = new Regex(
            @"(\u001B\[|\u009B)[0-?]*[ -/]*[@-~]|(\u001B\]|\u009D)[^\u0007\u001B\u009C]*(\u0007|\u001B\\|\u009C)?|\u001B[@-Z\\-_]",
            RegexOptions.CultureInvariant);

        /// <summary>
        /// Removes escape sequences, controls and format characters. Line breaks and tabs are kept when
        /// <paramref name="keepLineBreaks"/> is true (multi-line messages), else they become spaces.
        /// </summary>
        public static string Clean(string text, bool keepLineBreaks = true)
        {
            if (string.IsNullOrEmpty(text)) return text;
            var stripped = Escapes.Replace(text, string.Empty);
            var clean = new StringBuilder(stripped.Length);
            foreach (var c in stripped)
            {
                if (c == '\n' || c == '\r' || c == '\t')
                {
                    clean.Append(keepLineBreaks ? c : ' ');
                }
                else if (IsUnsafe(c))
                {
                    continue;
                }
                else
                {
                    clean.Append(c);
                }
            }

            return clean.ToString();
        }

        /// <summary>Server words for a message: cleaned, then redacted (tokens, person numbers).</summary>
        public static string Redacted(string text) => Http.Redactor.Redact(Clean(text));

        /// <summary>True for a control character or an invisible format mark (bidi overrides and isolates, zero-width joiners).</summary>
        public static bool IsUnsafe(char c)
        {
            if (char.IsControl(c)) return true;
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            return category == UnicodeCategory.Format || category == UnicodeCategory.LineSeparator || category == UnicodeCategory.ParagraphSeparator;
        }
    }
}
