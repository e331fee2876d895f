using System;
using System.Globalization;
using System.Management.Automation;

namespace AltinnApp.PowerShell.Infrastructure
{
    /// <summary>
    /// The dates of instances and journal entries as AltinnApp.Types.ps1xml hands them to PowerShell: still a DateTime or
    /// DateTimeOffset for scripts (compare, AddDays, .ToString('yyyy')), whose text is ISO 8601 in any culture
    /// (<c>2026-12-01T14:03:22.1230000Z</c>, <c>…+00:00</c>), so Export-Csv and string conversion give one readable form.
    /// </summary>
    public static class IsoDates
    {
        private static readonly System.Reflection.MethodInfo TextMethod = typeof(IsoDates).GetMethod(nameof(Text));

        /// <summary>The value with an ISO 8601 ToString; null stays null, anything not a date is returned as it is.</summary>
        public static object Wrap(object value)
        {
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            if (!(value is DateTime) && !(value is DateTimeOffset)) return value;
            var date = new PSObject(value);
            date.Members.Add(new PSCodeMethod("ToString", TextMethod));
            return date;
        }

        /// <summary>
        /// ToString() gives ISO 8601; ToString(format[, provider]) still formats as .NET does. Formats through the base
        /// value's IFormattable: calling ToString on it from a script would find this method again.
        /// </summary>
        public static string Text(PSObject instance, params object[] arguments)
        {
            var value = (IFormattable)instance.BaseObject;
            if (arguments == null || arguments.Length == 0) return value.ToString("o", CultureInfo.InvariantCulture);
            var format = arguments[0] is PSObject f ? f.BaseObject as string : arguments[0] as string;
            var provider = arguments.Length > 1 ? (arguments[1] is PSObject p ? p.BaseObject : arguments[1]) as IFormatProvider : null;
            return value.ToString(format, provider);
        }
    }
}
