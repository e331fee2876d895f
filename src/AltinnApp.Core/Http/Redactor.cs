using System.Text.RegularExpressions;

namespace AltinnApp.Core.Http
{
    /// <summary>
    /// The last line of defence for text that leaves the engine (logs, error bodies): masks anything that
    /// looks like a JWT, a bearer credential, a PEM block or a national identity number.
    /// </summary>
    public static class Redactor
    {
        private static readonly Regex Jwt = new Regex(@"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex Bearer = new Regex(@"(?i)(bearer\s+)[A-Za-z0-9_\-\.=+/]{8,}", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex Pem = new Regex(@"-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex Assertion = new Regex(@"(?i)(assertion=)[^&\s]+", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        // not next to a hexadecimal character: eleven digits inside a GUID (an instance or element id) are no person number
        private static readonly Regex PersonNumber = new Regex(@"(?<![0-9A-Fa-f])([0-7][0-9][01][0-9]{3})[0-9]{5}(?![0-9A-Fa-f])", RegexOptions.Compiled | RegexOptions.CultureInvariant);

        public static string Redact(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            var s = Pem.Replace(text, "[key redacted]");
            s = Jwt.Replace(s, "[token redacted]");
            s = Bearer.Replace(s, "$1[redacted]");
            s = Assertion.Replace(s, "$1[redacted]");
            s = PersonNumber.Replace(s, m => Validation.NorwegianIdentifiers.IsValidPersonNumber(m.Value) ? m.Groups[1].Value + "*****" : m.Value);
            return s;
        }
    }
}
