using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using AltinnApp.Core.Http;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// A prefill as Altinn takes it: field path to text. The app binds the body of <c>instances/create</c> to
    /// <c>InstansiationInstance</c>, whose <c>Prefill</c> is a <c>Dictionary&lt;string, string&gt;</c> read by
    /// System.Text.Json, so a JSON number or boolean there is a 400 (reference §4.2). The app converts each text to
    /// the data model's property type itself, with the invariant culture; so values are written the same way,
    /// whatever the culture of the machine that runs the script.
    /// </summary>
    public static class PrefillValues
    {
        /// <summary>
        /// Each value as invariant text. <c>null</c> values are left out: Altinn would either change nothing (a field
        /// that may be empty) or fail converting null to a number or date field, delete the instance and answer 500.
        /// A nested object or a list is refused, naming the key.
        /// </summary>
        public static IDictionary<string, string> ToStrings(IDictionary<string, object> values, string operation)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (values == null) return result;
            foreach (var pair in values)
            {
                if (pair.Value == null)
                {
                    AltinnLog.Verbose($"Prefill field '{pair.Key}' is $null: left out, so the app leaves the field as it makes it.");
                    continue;
                }

                result[pair.Key] = Format(pair.Key, pair.Value, operation);
            }

            return result;
        }

        /// <summary>
        /// One value as Altinn's prefill takes it: numbers with the invariant culture (no group separators, '.' before
        /// decimals), booleans as <c>true</c>/<c>false</c>, a date at midnight (not UTC) as <c>yyyy-MM-dd</c>, other
        /// times as ISO 8601 with their offset, enums by name.
        /// </summary>
        public static string Format(string key, object value, string operation)
        {
            switch (value)
            {
                case string s:
                    return s;
                case char c:
                    return c.ToString();
                case bool b:
                    return b ? "true" : "false";
                case DateTime dt:
                    return FormatDate(dt);
                case DateTimeOffset dto:
                    return FormatInstant(dto);
                case Enum e:
                    return e.ToString();
                case Guid g:
                    return g.ToString("D");
                case double d:
                    return FormatFloating(key, d, operation);
                case float f:
                    // through the float's own shortest text, not widened to double: [float]0.1 is 0.1, not 0.10000000149011612
                    return FormatFloating(key, float.IsNaN(f) || float.IsInfinity(f) ? f : double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), operation);
                case decimal m:
                    return m.ToString(CultureInfo.InvariantCulture);
                case BigInteger big:
                    return big.ToString(CultureInfo.InvariantCulture);
                case sbyte _:
                case byte _:
                case short _:
                case ushort _:
                case int _:
                case uint _:
                case long _:
                case ulong _:
                    return ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture);
                default:
                    throw NotFlat(key, value, operation);
            }
        }

        /// <summary>
        /// Midnight without a UTC kind is a date (what <c>[datetime]'2026-05-31'</c> means); anything else a point in time.
        /// Form data (Set-AltinnData -Value) writes dates the same way, so one value reads the same in prefill and data;
        /// both XML (xs:date and xs:dateTime) and System.Text.Json models read a date-only value.
        /// </summary>
        public static string FormatDate(DateTime value)
        {
            if (value.TimeOfDay == TimeSpan.Zero && value.Kind != DateTimeKind.Utc) return value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var format = value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ssK" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK";
            return value.ToString(format, CultureInfo.InvariantCulture);
        }

        /// <summary>A point in time with its offset, ISO 8601, fractions of a second only when there are any.</summary>
        public static string FormatInstant(DateTimeOffset value) =>
            value.ToString(value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:sszzz" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

        private static string FormatFloating(string key, double value, string operation)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                throw new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.InvalidPrefill),
                    $"Prefill field '{key}' is {value.ToString(CultureInfo.InvariantCulture)}, which no form field takes. Give a number, or leave the field out.");
            }

            var text = value.ToString("R", CultureInfo.InvariantCulture);
            // the app reads decimals with decimal's parser, which takes no exponent: write large and small numbers out in full
            if (text.IndexOf('E') >= 0 && Math.Abs(value) < 7.9e28 && Math.Abs(value) > 1e-28)
            {
                text = ((decimal)value).ToString(CultureInfo.InvariantCulture);
            }

            return text;
        }

        private static AltinnArgumentException NotFlat(string key, object value, string operation)
        {
            string what;
            switch (value)
            {
                case IDictionary _:
                    what = "a nested object (a hashtable or an object with properties)";
                    break;
                case IEnumerable _:
                    what = "a list of values";
                    break;
                default:
                    what = $"a {value.GetType().Name}";
                    break;
            }

            return new AltinnArgumentException(ErrorCatalogue.Id(operation, ErrorReason.PrefillNotFlat),
                $"Prefill field '{key}' is {what}. -Prefill takes one flat value per field (text, a number, $true/$false or a date), sent to Altinn as text. " +
                $"Name a nested field with a dotted path instead, such as @{{ '{key}.field' = 'value' }}; for structured form data, create the instance and send the data with Set-AltinnData -Value (or use -Data).");
        }
    }
}
