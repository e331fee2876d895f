using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace AltinnApp.Core.Validation
{
    /// <summary>Control-digit checks for organisation numbers and national identity numbers.</summary>
    public static class NorwegianIdentifiers
    {
        private static readonly int[] OrgWeights = { 3, 2, 7, 6, 5, 4, 3, 2 };
        private static readonly int[] PersonWeights1 = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
        private static readonly int[] PersonWeights2 = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };

        /// <summary>True for a nine-digit organisation number whose mod-11 control digit is right.</summary>
        public static bool IsValidOrganizationNumber(string value)
        {
            if (value == null || value.Length != 9 || !value.All(IsAsciiDigit)) return false;
            var control = Mod11(value, OrgWeights);
            return control >= 0 && control == value[8] - '0';
        }

        /// <summary>True for an eleven-digit national identity number (fødselsnummer or D-number) whose two control digits are right.</summary>
        public static bool IsValidPersonNumber(string value)
        {
            if (value == null || value.Length != 11 || !value.All(IsAsciiDigit)) return false;
            var k1 = Mod11(value, PersonWeights1);
            if (k1 < 0 || k1 != value[9] - '0') return false;
            var k2 = Mod11(value, PersonWeights2);
            return k2 >= 0 && k2 == value[10] - '0';
        }

        /// <summary>
        /// A person number is personal data: only the birth date part is shown, the rest masked.
        /// </summary>
        public static string MaskPersonNumber(string value)
        {
            if (string.IsNullOrEmpty(value)) return value;
            return value.Length <= 6 ? new string('*', value.Length) : value.Substring(0, 6) + new string('*', value.Length - 6);
        }

        /// <param name="operation">When given, the ErrorId is <c>Altinn.{operation}.InvalidOrganizationNumber</c>.</param>
        public static string RequireOrganizationNumber(string value, string parameterName, string operation = null)
        {
            var trimmed = WithoutSpaces(value);
            if (trimmed.StartsWith("0192:", StringComparison.Ordinal)) trimmed = trimmed.Substring(5);
            if (!IsValidOrganizationNumber(trimmed))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidOrganizationNumber),
                    $"-{parameterName} '{Visible(value)}' is not a valid Norwegian organisation number: it must be nine digits whose last digit is the mod-11 control digit{NotDigits(trimmed)}. Check the number in Enhetsregisteret (Brønnøysundregistrene).");
            }

            return trimmed;
        }

        public static string RequirePersonNumber(string value, string parameterName)
        {
            var trimmed = WithoutSpaces(value);
            if (!IsValidPersonNumber(trimmed))
            {
                throw new AltinnArgumentException("Altinn.InvalidPersonNumber",
                    $"-{parameterName} '{MaskPersonNumber(trimmed)}' is not a valid Norwegian national identity number: it must be eleven digits with two correct control digits{NotDigits(trimmed)}.");
            }

            return trimmed;
        }

        private static bool IsAsciiDigit(char c) => c >= '0' && c <= '9';

        /// <summary>
        /// Without spaces of any kind and invisible characters: a number copied from a spreadsheet or a web page is often
        /// grouped with no-break spaces (nb-NO writes "310 461 598" with U+00A0 or U+202F) or carries a zero-width space.
        /// </summary>
        private static string WithoutSpaces(string value)
        {
            if (string.IsNullOrEmpty(value)) return string.Empty;
            var kept = new StringBuilder(value.Length);
            foreach (var c in value)
            {
                if (char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format) continue;
                kept.Append(c);
            }

            return kept.ToString();
        }

        /// <summary>The characters other than digits, named (a letter O for a zero, a dash): "" when there are none.</summary>
        private static string NotDigits(string trimmed)
        {
            var others = trimmed.Where(c => !IsAsciiDigit(c)).Distinct().Take(3).Select(c => $"'{c}' (U+{(int)c:X4})").ToList();
            return others.Count == 0 ? string.Empty : $", and it holds {string.Join(", ", others)}, which {(others.Count == 1 ? "is not a digit" : "are not digits")}";
        }

        /// <summary>The value as given, with control characters shown as their code so the message shows what was there.</summary>
        private static string Visible(string value) =>
            string.Concat((value ?? string.Empty).Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));

        // -1 when the number cannot be valid (remainder gives control digit 10)
        private static int Mod11(string digits, int[] weights)
        {
            var sum = 0;
            for (var i = 0; i < weights.Length; i++) sum += (digits[i] - '0') * weights[i];
            var control = 11 - (sum % 11);
            if (control == 11) return 0;
            return control == 10 ? -1 : control;
        }
    }
}
