using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AltinnApp.Core.Validation;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// Person numbers in journal keys (a key such as <c>01019012345-2025-skattemelding</c>): the journal and the log hold the
    /// number's birth date part and a keyed hash, <c>010190*****~3f9a2c1b7d04</c>, never the number.
    /// </summary>
    public static class JournalKeys
    {
        private static readonly Regex ElevenDigits = new Regex(@"(?<!\d)\d{11}(?!\d)", RegexOptions.CultureInvariant);
        private static readonly Regex Stored = new Regex(@"(?<!\d)\d{6}\*{5}~[0-9a-f]{12}", RegexOptions.CultureInvariant);

        /// <summary>
        /// A key is compared exactly, so "k " and "k" would be two submissions of one form: a key with a space at either end,
        /// or a control or invisible character anywhere (a tab, a zero-width space, a no-break space left by a spreadsheet),
        /// is refused rather than filed a second time under a key that looks the same in every table and log.
        /// </summary>
        public static void RequireUsable(string key, string operation)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidKey),
                    "-Key is empty: give a key that names the submission, for example \"$($row.Org)-2025-aarsregnskap\".");
            }

            for (var i = 0; i < key.Length; i++)
            {
                var c = key[i];
                var edge = (i == 0 || i == key.Length - 1) && char.IsWhiteSpace(c);
                var hidden = char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format || (c != ' ' && char.IsWhiteSpace(c));
                if (!edge && !hidden) continue;
                var where = edge ? (i == 0 ? "at its start" : "at its end") : $"at position {i + 1}";
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidKey),
                    $"-Key '{Mask(key).Trim()}' has {(c == ' ' ? "a space" : $"the character U+{(int)c:X4}")} {where}. Keys are compared exactly, so it would be another key than the one without it, " +
                    "and a second filing of the same form. Nothing was sent. Trim the key (for example -Key $row.Key.Trim()), or fix the column it comes from.");
            }
        }

        public static bool HasPersonNumber(string key)
        {
            if (key == null || key.Length < 11) return false;
            foreach (Match match in ElevenDigits.Matches(key))
            {
                if (NorwegianIdentifiers.IsValidPersonNumber(match.Value)) return true;
            }

            return false;
        }

        /// <summary>The key with each person number masked and hashed with <paramref name="secret"/>.</summary>
        public static string Pseudonymise(string key, byte[] secret) =>
            ElevenDigits.Replace(key, m => NorwegianIdentifiers.IsValidPersonNumber(m.Value) ? NorwegianIdentifiers.MaskPersonNumber(m.Value) + "~" + Hash(m.Value, secret) : m.Value);

        /// <summary>The key with each person number masked, for a log line written before the journal is open.</summary>
        public static string Mask(string key) =>
            key == null ? null : ElevenDigits.Replace(key, m => NorwegianIdentifiers.IsValidPersonNumber(m.Value) ? NorwegianIdentifiers.MaskPersonNumber(m.Value) : m.Value);

        /// <summary>Whether a stored key holds a hashed person number.</summary>
        public static bool IsPseudonymised(string storedKey) => storedKey != null && Stored.IsMatch(storedKey);

        internal static byte[] NewSecret()
        {
            var secret = new byte[32];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(secret);
            return secret;
        }

        internal static string FormatSecret(byte[] secret)
        {
            var text = new StringBuilder(secret.Length * 2);
            foreach (var b in secret) text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return text.ToString();
        }

        internal static byte[] ParseSecret(string text, string path)
        {
            text = text?.Trim() ?? string.Empty;
            if (text.Length != 64) throw new AltinnException(ErrorCatalogue.Id("Journal", ErrorReason.CannotRead), AltinnErrorKind.ReadError,
                $"The journal's secret '{path}' is not one the module wrote (64 hex digits). Put back the file that was beside the journal, or use a new journal.");
            var secret = new byte[32];
            for (var i = 0; i < 32; i++)
            {
                if (!byte.TryParse(text.Substring(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out secret[i]))
                {
                    throw new AltinnException(ErrorCatalogue.Id("Journal", ErrorReason.CannotRead), AltinnErrorKind.ReadError,
                        $"The journal's secret '{path}' is not one the module wrote (64 hex digits). Put back the file that was beside the journal, or use a new journal.");
                }
            }

            return secret;
        }

        private static string Hash(string personNumber, byte[] secret)
        {
            using (var hmac = new HMACSHA256(secret))
            {
                var hash = hmac.ComputeHash(Encoding.ASCII.GetBytes(personNumber));
                return FormatSecret(hash).Substring(0, 12);
            }
        }
    }
}
